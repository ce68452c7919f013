"""Hidden row tables and row-wise contract checks shared by the ps2 graders of functions of logits.

logsumexp, softmax, log_softmax and sparse_cce_from_logits all take logits z of shape (..., k)
and work along the last axis.  Their graders try them on the same kinds of rows, defined here once:

- ``extreme_rows``: float64 rows, k = 3 and k = 2, on which the naive formulas break: a logit
  above 709.8, so that exp overflows ([1000, 0, -1000], [1e4, 1e4, 1e4], [709.8, 709.8, 0]);
  every logit below -745, so that every exp underflows to 0 ([-800, -800, -800], [-1e4, -1e4]);
  a largest exp that is subnormal ([-745.5, -740, -750]); and ordinary rows any formula must
  keep right ([0, 0, 0], [1e-300, -1e-300, 0], [40, 37, 17]).
- ``random_rows``: 50 rows per row size k, from the seed and row sizes the grader module sets in
  ``RANDOM_SEED`` and ``ROW_SIZES``.  Each row is centre + scale * N(0, 1), with scale = 10^u,
  u uniform in [-3, 3.5] (1e-3 to ~3e3), and centre 0 for half of the rows, +-10^v with v uniform
  in [0, 4] (up to 1e4) for the other half.  ``random_cases``, for losses that take labels, draws
  from the same generator 50 integer labels in [0, k) just before the rows of each size k.
- ``fp_rows``: per dtype, rows at that dtype's limits (float64: |z| up to 1e300, float32: up to
  1e38), on which a formula that exponentiates a positive number overflows, and one that takes
  the log of an underflowed sum, or divides by it, raises once warnings are errors.

The graders compare with 200-bit mpmath references of the exact inputs (``exact_reference``),
computed once per process per input array: the cache lives in this module, which pytest (with
--import-mode=importlib, as the autograder runs it) imports once per process.

``rowwise`` wraps one of the student's functions in the checks the four graders share: accuracy
on a row table within the module's bound, shapes, dtype kept, no floating-point warning.  Each
grader module keeps its own test functions (one per check, named by the first line of its
docstring) and its own tolerance, whose derivation is in the module's docstring.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from course_kit.grading.accuracy import assert_same_shape, assert_within
from course_kit.grading.student_kernel import StudentKernel

DTYPES = (np.float64, np.float32)
DTYPE_IDS = ("float64", "float32")
ROWS_PER_SIZE = 50
SHAPE_CHECK_SHAPES = [(4,), (5, 4), (2, 3, 4), (6, 1)]
SHAPE_CHECK_RTOL = 1e-6  # the shape checks only make sure the values are not garbage
DTYPE_CHECK_ROWS = [[1.0, 2.0, 3.0], [0.0, -1.0, 5.0]]

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

Bound = Callable[[np.ndarray, np.ndarray, type], np.ndarray]  # (z, reference, dtype) -> allowed |error|
RowTable = dict[int, np.ndarray]  # row size k -> rows of shape (n, k)


def _read_only(*arrays: np.ndarray) -> None:
    for array in arrays:
        array.flags.writeable = False


for _rows in [*EXTREME_ROWS.values(), *FP_ROWS.values()]:
    _read_only(_rows)


def draw_rows(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    """n random rows of k logits: centre + scale * N(0, 1), see the module docstring."""
    scale = 10 ** rng.uniform(-3, 3.5, (n, 1))
    centre = np.where(rng.random((n, 1)) < 0.5, 0.0, 10 ** rng.uniform(0, 4, (n, 1)) * rng.choice([-1, 1], (n, 1)))
    return centre + scale * rng.standard_normal((n, k))


_RANDOM_TABLES: dict[tuple, dict] = {}


def random_table(seed: int, row_sizes: tuple[int, ...], labelled: bool = False) -> dict:
    """k -> rows, or k -> (labels, rows), drawn from one generator in the order of row_sizes; cached."""
    key = (seed, tuple(row_sizes), labelled)
    if key not in _RANDOM_TABLES:
        rng = np.random.default_rng(seed)
        table = {}
        for k in row_sizes:
            labels = rng.integers(0, k, ROWS_PER_SIZE) if labelled else None  # drawn before the rows
            rows = draw_rows(rng, ROWS_PER_SIZE, k)
            _read_only(rows)
            if labelled:
                _read_only(labels)
            table[k] = (labels, rows) if labelled else rows
        _RANDOM_TABLES[key] = table
    return _RANDOM_TABLES[key]


_REFERENCES: dict[tuple, np.ndarray] = {}


def _exact_reference(reference_fn: Callable[..., np.ndarray], *inputs: np.ndarray) -> np.ndarray:
    """reference_fn(*inputs), computed once per process for each exact input (dtype, shape and bits)."""
    key = (reference_fn, *((a.dtype.str, a.shape, a.tobytes()) for a in map(np.asarray, inputs)))
    if key not in _REFERENCES:
        ref = np.asarray(reference_fn(*inputs))
        _read_only(ref)
        _REFERENCES[key] = ref
    return _REFERENCES[key]


@pytest.fixture(scope="session")
def exact_reference() -> Callable[..., np.ndarray]:
    """exact_reference(reference_fn, *inputs): the 200-bit reference at these exact inputs, cached per process."""
    return _exact_reference


@pytest.fixture(scope="session")
def extreme_rows() -> RowTable:
    """k -> float64 rows on which the naive formulas overflow, underflow or lose digits (k = 3, 2)."""
    return EXTREME_ROWS


@pytest.fixture(scope="module")
def random_rows(request: pytest.FixtureRequest) -> RowTable:
    """k -> 50 random float64 rows, for the module's RANDOM_SEED and ROW_SIZES."""
    return random_table(request.module.RANDOM_SEED, request.module.ROW_SIZES)


@pytest.fixture(scope="module")
def random_cases(request: pytest.FixtureRequest) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """k -> (50 integer labels in [0, k), 50 random float64 rows), for the module's RANDOM_SEED and ROW_SIZES."""
    return random_table(request.module.RANDOM_SEED, request.module.ROW_SIZES, labelled=True)


@pytest.fixture(scope="session")
def fp_rows() -> dict[type, np.ndarray]:
    """dtype -> rows at that dtype's limits, already in that dtype."""
    return {dtype: rows.astype(dtype) for dtype, rows in FP_ROWS.items()}


@pytest.fixture(params=DTYPES, ids=DTYPE_IDS)
def float_dtype(request: pytest.FixtureRequest) -> type:
    """Runs the test once per floating dtype, reported as [float64] and [float32]."""
    return request.param


class RowwiseFunction:
    """One of the student's functions of logits z of shape (..., k), seen through the checks the graders share.

    ``reduces_last_axis``: the result has shape (...) (one value per row, like logsumexp) rather
    than the shape of z (like softmax).  ``bound(z, ref, dtype)`` is the module's tolerance, needed
    by ``within_bound`` only.  Every check raises AssertionError (or StudentCodeError) with a
    message written for the student.
    """

    def __init__(
        self, student: StudentKernel, name: str, reference_fn: Callable[..., np.ndarray], *,
        reduces_last_axis: bool, bound: Bound | None = None,
    ) -> None:
        self.student = student
        self.name = name
        self.reference_fn = reference_fn
        self.reduces_last_axis = reduces_last_axis
        self.bound = bound

    def reference(self, rows: np.ndarray, dtype: type) -> tuple[np.ndarray, np.ndarray]:
        """The rows in dtype, and the exact value of the function there."""
        z = rows.astype(dtype)
        return z, _exact_reference(self.reference_fn, z)

    def _where(self, z: np.ndarray) -> dict[str, np.ndarray]:
        """How a failure message locates the worst element: by its row, or by z_i and its row's max."""
        if self.reduces_last_axis:
            return {"row": z}
        return {"z_i": z, "max of the row": np.broadcast_to(np.max(z, axis=-1, keepdims=True), z.shape)}

    def within_bound(self, table: RowTable, dtype: type, what: str) -> None:
        """Within the module's bound of the exact value on every row of the table, cast to dtype."""
        for k, rows in table.items():
            z, ref = self.reference(rows, dtype)
            got = self._call(z, None)
            assert_within(got, ref, self.bound(z, ref, dtype), f"{what} (k = {k}, {np.dtype(dtype).name})",
                          inputs=self._where(z))

    def shapes(self, relative: bool = False) -> None:
        """Right shape for (k,), (n, k), (2, 3, k) and k = 1, values right to SHAPE_CHECK_RTOL.

        ``relative``: the values are checked relative to the reference (for results in (0, 1]),
        otherwise relative to 1 + |reference|.
        """
        for shape in SHAPE_CHECK_SHAPES:
            z = np.linspace(-30.0, 30.0, int(np.prod(shape))).reshape(shape)
            ref = _exact_reference(self.reference_fn, z)
            got = self._call(z, None)
            what = f"{self.name} on an input of shape {shape}"
            assert_same_shape(got, ref.shape, what)
            if relative:
                allowed, loosely = SHAPE_CHECK_RTOL * (1e-300 + ref), f"to {SHAPE_CHECK_RTOL:g} relative"
            else:
                allowed, loosely = SHAPE_CHECK_RTOL * (1 + np.abs(ref)), f"to {SHAPE_CHECK_RTOL:g}"
            assert_within(got, ref, allowed, f"{what} (values checked loosely, {loosely})")

    def _call(self, z: np.ndarray, labels: np.ndarray | None, **options) -> np.ndarray:
        args = (z,) if labels is None else (labels, z)
        return self.student.call(self.name, *args, **options)

    def keeps_dtype(self, labels: np.ndarray | None = None) -> None:
        """float32 logits in, float32 out; float64 in, float64 out.  ``labels``, if given, go before the logits."""
        for dtype in DTYPES:
            got = self._call(np.array(DTYPE_CHECK_ROWS, dtype), labels)
            assert got.dtype == dtype, (
                f"{self.name} on {np.dtype(dtype).name} logits returned {got.dtype}, expected {np.dtype(dtype).name}"
            )

    def no_fp_warning(self, z: np.ndarray, labels: np.ndarray | None = None) -> None:
        """Right results (within the module's bound) on rows z under np.errstate(over, invalid, divide = "raise").

        Right, not merely finite: the warnings are checked in the student's kernel, where code can silence
        them (np.errstate(all="ignore"), nan_to_num), so this check pays only for code that needs no silencing.
        """
        got = self._call(z, labels, fp_errors="raise")
        expected_shape = z.shape[:-1] if self.reduces_last_axis else z.shape
        assert got.shape == expected_shape and np.all(np.isfinite(got)), (
            f"{self.name} under np.errstate(over/invalid/divide='raise') on extreme rows ({z.dtype.name}) "
            "returned inf or nan, or the wrong shape"
        )
        ref = _exact_reference(self.reference_fn, *((z,) if labels is None else (labels, z)))
        where = self._where(z) if labels is None else {"label": labels, "row": z}
        assert_within(got, ref, self.bound(z, ref, z.dtype.type),
                      f"{self.name} on extreme rows ({z.dtype.name}): no warning, but wrong values there "
                      "(a silenced warning is not a fixed formula)", inputs=where)


@pytest.fixture
def rowwise(student: StudentKernel) -> Callable[..., RowwiseFunction]:
    """rowwise(name, reference_fn, reduces_last_axis=..., bound=...): the student's function name, to check."""

    def wrap(
        name: str, reference_fn: Callable[..., np.ndarray], *, reduces_last_axis: bool, bound: Bound | None = None
    ) -> RowwiseFunction:
        return RowwiseFunction(student, name, reference_fn, reduces_last_axis=reduces_last_axis, bound=bound)

    return wrap
