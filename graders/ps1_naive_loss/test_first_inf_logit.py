"""Hidden grader of the test cell test_first_inf_logit: where naive_bce(0, z) first becomes inf.

The notebook asks for a search, not for two numbers.  So besides the two numbers the student reports,
the grader runs the student's search, ``first_inf_logit(dtype)``, on a float type the notebook never
names: float16, where sigmoid rounds to exactly 1 from about 11 ln 2 = 7.62 (float16 keeps 11
significant bits).  A number typed by hand (``first_inf_logit_float64 = 36.74``) earns the points of the
reported values, not those of the search.

The expected values come from the grader's own search on the same 0.01 grid: naive_bce(0, z) is inf exactly
where sigmoid(z) rounds to 1 (then log(1 - p) = log 0), so the grader looks for the first grid point where
1 / (1 + exp(-z)), evaluated by numpy in the dtype, equals 1: 36.74 in float64, 16.64 in float32, 7.63 in
float16 (the first grid points above 53 ln 2, 24 ln 2 and 11 ln 2; tests/test_first_inf_logit_grid.py
checks that arithmetic).  A search may return the grid value or its copy in the dtype (16.6399994 in
float32, 7.62890625 in float16); the check allows half a grid step either way.
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
    """The first grid value where sigmoid(z), computed in dtype, is exactly 1 (nan if none)."""
    z = GRID.astype(dtype)
    with np.errstate(over="ignore"):
        p = 1 / (1 + np.exp(-z))
    rounds_to_one = p == 1
    return float(GRID[int(np.argmax(rounds_to_one))]) if rounds_to_one.any() else float("nan")


def student_number(student, name: str) -> float:
    value = student.value(name)
    assert value.size == 1, f"{name} should be a single number; it has shape {value.shape}"
    assert np.isfinite(value).all(), f"{name} is {value.reshape(-1)[0]}; expected a finite logit"
    return float(value.reshape(-1)[0])


def assert_found(got: float, dtype: type, name: str) -> None:
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
@pytest.mark.parametrize("dtype", [pytest.param(np.float64, id="float64"), pytest.param(np.float32, id="float32")])
def test_first_inf_logit(student, dtype):
    """first_inf_logit is where naive_bce(0, z) first becomes inf on the 0.01 grid"""
    name = f"first_inf_logit_{np.dtype(dtype).name}"
    assert_found(student_number(student, name), dtype, name)


@pytest.mark.weight(0.5)
def test_float32_breaks_first(student):
    """float32 breaks at a smaller logit than float64"""
    f64 = student_number(student, "first_inf_logit_float64")
    f32 = student_number(student, "first_inf_logit_float32")
    assert f32 < f64, (
        f"first_inf_logit_float32 = {f32:g} is not below first_inf_logit_float64 = {f64:g}; float32 keeps fewer "
        "bits, so its sigmoid rounds to 1 at a smaller z (check that the float32 search really computes in float32)"
    )


@pytest.mark.weight(2.5)
def test_search_on_another_float_type(student):
    """first_inf_logit(dtype) searches: on float16, a type the notebook never uses, it finds the first inf too"""
    what = "first_inf_logit(np.float16)"
    # A type cannot cross as an array: pass the kernel's own numpy.float16, named by an expression it evaluates.
    got = student.call("first_inf_logit", student.ref("__import__('numpy').float16"), what=what)
    assert got.size == 1, f"{what} should return a single number; it returned shape {got.shape}"
    value = float(got.reshape(-1)[0])
    assert np.isfinite(value), (
        f"{what} returned {value}; float16 keeps 11 significant bits, so naive_bce(0, z) becomes inf near "
        "11 ln 2 = 7.62 (does the search compute naive_bce in the dtype it is given?)"
    )
    assert_found(value, np.float16, what)
