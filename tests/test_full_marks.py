"""The reference solution scores full marks through real `nbgrader autograde`."""

import pytest

from conftest import ASSIGNMENTS


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_reference_scores_full_marks(graded, assignment):
    student = "reference"
    result = graded(assignment)[student]
    assert result.success, result.log
    lost = {cell: f"{c.score}/{c.max_score}\n{c.report}" for cell, c in result.cells.items() if c.score < c.max_score}
    assert not lost, f"{student} lost points in {assignment}: {lost}"
    # Manually graded cells (ps2's derivation) are not in the autograded total.
    assert result.total == sum(c.max_score for c in result.cells.values()) > 0
