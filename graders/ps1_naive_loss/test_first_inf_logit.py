"""Hidden grader of the test cell test_first_inf_logit: where naive_bce(0, z) first becomes inf.

Consistency grading: the search is judged by the naive_bce it searches, the student's own.  The grader
evaluates their naive_bce(0, grid) in each dtype and takes the first grid point where it is inf
(``own_first_inf``); the reported numbers and ``first_inf_logit(np.float16)`` must land there.  With the
textbook naive_bce that is 36.74 in float64, 16.64 in float32, 7.63 in float16 (the first grid points above
53 ln 2, 24 ln 2 and 11 ln 2; ``expected_first_inf`` computes them, tests/test_first_inf_logit_grid.py checks
that arithmetic); a sigmoid computed in float64 and rounded back moves float16's to 8.32, and a search of
that student's naive_bce that says 8.32 is right.  Where their naive_bce differs from the textbook's, the
message says so, and names naive_bce as the cell to fix.

The notebook asks for a search, not for numbers, and every float type breaks at the same closed form,
ceil(100 ln(2 / eps)) / 100, so float16 alone cannot tell a search from a formula.  ``test_search_calls_naive_bce``
can: it calls first_inf_logit while the notebook's name naive_bce is a stand-in that is inf from z = 3.21 on
(and 100 below), which no formula predicts; a closed form answers 36.74, a search for "loss > 30" 0.0.
A number typed by hand (``first_inf_logit_float64 = 36.74``) earns the points of the reported values, not
those of the search.  A search may return the grid value or its copy in the dtype (16.6399994 in float32,
7.62890625 in float16); the check allows half a grid step either way.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

from course_kit.grading.student_kernel import StudentCodeError

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


# The stand-in naive_bce of test_search_calls_naive_bce: inf from z = 3.21 on (a grid point no threshold
# formula predicts), and finite but large (100) below, so that a search for "loss > 30" finds 0.0, not 3.21.
STAND_IN_AT = 3.21
_NP = "__import__('numpy')"
STAND_IN = (f"(lambda y_true, z: {_NP}.where({_NP}.asarray(z) >= {STAND_IN_AT - GRID_STEP / 2!r}, {_NP}.inf, 100.0)"
            f".astype({_NP}.result_type(y_true, z)))")
# first_inf_logit called while the name naive_bce in its own globals is the stand-in; patch.dict puts the
# notebook's naive_bce back when the call ends, whether it returned or raised.
WITH_STAND_IN = (f"__import__('unittest.mock', fromlist=['patch']).patch.dict(first_inf_logit.__globals__, "
                 f"{{'naive_bce': {STAND_IN}}})(first_inf_logit)")


def own_first_inf(student, dtype: type) -> tuple[float, str]:
    """The first grid value where the student's own naive_bce(0, z) in dtype is inf (nan if none), and a note.

    Consistency grading: first_inf_logit is judged by the naive_bce it searches, the student's, not by the
    textbook's.  If their naive_bce gives nothing usable on the grid, the textbook's value stands, and the note
    says why.
    """
    name = np.dtype(dtype).name
    try:
        loss = student.call("naive_bce", dtype(0), GRID.astype(dtype), what=f"naive_bce(0, grid) in {name}")
    except StudentCodeError as error:
        return expected_first_inf(dtype), f" (your naive_bce gave nothing to search: {error})"
    if loss.shape != GRID.shape:
        return expected_first_inf(dtype), f" (your naive_bce(0, grid) returned shape {loss.shape})"
    inf = np.isinf(loss)
    found = float(GRID[int(np.argmax(inf))]) if inf.any() else float("nan")
    if not found == expected_first_inf(dtype):  # nan != nan: a naive_bce that is never inf is named too
        where = f"first inf at z = {found:g}" if inf.any() else "never inf on the grid"
        return found, (f" (your naive_bce(0, z) in {name} is {where}; the textbook formula's is at "
                       f"{expected_first_inf(dtype):g}: if that is not what you meant, fix naive_bce first)")
    return found, ""


def student_number(value: np.ndarray, name: str) -> float:
    assert value.size == 1, f"{name} should be a single number; it has shape {value.shape}"
    return float(value.reshape(-1)[0])


def assert_found(got: float, expected: float, name: str, dtype: type, note: str) -> None:
    """got is the grid value expected (within half a step), or both are nan (a naive_bce that is never inf)."""
    if abs(got - expected) <= TOLERANCE or (np.isnan(got) and np.isnan(expected)):
        return
    kind = np.dtype(dtype).name
    if np.isnan(expected):
        raise AssertionError(f"{name} = {got:g}, but your naive_bce(0, z) in {kind} is never inf on the grid{note}")
    if not np.isfinite(got):
        raise AssertionError(f"{name} is {got}; expected {expected:g}, the first grid z where your naive_bce(0, z) "
                             f"in {kind} is inf{note}")
    hint = ("too small: naive_bce(0, z) is still finite there" if got < expected
            else "too large: naive_bce(0, z) is already inf at smaller z on the grid")
    raise AssertionError(
        f"{name} = {got:g}, expected {expected:g} (within {TOLERANCE:g}), the first grid z where your "
        f"naive_bce(0, z) in {kind} is inf; {hint}{note}"
    )


@pytest.mark.weight(0.5)
@pytest.mark.parametrize("dtype", [pytest.param(np.float64, id="float64"), pytest.param(np.float32, id="float32")])
def test_first_inf_logit(student, dtype):
    """first_inf_logit is where your naive_bce(0, z) first becomes inf on the 0.01 grid"""
    name = f"first_inf_logit_{np.dtype(dtype).name}"
    got = student_number(student.value(name), name)
    expected, note = own_first_inf(student, dtype)
    assert_found(got, expected, name, dtype, note)


@pytest.mark.weight(0.5)
def test_float32_breaks_first(student):
    """float32 breaks at a smaller logit than float64"""
    f64 = student_number(student.value("first_inf_logit_float64"), "first_inf_logit_float64")
    f32 = student_number(student.value("first_inf_logit_float32"), "first_inf_logit_float32")
    if f32 < f64:
        return
    own64, own32 = own_first_inf(student, np.float64)[0], own_first_inf(student, np.float32)[0]
    textbook = f"the textbook formula's: {expected_first_inf(np.float32):g} and {expected_first_inf(np.float64):g}"
    if own32 < own64:
        cause = "check that the float32 search really computes in float32"
    elif np.isnan(own32) and np.isnan(own64):
        cause = (f"your search calls your naive_bce, which fails its own check: it is never inf on the grid, in "
                 f"either type, so there is nothing to find ({textbook}); fix naive_bce first")
    else:
        cause = (f"your search calls your naive_bce, which fails its own check: its naive_bce(0, z) is first inf "
                 f"at {own32:g} in float32 and {own64:g} in float64 ({textbook}); does naive_bce keep float32?")
    raise AssertionError(
        f"first_inf_logit_float32 = {f32:g} is not below first_inf_logit_float64 = {f64:g}; float32 keeps fewer "
        f"bits, so its sigmoid rounds to 1 at a smaller z ({cause})"
    )


@pytest.mark.weight(1.25)
def test_search_on_another_float_type(student):
    """first_inf_logit(dtype) searches: on float16, a type the notebook never uses, it finds naive_bce's first inf"""
    what = "first_inf_logit(np.float16)"
    # A type cannot cross as an array: pass the kernel's own numpy.float16, named by an expression it evaluates.
    got = student_number(student.call("first_inf_logit", student.ref("__import__('numpy').float16"), what=what), what)
    expected, note = own_first_inf(student, np.float16)
    assert_found(got, expected, what, np.float16, note)


@pytest.mark.weight(1.25)
def test_search_calls_naive_bce(student):
    """first_inf_logit searches with naive_bce: given a naive_bce that turns inf at z = 3.21, it returns 3.21

    No formula predicts 3.21: the grader calls first_inf_logit(np.float64) while the name naive_bce in the
    notebook is a stand-in that returns 100 below 3.21 and inf from there on, then puts the notebook's naive_bce
    back.  A threshold computed in closed form (ceil(100 ln(2 / eps)) / 100, 36.74) or a search for a large
    but finite loss (loss > 30 finds 0.0) does not find it; only a search for inf that calls naive_bce does,
    as the notebook asks ("evaluate naive_bce(0, z) on it").
    """
    what = "first_inf_logit(np.float64) with a stand-in naive_bce that is inf from z = 3.21 on"
    got = student_number(student.call(WITH_STAND_IN, student.ref(f"{_NP}.float64"), what=what), what)
    if abs(got - STAND_IN_AT) <= TOLERANCE:
        return
    why = ("it returned the textbook threshold even so: does it compute the threshold without calling "
           "naive_bce?" if got == pytest.approx(expected_first_inf(np.float64), abs=TOLERANCE) else
           "below 3.21 the stand-in's loss is 100, large but finite: search for the first inf (np.isinf), "
           "not for a large loss" if got < STAND_IN_AT else
           "the search must return the first grid z where naive_bce(0, z) is inf")
    raise AssertionError(f"{what} returned {got:g}, expected {STAND_IN_AT:g}: {why}")
