"""Each sample submission gets the score its mistakes deserve, and the report names the mistake.

Each sample file ``samples/<assignment>/<name>.py`` says what it should score, one line per cell it
is about, between its docstring and its first cell:

    # expect: test_naive_bce 1.5 "breaks down (inf, nan) where the naive formula on your own sigmoid"
    # expect: test_sigmoid full

the points (``full`` is the cell's maximum) and, in quotes, a phrase the cell's report must
contain.  The partial scores follow from the graders' weights; a change in them should be a
decision, so it shows up here.  A new assignment's samples are found and checked with no edit
to this file.
"""

from pathlib import Path

import pytest

from conftest import ASSIGNMENTS, FULL, REPO, expected_scores


def _samples(assignment: str) -> list[Path]:
    """The assignment's samples, but for the reference (whose expectation is full marks: test_full_marks)."""
    return [p for p in sorted((REPO / "samples" / assignment).glob("*.py")) if p.stem != "reference"]


EXPECTED = {
    assignment: {
        path.stem: expected_scores(path)
        for path in _samples(assignment)
    }
    for assignment in ASSIGNMENTS
}

CASES = [
    (assignment, sample, cell)
    for assignment, samples in EXPECTED.items()
    for sample, cells in samples.items()
    for cell in cells
]


@pytest.mark.parametrize(("assignment", "sample"), [(a, s) for a, samples in EXPECTED.items() for s in samples])
def test_every_sample_says_what_it_should_score(assignment, sample):
    assert EXPECTED[assignment][sample], (
        f"samples/{assignment}/{sample}.py has no `# expect: <cell> <points|full> \"<phrase>\"` line"
    )


def test_expect_lines_are_read():
    sample = REPO / "samples" / "ps1_naive_loss" / "partially_right.py"
    assert expected_scores(sample) == {
        "test_sigmoid": (FULL, ""),
        "test_naive_bce": (FULL, ""),
        "test_first_inf_logit": (0.75, "first_inf_logit(np.float16): the notebook does not define first_inf_logit"),
    }


@pytest.mark.parametrize(("assignment", "sample", "cell"), CASES)
def test_sample_scores_what_it_deserves(graded, assignment, sample, cell):
    result = graded(assignment)[sample]
    assert result.success, result.log
    points, phrase = EXPECTED[assignment][sample][cell]
    got = result.cells[cell]
    want = got.max_score if points == FULL else points
    assert got.score == pytest.approx(want, abs=0.005), f"{sample}/{cell}: {got.score} of {got.max_score}\n{got.report}"
    assert phrase in got.report, f"the report does not say {phrase!r}:\n{got.report}"
