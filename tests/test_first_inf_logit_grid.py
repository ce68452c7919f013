"""The ps1 grader's own arithmetic: its search lands where the theory says, in every dtype it uses.

This used to be an assert inside the scored grader, where a slip of the grader's arithmetic would have
cost students points; here it costs the kit a failing test instead.
"""

import importlib.util
import warnings

import numpy as np
import pytest

from conftest import REPO

_SPEC = importlib.util.spec_from_file_location(
    "ps1_first_inf_logit_grader", REPO / "graders" / "ps1_naive_loss" / "test_first_inf_logit.py"
)
grader = importlib.util.module_from_spec(_SPEC)
with warnings.catch_warnings():  # the grader's weight marker is registered by the graders' plugin, not loaded here
    warnings.simplefilter("ignore", pytest.PytestUnknownMarkWarning)
    _SPEC.loader.exec_module(grader)

# dtype -> the first grid value above (significant bits) ln 2, computed by hand from the thresholds:
# 53 ln 2 = 36.7368, 24 ln 2 = 16.6355, 11 ln 2 = 7.6246.
EXPECTED = {np.float64: 36.74, np.float32: 16.64, np.float16: 7.63}


@pytest.mark.parametrize("dtype", list(EXPECTED), ids=lambda d: np.dtype(d).name)
def test_grader_search_lands_on_the_first_grid_point_above_bits_ln2(dtype):
    found = grader.expected_first_inf(dtype)
    threshold = (np.finfo(dtype).nmant + 1) * np.log(2)
    assert found == EXPECTED[dtype]
    assert threshold < found < threshold + 2 * grader.GRID_STEP


@pytest.mark.parametrize("dtype", list(EXPECTED), ids=lambda d: np.dtype(d).name)
def test_naive_loss_is_inf_exactly_from_there(dtype):
    """The grader looks for sigmoid == 1; the notebook asks where naive_bce(0, z) is inf: the same grid point."""
    z = grader.GRID.astype(dtype)
    with np.errstate(divide="ignore", over="ignore"):
        p = 1 / (1 + np.exp(-z))
        loss = -0.0 * np.log(p) - (1 - 0.0) * np.log(1 - p)
    assert loss.dtype == dtype
    assert grader.GRID[int(np.argmax(np.isinf(loss)))] == grader.expected_first_inf(dtype)


def test_the_dtype_copy_of_the_grid_value_is_within_the_tolerance():
    """A search may return z[i] (in the dtype) rather than grid[i]: 7.62890625 in float16 must pass."""
    for dtype, value in EXPECTED.items():
        assert abs(float(dtype(value)) - value) < grader.TOLERANCE
