"""No cheat scores above the honest work it hides behind, and each cheat proves that it ran.

Each file in tests/corpus/<assignment>/ names its honest base with
`# inherits:`; graded by real nbgrader, its score in every cell must not
exceed the base's score in that cell.  A cheat that silently did nothing would
pass that too, so each one prints ``ATTACK-RAN:<its name>`` from the code that
carries out its attack (the blanked cells, the patch, the hook, the search
under the grader), often with the proof that the attack is armed; the tests
find that line among the graded notebook's outputs before they judge the score.
"""

import nbformat
import pytest
from hidden_material import leaked

from conftest import ASSIGNMENTS, REPO, submissions_of

CASES = [
    (assignment, path.stem)
    for assignment in ASSIGNMENTS
    for path, _ in submissions_of(assignment)
    if path.parent.parent.name == "corpus" and path.stem.startswith("cheat_")
]


MARKER = "ATTACK-RAN:"


def graded_notebook(course, assignment: str, student: str) -> nbformat.NotebookNode:
    """The student's one graded notebook (a missing one fails: there would be nothing to look at)."""
    (notebook,) = (course.course_dir / "autograded" / student / assignment).glob("*.ipynb")
    return nbformat.read(notebook, as_version=4)


def outputs(notebook: nbformat.NotebookNode) -> list[dict]:
    return [o for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", [])]


def shown_text(notebook: nbformat.NotebookNode) -> str:
    """Everything the notebook shows, as text: its cells' sources and every output's text, data and traceback."""
    parts = [c.source for c in notebook.cells]
    for output in outputs(notebook):
        parts += [str(output.get("text", "")), str(output.get("evalue", "")), *output.get("traceback", [])]
        parts += [str(value) for value in output.get("data", {}).values()]
    return "\n".join(parts)


def attack_markers(course, assignment: str, student: str) -> list[str]:
    """The ``ATTACK-RAN:<student>`` lines the cheat's code printed while it ran (outputs only, never its source)."""
    text = "".join(str(o.get("text", "")) for o in outputs(graded_notebook(course, assignment, student)))
    return [line for line in text.splitlines() if line.startswith(f"{MARKER}{student}")]


@pytest.mark.parametrize(("assignment", "student"), CASES)
def test_cheat_gains_nothing(graded, course, assignment, student):
    results = graded(assignment)
    assert attack_markers(course, assignment, student), f"{student} never printed {MARKER}{student}: did it run?"
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


@pytest.mark.parametrize(("assignment", "student"), CASES)
def test_cheat_sees_no_hidden_material(graded, course, assignment, student):
    """Neither the hidden graders' code (their input values, comparisons, assertions) nor the course's
    configuration shows in the cheat's graded notebook."""
    graded(assignment)
    text = shown_text(graded_notebook(course, assignment, student))
    assert not leaked(text, assignment), f"{student}'s graded notebook shows hidden grader code"


def test_the_leak_check_finds_a_leak():
    """What cheat_read_hidden_tests prints of each grader file, were it readable (its first 5000 characters),
    is caught by the check above."""
    for assignment in ASSIGNMENTS:
        for path in sorted((REPO / "graders" / assignment).glob("*.py")):
            assert leaked(path.read_text()[:5000], assignment), path


def test_no_cheat_wrote_outside_its_own_folder(graded, course):
    for assignment in ASSIGNMENTS:
        graded(assignment)
    own_folder = course.course_dir / "autograded" / "cheat_write_gradebook" / "ps2_stable_loss"
    # Nothing written proves nothing unless the attempt ran: its notebook must show the line it prints after trying.
    (notebook,) = own_folder.glob("*.ipynb")
    outputs = [o.get("text", "") for c in nbformat.read(notebook, as_version=4).cells for o in c.get("outputs", [])]
    assert any(f"{MARKER}cheat_write_gradebook: tried" in text for text in outputs), "the cheat never ran its attempt"
    for path in course.course_dir.rglob("owned.txt"):
        assert path.parent == own_folder, f"{path} was written by another student's code"
