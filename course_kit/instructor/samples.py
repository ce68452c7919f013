"""Sample submissions: a release notebook with its answer cells filled from a small text file.

A sample file ``samples/<assignment>/<name>.py`` holds one section per answer
cell it fills, headed by the cell's nbgrader ``grade_id``:

    \"\"\"Naive everywhere: what a student who skipped the derivation hands in.\"\"\"
    # inherits: reference
    # %% [stable_bce]
    def stable_bce(y_true, z):
        ...

Answer cells that no section names get the reference solution (the source
notebook's solution with its markers removed), or the sections of the sample
named by ``# inherits:``.  A section headed ``# %% [before <grade_id>]`` puts
its code in front of that cell's answer: that is how a cheat is added on top
of the honest work it hides behind.  The first line of the docstring says what the
sample is; the demo prints it.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat import NotebookNode

_SECTION = re.compile(r"^# %% \[(?P<cell>(?:before )?[\w.-]+)\][ \t]*$", re.MULTILINE)
_INHERITS = re.compile(r"^# inherits: (?P<name>[\w.-]+)[ \t]*$", re.MULTILINE)
_MARKER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")


@dataclass
class Sample:
    name: str
    summary: str
    sections: dict[str, str]  # grade_id -> cell source; "before <grade_id>" -> code put in front of it
    base: str  # the sample it inherits from: the honest work beneath it


def read_sample(path: Path, library: Path | None = None) -> Sample:
    """Read a sample; ``# inherits: NAME`` is looked up in ``library`` (default: the sample's folder)."""
    text = path.read_text()
    parts = _SECTION.split(text)
    header, rest = parts[0], parts[1:]
    sections = {cell: body.strip("\n") + "\n" for cell, body in zip(rest[::2], rest[1::2], strict=True)}
    inherits = _INHERITS.search(header)
    base = inherits["name"] if inherits else "reference"
    if base != "reference":
        parent = read_sample((library or path.parent) / f"{base}.py", library)
        sections = {**parent.sections, **sections}
    doc = ast.get_docstring(ast.parse(header)) or path.stem
    return Sample(path.stem, doc.strip().splitlines()[0], sections, base)


def _grade_id(cell: NotebookNode) -> str | None:
    meta = cell.metadata.get("nbgrader", {})
    return meta.get("grade_id") if meta.get("solution") else None


def reference_solutions(source_notebook: Path) -> dict[str, str]:
    """grade_id -> solution source of each answer cell, solution markers removed.

    For a hand-graded markdown answer that is the model answer with its rubric,
    which only the formgrader reads.
    """
    solutions = {}
    for cell in nbformat.read(source_notebook, as_version=4).cells:
        grade_id = _grade_id(cell)
        if grade_id:
            lines = [line for line in cell.source.splitlines() if not _MARKER.match(line)]
            solutions[grade_id] = "\n".join(lines).strip("\n") + "\n"
    return solutions


def build_submission(release_notebook: Path, source_notebook: Path, sample: Sample) -> NotebookNode:
    nb = nbformat.read(release_notebook, as_version=4)
    answers = {**reference_solutions(source_notebook), **sample.sections}
    for cell in nb.cells:
        grade_id = _grade_id(cell)
        if grade_id in answers:
            cell.source = answers[grade_id].rstrip("\n")
        if f"before {grade_id}" in sample.sections:
            cell.source = sample.sections[f"before {grade_id}"] + cell.source
    return nb
