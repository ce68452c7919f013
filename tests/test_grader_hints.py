"""course_numerics.hints: a failed check whose message shows a known pattern gets the line naming its cause."""

import numpy as np
import pytest

from course_numerics.hints import KEEPDIMS, WHERE, hint_for


def _numpy_says(code) -> str:
    with pytest.raises(Exception) as caught:
        code()
    return f"logsumexp(...) raised {type(caught.value).__name__}: {caught.value}"


def test_a_max_without_keepdims_is_named():
    z = np.zeros((10, 3))
    message = _numpy_says(lambda: z - np.max(z, axis=-1))
    assert hint_for(message) == KEEPDIMS.format(rows="(10, 3)", n=10)


def test_both_branches_of_np_where_are_named():
    z = np.array([-800.0, 800.0])

    def where_both_branches():
        with np.errstate(over="raise"):
            return np.where(z >= 0, np.log1p(np.exp(-z)), -z + np.log1p(np.exp(z)))

    assert hint_for(_numpy_says(where_both_branches)) == WHERE


def test_other_failures_get_no_hint():
    assert hint_for("sigmoid on edge values: 3 of 17 values outside the tolerance") is None
    assert hint_for("operands could not be broadcast together with shapes (4,3) (5,)") is None  # not one per row
