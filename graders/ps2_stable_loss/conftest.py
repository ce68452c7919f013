"""Hidden row tables and row-wise contract checks shared by the ps2 graders of functions of logits.

logsumexp, softmax, log_softmax and sparse_cce_from_logits all take logits z of shape (..., k)
and work along the last axis.  Their graders try them on the same kinds of rows, defined here once:

- ``extreme_rows``: float64 rows, k = 3 and k = 2, on which the naive formulas break: a logit
  above 709.8, so that exp overflows ([1000, 0, -1000], [1e4, 1e4, 1e4], [709.8, 709.8, 0]);
  every logit below -745, so that every exp underflows to 0 ([-800, -800, -800], [-1e4, -1e4]);
  a largest exp that is subnormal ([-745.5, -740, -750]); and ordinary rows any formula must
  keep right ([0, 0, 0], [1e-300, -1e-300, 0], [40, 37, 17]).
- ``random_rows``: 50 rows per row size k (the sizes the grader module sets in ``ROW_SIZES``), drawn
  for the student being graded (the kit's ``hidden_seed``: the grader module's seed for this
  student, so that rows one student sees are of no use to another).  Each row is centre + scale *
  N(0, 1), with scale = 10^u, u in [-3, 3.5] (1e-3 to ~3e3), and centre 0 for half of the rows,
  +-10^v with v in [0, 4] (up to 1e4) for the other half.  u and v are stratified (one value in each
  of equal slices of their range, in random order), so that every student's table spans the same
  ranges: a formula that breaks on large logits meets them in every draw, and a sample's score
  does not depend on whose rows it got.  ``random_cases``, for losses that take labels, draws from
  the same generator 50 integer labels in [0, k) just before the rows of each size k.
- ``fp_rows``: per dtype, rows at that dtype's limits (float64: |z| up to 1e300, float32: up to
  1e38), on which a formula that exponentiates a positive number overflows, and one that takes
  the log of an underflowed sum, or divides by it, raises once warnings are errors.

The graders compare with 200-bit mpmath references of the exact inputs (``course_numerics.reference``,
whose functions remember recent inputs: one cache for every grader).  ``rowwise`` wraps one of the
student's functions in the checks the four graders share (``course_numerics.rowwise``): accuracy on
a row table within the module's bound, shapes, dtype kept, no floating-point warning.  Each grader
module keeps its own tolerance, whose derivation is in the module's docstring.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import numpy as np
import pytest

from course_kit.grading.student_kernel import StudentKernel
from course_numerics.rowwise import DTYPES, Bound, RowTable, RowwiseFunction

DTYPE_IDS = ("float64", "float32")
ROWS_PER_SIZE = 50

EXTREME_ROWS = {
    3: np.array([
        [1000.0, 0.0, -1000.0], [-800.0, -800.0, -800.0], [1e4, 1e4, 1e4], [709.8, 709.8, 0.0],
        [-1e4, 1e4, 0.0], [-745.5, -740.0, -750.0], [0.0, 0.0, 0.0], [1e-300, -1e-300, 0.0],
        [40.0, 37.0, 17.0], [-1e4, -1e4, 1.0 - 1e4],
    ]),
    2: np.array([[1e4, 1e4], [-800.0, -800.0], [1000.0, -1000.0], [-1e4, -1e4]]),
}
FP_ROWS = {
    np.float64: np.array([[1000.0, 0.0, -1000.0], [-800.0, -800.0, -800.0], [710.0, 710.0, 0.0],
                          [1e300, -1e300, 0.0], [-1e300, -1e300, -1e300]]),
    np.float32: np.array([[100.0, 0.0, -100.0], [-120.0, -120.0, -120.0], [89.0, 89.0, 0.0],
                          [1e38, -1e38, 0.0], [-1e38, -1e38, -1e38]]),
}


def _read_only(*arrays: np.ndarray) -> None:
    for array in arrays:
        array.flags.writeable = False


for _rows in [*EXTREME_ROWS.values(), *FP_ROWS.values()]:
    _read_only(_rows)


def stratified(rng: np.random.Generator, n: int, low: float, high: float) -> np.ndarray:
    """n numbers in [low, high], one uniform in each of n equal slices, in random order."""
    return low + (high - low) * (rng.permutation(n) + rng.random(n)) / n


def draw_rows(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    """n random rows of k logits: centre + scale * N(0, 1), see the module docstring (n even)."""
    scale = 10 ** stratified(rng, n, -3, 3.5)[:, None]
    half = n // 2
    sign = rng.permutation(np.resize([-1.0, 1.0], half))
    offset = np.concatenate([np.zeros(n - half), 10 ** stratified(rng, half, 0, 4) * sign])
    centre = rng.permutation(offset)[:, None]
    return centre + scale * rng.standard_normal((n, k))


@lru_cache(maxsize=16)  # a few students' tables: a grading worker grades one student after another
def random_table(seed: int, row_sizes: tuple[int, ...], labelled: bool = False) -> dict:
    """k -> rows, or k -> (labels, rows), drawn from one generator in the order of row_sizes; cached."""
    rng = np.random.default_rng(seed)
    table = {}
    for k in row_sizes:
        labels = rng.integers(0, k, ROWS_PER_SIZE) if labelled else None  # drawn before the rows
        rows = draw_rows(rng, ROWS_PER_SIZE, k)
        _read_only(rows)
        if labelled:
            _read_only(labels)
        table[k] = (labels, rows) if labelled else rows
    return table


@pytest.fixture(scope="session")
def extreme_rows() -> RowTable:
    """k -> float64 rows on which the naive formulas overflow, underflow or lose digits (k = 3, 2)."""
    return EXTREME_ROWS


@pytest.fixture(scope="module")
def random_rows(request: pytest.FixtureRequest, hidden_seed: int) -> RowTable:
    """k -> 50 random float64 rows, for the module's ROW_SIZES, drawn for the student being graded."""
    return random_table(hidden_seed, tuple(request.module.ROW_SIZES))


@pytest.fixture(scope="module")
def random_cases(request: pytest.FixtureRequest, hidden_seed: int) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """k -> (50 integer labels in [0, k), 50 random float64 rows), for the module's ROW_SIZES, for this student."""
    return random_table(hidden_seed, tuple(request.module.ROW_SIZES), labelled=True)


@pytest.fixture(scope="session")
def fp_rows() -> dict[type, np.ndarray]:
    """dtype -> rows at that dtype's limits, already in that dtype."""
    return {dtype: rows.astype(dtype) for dtype, rows in FP_ROWS.items()}


@pytest.fixture(params=DTYPES, ids=DTYPE_IDS)
def float_dtype(request: pytest.FixtureRequest) -> type:
    """Runs the test once per floating dtype, reported as [float64] and [float32]."""
    return request.param


@pytest.fixture
def rowwise(student: StudentKernel) -> Callable[..., RowwiseFunction]:
    """rowwise(name, reference_fn, reduces_last_axis=..., bound=...): the student's function name, to check."""

    def wrap(
        name: str, reference_fn: Callable[..., np.ndarray], *, reduces_last_axis: bool, bound: Bound | None = None
    ) -> RowwiseFunction:
        return RowwiseFunction(student, name, reference_fn, reduces_last_axis=reduces_last_axis, bound=bound)

    return wrap
