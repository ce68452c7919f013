"""The ``markdown2html`` template filter of the kit's HTML pages: nbconvert's, then cleaned.

nbgrader's ``formgrade`` and ``feedback`` templates render a Markdown cell as
``cell.source | markdown2html | strip_files_prefix`` and never through ``clean_html``, whatever
``HTMLExporter.sanitize_html`` says: raw HTML a student typed into a Markdown cell (``<script>``,
``<img onerror>``) reaches the page as it is.  The source itself cannot be cleaned beforehand: it
is Markdown, not HTML, and it is the student's answer, whose checksum nbgrader compares.  So the
course's configuration replaces the filter (``c.HTMLExporter.filters``): this one renders exactly
as ``HTMLExporter.markdown2html`` does (same renderer, attachments, anchors) and passes the HTML it
produced through ``course_kit.inert.html_policy.clean``.  It also covers the instructor's comments
that the feedback template renders with the same filter.

Maths becomes MathML here, on the server (``course_kit.inert.tex_mathml``): the same parser finds the
formulas (``$...$``, ``$$...$$``, ``\\(...\\)``, ``\\[...\\]``, ``\\begin{env}...\\end{env}``) and only
its renderer's three maths methods change, so the page needs no MathJax and no network (a classroom may
have none).  A formula that does not convert stays visible as its TeX, between its delimiters, in a
``<span class="tex">``.

An ``attachment:`` reference to an attachment the cell lacks (or whose data ``InertNotebook``
removed) makes nbconvert raise, which would fail the whole formgrader page or feedback of that
student; here it becomes an image without a source.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from jinja2 import pass_context
from nbconvert.exporters import HTMLExporter
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from traitlets.config import LoggingConfigurable

from course_kit.inert.html_policy import clean
from course_kit.inert.tex_mathml import tex_to_mathml

NO_IMAGE = {"text/plain": ""}  # nbconvert makes it a data:text/plain URL, which the cleaner drops


class _EveryName(dict):
    """A cell's attachments that answer every name: unknown ones, or ones left without data, with NO_IMAGE."""

    def __contains__(self, name: object) -> bool:
        return True

    def __getitem__(self, name: str) -> Mapping[str, str]:
        return dict.get(self, name) or NO_IMAGE


class MathMLRenderer(IPythonRenderer):
    """nbconvert's Markdown renderer, with each formula given as MathML (or as visible TeX where it cannot be)."""

    def _maths(self, tex: str, display: bool, source: str) -> str:
        return tex_to_mathml(tex, display) or f'<span class="tex">{escape(source, quote=False)}</span>'

    def block_math(self, body: str) -> str:
        return self._maths(body, True, f"$${body}$$")

    def inline_math(self, body: str) -> str:
        return self._maths(body, False, f"${body}$")

    def latex_environment(self, name: str, body: str) -> str:
        source = f"\\begin{{{name}}}{body}\\end{{{name}}}"
        return self._maths(source, True, source)


def markdown_to_html(source: str, exporter: HTMLExporter | None = None, attachments: Mapping | None = None,
                     path: str = "") -> str:
    """``source`` as ``HTMLExporter.markdown2html`` renders it (same parser and options), maths as MathML; not
    cleaned yet."""
    exporter = exporter or HTMLExporter()
    renderer = MathMLRenderer(
        escape=False,
        attachments=attachments if attachments is not None else {},
        embed_images=exporter.embed_images,
        path=path,
        anchor_link_text=exporter.anchor_link_text,
        exclude_anchor_links=exporter.exclude_anchor_links,
        **exporter.lexer_options,
    )
    return MarkdownWithMath(renderer=renderer).render(source)


@pass_context  # jinja passes the template context (the cell, for its attachments) to the instance's __call__
class InertMarkdown(LoggingConfigurable):
    """Registered by the exporter as ``InertMarkdown(parent=exporter)``; falls back to a plain HTMLExporter."""

    def __call__(self, context: Any, source: str) -> str:
        exporter = self.parent if isinstance(self.parent, HTMLExporter) else HTMLExporter()
        cell = context.get("cell") or {}
        attachments = _EveryName(cell.get("attachments") or {})
        path = context.get("resources", {}).get("metadata", {}).get("path", "")
        return clean(markdown_to_html(source, exporter, attachments, path))
