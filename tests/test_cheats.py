"""No cheat scores above the honest work it hides behind.

Each file in tests/corpus/<assignment>/ names its honest base with
`# inherits:`; graded by real nbgrader, its score in every cell must not
exceed the base's score in that cell.
"""

import ast

import nbformat
import pytest

from conftest import ASSIGNMENTS, REPO, submissions_of

CASES = [
    (assignment, path.stem)
    for assignment in ASSIGNMENTS
    for path, _ in submissions_of(assignment)
    if path.parent.parent.name == "corpus" and path.stem.startswith("cheat_")
]


@pytest.mark.parametrize(("assignment", "student"), CASES)
def test_cheat_gains_nothing(graded, assignment, student):
    results = graded(assignment)
    cheat = results[student]
    base = results[cheat.sample.base]
    assert base.success, base.log
    assert cheat.success, cheat.log
    for cell_id, honest in base.cells.items():
        assert cheat.score(cell_id) <= honest.score, (
            f"{student} scored {cheat.score(cell_id)} in {cell_id}, its honest base "
            f"{cheat.sample.base} scored {honest.score}:\n{cheat.cells[cell_id].report}"
        )
    assert cheat.total <= base.total


def _grader_fingerprints() -> list[str]:
    """A line of each hidden grader module that no honest notebook prints: its docstring's first line."""
    lines = []
    for path in sorted((REPO / "graders").rglob("*.py")):
        doc = ast.get_docstring(ast.parse(path.read_text()))
        if doc and len(doc.splitlines()[0]) > 30:
            lines.append(doc.splitlines()[0])
    return lines


@pytest.mark.parametrize(("assignment", "student"), CASES)
def test_cheat_sees_no_hidden_material(graded, course, assignment, student):
    graded(assignment)
    fingerprints = _grader_fingerprints()
    assert fingerprints
    for notebook in (course.course_dir / "autograded" / student / assignment).glob("*.ipynb"):
        text = notebook.read_text()
        leaked = [line for line in fingerprints if line in text]
        assert not leaked, f"{student}'s graded notebook shows hidden grader text: {leaked[:2]}"


def test_no_cheat_wrote_outside_its_own_folder(graded, course):
    for assignment in ASSIGNMENTS:
        graded(assignment)
    own_folder = course.course_dir / "autograded" / "cheat_write_gradebook" / "ps2_stable_loss"
    # Nothing written proves nothing unless the attempt ran: its notebook must show the line it prints after trying.
    (notebook,) = own_folder.glob("*.ipynb")
    outputs = [o.get("text", "") for c in nbformat.read(notebook, as_version=4).cells for o in c.get("outputs", [])]
    assert any("cheat_write_gradebook ran: tried" in text for text in outputs), "the cheat never ran its attempt"
    for path in course.course_dir.rglob("owned.txt"):
        assert path.parent == own_folder, f"{path} was written by another student's code"
