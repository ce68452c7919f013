"""Each sample submission gets, in every graded cell, the score its mistakes deserve, and the report names them.

Each sample file ``samples/<assignment>/<name>.py`` says what it should score, between its docstring and its
first cell: one ``# expect:`` line per cell it is about, the points (``full`` is the cell's maximum) and, in
quotes, a phrase the cell's report must contain; and one ``# fails:`` line per check that fails, naming the
start of the check's name as the student reads it (every check of the cell whose name starts so must fail):

    # expect: test_sigmoid 1.87 "float32"
    # fails: test_sigmoid "float32 in gives float32 out, float64 in gives float64 out"

Every autograded cell of every sample is checked, the reference's included: a cell no ``# expect:`` line names
must score full marks with no check failed.  A partial score is not a snapshot: the test derives it from the
checks that fail and the weights the grading record gives them (the cell's points times the share of the weights
passed, rounded down to the cent: ``course_kit/grading/results.py``'s rule, restated here), and asserts that
the failed checks are exactly those the ``# fails:`` lines name, that the gradebook has the derived score, and
that the ``# expect:`` line's number is that derivation.  A new assignment's samples are found and checked with
no edit to this file.
"""

import math
from pathlib import Path

import nbformat
import pytest

from conftest import ASSIGNMENTS, FULL, REPO, expected_failures, expected_scores


def _samples(assignment: str) -> list[Path]:
    return sorted((REPO / "samples" / assignment).glob("*.py"))


def autograded_cells(assignment: str) -> list[str]:
    """The grade_id of every autograded test cell of the assignment's source notebook."""
    (notebook,) = (REPO / "source" / assignment).glob("*.ipynb")
    cells = [c.metadata.get("nbgrader", {}) for c in nbformat.read(notebook, as_version=4).cells]
    return [m["grade_id"] for m in cells if m.get("grade") and not m.get("solution")]


EXPECTED = {a: {path.stem: expected_scores(path) for path in _samples(a)} for a in ASSIGNMENTS}
FAILS = {a: {path.stem: expected_failures(path) for path in _samples(a)} for a in ASSIGNMENTS}

CASES = [
    (assignment, sample, cell)
    for assignment in ASSIGNMENTS
    for sample in EXPECTED[assignment]
    for cell in autograded_cells(assignment)
]


def derived_score(points: float, weights_passed: float, weights_total: float) -> float:
    """The cell's points times the share of its checks' weights passed, rounded down to the cent (never more
    than was earned); a cell whose checks all weigh 0 scores full marks when they pass."""
    share = weights_passed / weights_total if weights_total else 1.0
    return math.floor(points * share * 100 + 1e-9) / 100


@pytest.mark.parametrize(("assignment", "sample"),
                         [(a, s) for a, samples in EXPECTED.items() for s in samples if s != "reference"])
def test_every_sample_says_what_it_should_score(assignment, sample):
    expected, fails = EXPECTED[assignment][sample], FAILS[assignment][sample]
    assert expected, f"samples/{assignment}/{sample}.py has no `# expect: <cell> <points|full> \"<phrase>\"` line"
    cells = autograded_cells(assignment)
    assert set(expected) | set(fails) <= set(cells), f"{sample} names a cell the notebook lacks: {cells}"
    partial = {cell for cell, (points, _) in expected.items() if points != FULL}
    assert partial <= set(fails), f"{sample}: a partial score needs the `# fails:` lines it is derived from"


def test_expect_and_fails_lines_are_read():
    sample = REPO / "samples" / "ps1_naive_loss" / "partially_right.py"
    assert expected_scores(sample) == {
        "test_sigmoid": (FULL, ""),
        "test_naive_bce": (FULL, ""),
        "test_first_inf_logit": (0.75, "first_inf_logit(np.float16): the notebook does not define first_inf_logit"),
    }
    assert set(expected_failures(sample)) == {"test_first_inf_logit"}
    assert len(expected_failures(sample)["test_first_inf_logit"]) == 2


def test_the_derivation_rounds_down():
    assert derived_score(2, 7.5, 8) == 1.87  # 1.875: float32_upcast's sigmoid loses a check of weight 0.5 of 8
    assert derived_score(2, 2, 7) == 0.57  # 0.5714...
    assert derived_score(3, 0, 0) == 3 and derived_score(4, 8, 10) == 3.2


@pytest.mark.parametrize(("assignment", "sample", "cell"), CASES)
def test_sample_scores_what_its_failed_checks_deserve(graded, assignment, sample, cell):
    result = graded(assignment)[sample]
    assert result.success, result.log
    got = result.cells[cell]
    assert got.checks, f"{sample}/{cell} was scored by no check"
    starts = FAILS[assignment][sample].get(cell, [])
    for start in starts:
        assert any(c.name.startswith(start) for c in got.checks), f"{sample}/{cell}: no check is named {start!r}..."
    failed = {c.name for c in got.checks if not c.passed}
    expected_failed = {c.name for c in got.checks if any(c.name.startswith(start) for start in starts)}
    assert failed == expected_failed, f"{sample}/{cell}:\n{got.report}"

    derived = derived_score(got.max_score, sum(c.weight for c in got.checks if c.passed),
                            sum(c.weight for c in got.checks))
    assert got.score == pytest.approx(derived, abs=1e-9), f"{sample}/{cell}: the gradebook has {got.score}"
    points, phrase = EXPECTED[assignment][sample].get(cell, (FULL, ""))
    assert derived == pytest.approx(got.max_score if points == FULL else points, abs=1e-9), (
        f"{sample}/{cell}: its failed checks and their weights give {derived} of {got.max_score}, "
        f"its `# expect:` line says {points}")
    assert phrase in got.report, f"the report does not say {phrase!r}:\n{got.report}"
