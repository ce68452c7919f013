"""Hidden grader of the test cell test_first_inf_logit: where naive_bce(0, z) first becomes inf.

The expected values come from the grader's own search on the same 0.01 grid: naive_bce(0, z) is inf exactly
where sigmoid(z) rounds to 1 (then log(1 - p) = log 0), so the grader looks for the first grid point where
1 / (1 + exp(-z)), evaluated by numpy in the dtype, equals 1.  This lands on the first grid point above
(mantissa bits + 1) ln 2, i.e. 53 ln 2 = 36.7368 in float64 and 24 ln 2 = 16.6355 in float32; the check
allows half a grid step either way.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

GRID_STEP = 0.01
GRID = np.arange(0, 5001) * GRID_STEP  # 0.00, 0.01, ..., 50.00
TOLERANCE = GRID_STEP / 2


@functools.cache
def expected_first_inf(dtype: type) -> float:
    z = GRID.astype(dtype)
    with np.errstate(over="ignore"):
        p = 1 / (1 + np.exp(-z))
    first = int(np.argmax(p == 1))
    assert p[first] == 1 and abs(GRID[first] - (np.finfo(dtype).nmant + 1) * np.log(2)) < 2 * GRID_STEP
    return float(GRID[first])


def student_number(student, name: str) -> float:
    value = student.value(name)
    assert value.size == 1, f"{name} should be a single number; it has shape {value.shape}"
    assert np.isfinite(value).all(), f"{name} is {value.reshape(-1)[0]}; expected a finite logit"
    return float(value.reshape(-1)[0])


@pytest.mark.parametrize("dtype", [pytest.param(np.float64, id="float64"), pytest.param(np.float32, id="float32")])
def test_first_inf_logit(student, dtype):
    """first_inf_logit is where naive_bce(0, z) first becomes inf on the 0.01 grid"""
    name = f"first_inf_logit_{np.dtype(dtype).name}"
    got = student_number(student, name)
    expected = expected_first_inf(dtype)
    if abs(got - expected) <= TOLERANCE:
        return
    hint = ("too small: at that z sigmoid(z) is still below 1 and naive_bce(0, z) is finite" if got < expected
            else "too large: naive_bce(0, z) is already inf at smaller z on the grid")
    raise AssertionError(
        f"{name} = {got:g}, expected {expected:g} (within {TOLERANCE:g}), the first grid z where "
        f"naive_bce(0, z) in {np.dtype(dtype).name} is inf; {hint}"
    )


@pytest.mark.weight(0.5)
def test_float32_breaks_first(student):
    """float32 breaks at a smaller logit than float64"""
    f64 = student_number(student, "first_inf_logit_float64")
    f32 = student_number(student, "first_inf_logit_float32")
    assert f32 < f64, (
        f"first_inf_logit_float32 = {f32:g} is not below first_inf_logit_float64 = {f64:g}; float32 keeps fewer "
        "bits, so its sigmoid rounds to 1 at a smaller z (check that the float32 search really computes in float32)"
    )
