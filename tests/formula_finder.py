"""The formulas of a Markdown text, found by nbconvert's own Markdown parser (the one the feedback and formgrader
use), in order: ``(display, TeX without its delimiters)``.  Shared by the MathML conversion tests and the offline
pages' test, which both count formulas against what a page shows."""

from __future__ import annotations

from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath


class FormulaFinder(IPythonRenderer):
    """The renderer nbconvert's parser calls for each formula: here it only records them, in order."""

    def __init__(self) -> None:
        super().__init__(escape=False)
        self.found: list[tuple[bool, str]] = []  # (display, TeX without delimiters)

    def block_math(self, body: str) -> str:
        self.found.append((True, body))
        return ""

    def inline_math(self, body: str) -> str:
        self.found.append((False, body))
        return ""

    def latex_environment(self, name: str, body: str) -> str:
        self.found.append((True, f"\\begin{{{name}}}{body}\\end{{{name}}}"))
        return ""


def formulas(markdown: str) -> list[tuple[bool, str]]:
    finder = FormulaFinder()
    MarkdownWithMath(renderer=finder).render(markdown)
    return finder.found
