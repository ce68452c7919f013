"""What a leak check looks for: the hidden graders' own code, not only their docstrings.

A check that the hidden tests did not reach a student (a graded notebook, a feedback page) must look for what
would be there if they had: the graders' code lines, which hold the hidden input values (``_EDGE =
np.array([...])``, the random draws), the calls that compare and the assertions.  Docstring lines alone would
miss a leak of the code (their first lines are what the feedback shows as check names, by design), and a
whole-file match would miss a leak of part of a file.  A line counts when it is long enough to be the graders'
alone (``MIN_CHARS``) and appears in no notebook students are given (source and release), so a public check
that happens to match a grader's line is no false alarm.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from functools import cache
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
MIN_CHARS = 30
# A line that is nothing but string literals may be a failure message, which the feedback shows by design.
_STRING = re.compile(r"""[rbfuRBFU]*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')""")


def _code_lines(path: Path) -> list[str]:
    """The file's lines that are code: no docstring, comment or blank line, stripped."""
    text = path.read_text()
    docstrings: set[int] = set()
    for node in ast.walk(ast.parse(text)):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
            docstrings.update(range(body[0].lineno, body[0].end_lineno + 1))
    comments = {tok.start[0] for tok in tokenize.generate_tokens(io.StringIO(text).readline)
                if tok.type == tokenize.COMMENT and tok.line.strip().startswith("#")}
    return [line.strip() for number, line in enumerate(text.splitlines(), 1)
            if re.search(r"\w", _STRING.sub("", line)) and number not in docstrings | comments]


def _public_text(assignment: str) -> str:
    """Every cell of the notebooks students are given or that the course is written in."""
    cells = []
    for top in ("source", "release"):
        for notebook in sorted((REPO / top / assignment).glob("*.ipynb")):
            cells += [cell.source for cell in nbformat.read(notebook, as_version=4).cells]
    assert cells, f"no notebook of {assignment} under source/ or release/"
    return "\n".join(cells)


def grader_files(assignment: str) -> list[Path]:
    """The assignment's hidden grader modules (its audit variants are answers, not graders)."""
    files = sorted(p for p in (REPO / "graders" / assignment).glob("*.py"))
    assert files, f"graders/{assignment} holds no grader"
    return files


@cache
def fingerprints(assignment: str) -> tuple[str, ...]:
    """Lines of the assignment's graders (and the course's grading maths) found nowhere students are given."""
    public = _public_text(assignment)
    files = grader_files(assignment) + sorted((REPO / "graders" / "course_numerics").glob("*.py"))
    lines = {line for path in files for line in _code_lines(path) if len(line) >= MIN_CHARS and line not in public}
    return tuple(sorted(lines))


def leaked(text: str, assignment: str) -> list[str]:
    """The grader lines that ``text`` shows."""
    return [line for line in fingerprints(assignment) if line in text]
