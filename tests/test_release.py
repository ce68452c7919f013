"""release/ is exactly what `nbgrader generate_assignment` makes, and gives nothing away."""

import json
import os
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import ASSIGNMENTS, REPO

GIVEAWAYS = ["BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "BEGIN MARK SCHEME", "course_kit", "graders/"]


def _notebook_json(path: Path) -> dict:
    return json.loads(path.read_text())


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_committed_release_equals_fresh_generate(course, assignment):
    course.generate(assignment)
    fresh_dir = course.course_dir / "release" / assignment
    committed_dir = REPO / "release" / assignment
    fresh = sorted(p.relative_to(fresh_dir) for p in fresh_dir.rglob("*") if p.is_file())
    committed = sorted(p.relative_to(committed_dir) for p in committed_dir.rglob("*") if p.is_file())
    assert committed == fresh, "release/ holds other files than generate_assignment writes: run `make release`"
    for name in fresh:
        if name.suffix == ".ipynb":
            same = _notebook_json(committed_dir / name) == _notebook_json(fresh_dir / name)
        else:
            same = (committed_dir / name).read_bytes() == (fresh_dir / name).read_bytes()
        assert same, f"release/{assignment}/{name} differs from a fresh generate_assignment: run `make release`"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_gives_nothing_away(assignment):
    for path in (REPO / "release" / assignment).rglob("*"):
        if path.is_file() and path.suffix in {".ipynb", ".py", ".md", ".txt", ".json", ".csv"}:
            text = path.read_text()
            for marker in GIVEAWAYS:
                assert marker not in text, f"{path.relative_to(REPO)} contains {marker!r}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_runs_up_to_the_students_work(assignment, tmp_path):
    (notebook,) = (REPO / "release" / assignment).glob("*.ipynb")
    nb = nbformat.read(notebook, as_version=4)
    for item in notebook.parent.iterdir():
        if item.is_file() and item != notebook:
            (tmp_path / item.name).write_bytes(item.read_bytes())
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    NotebookClient(nb, timeout=120, allow_errors=True, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = [
        (index, _reason(cell, output))
        for index, cell in enumerate(nb.cells)
        for output in cell.get("outputs", [])
        if output.output_type == "error"
    ]
    assert errors and errors[0][1] == "NotImplementedError", (
        f"the first error is not the student's unfinished work: {errors[:3]}"
    )
    # After that, only the consequences of unfinished work: unimplemented calls, unset variables.
    unexpected = [(i, name) for i, name in errors if name not in UNFINISHED]
    assert not unexpected, f"release notebook fails for other reasons than unfinished work: {unexpected}"


UNFINISHED = {"NotImplementedError", "NameError"}


def _reason(cell: nbformat.NotebookNode, error: nbformat.NotebookNode) -> str:
    """Why a cell failed: the exception's name or, for a public check cell (which reports every check and then
    raises one AssertionError), the unfinished work behind every failed check, if that is all there is."""
    if error.ename != "AssertionError" or "public check(s) did not pass" not in error.evalue:
        return error.ename
    text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
    causes = set(re.findall(r"^ +(?:.*? )?raised (\w+)", text, re.MULTILINE))
    failed = len(re.findall(r"^NOT passed", text, re.MULTILINE))
    details = len(re.findall(r"^ +(?:.*? )?raised \w+", text, re.MULTILINE))
    if details == failed and causes <= UNFINISHED:
        return "NotImplementedError" if "NotImplementedError" in causes else "NameError"
    return f"public checks failed: {sorted(causes)}"
