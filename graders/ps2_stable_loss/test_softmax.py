"""Hidden grader for ``softmax(z)`` over the last axis.

Checks, against 200-bit mpmath references of the exact inputs: rows where the naive
exp(z) / sum(exp(z)) gives inf/inf or 0/0 ([1000, 0, -1000], [-800, -800], [1e4, 1e4], ...);
random rows with k = 2, 3, 10 whose scale runs from 1e-3 to ~3e3 around centres up to 1e4,
float64 and float32; rows sum to 1; shapes (k,), (n, k), (2, 3, k), k = 1; float32 in,
float32 out; no floating-point warning under np.errstate(over, invalid, divide = "raise").

Tolerance, per element: |err_i| <= 4 eps (k + |z_i - m| + |m|) softmax_i + tiny, with
m = max_j z_j and tiny the smallest normal number of the dtype.  Why: every correct form
computes softmax_i = exp(x_i) for some computed exponent x_i ~ z_i - logsumexp(z), and exp
turns an absolute error d in x_i into a relative error d in the result.  Shifting rounds
z_i - m (eps/2 |z_i - m|); the normaliser adds about k eps (the sum of k terms in [0, 1], or
log of it); exp and the division add about eps.  A student who writes exp(z - logsumexp(z))
also rounds logsumexp(z) itself at eps/2 |m|, hence the |m| term (without it that form fails
by a factor of 1000 on rows centred at 1e4).  Below the smallest normal number only absolute
accuracy is possible (subnormal results), hence + tiny.  Measured worst cases on this module's
inputs, in units of the bound without the factor 4: 0.49 for exp(z - m) / sum, 0.66 for
exp(z - logsumexp(z)) and for exp(log_softmax(z)).  (1 / sum_j exp(z_j - z_i) is within the
bound too, but exponentiates positive numbers and fails the no-warning check.)  The naive form
is accurate while every exp(z_j) is a normal float, and fails on the extreme rows: nan from
inf/inf once a logit exceeds 709.8 (float32: 88.7), nan from 0/0 once all are below -745
(float32: -104), lost digits when the largest exp(z_j) is subnormal.
"""

from functools import cache

import numpy as np
import pytest

from course_kit.grading import reference
from course_kit.grading.accuracy import assert_same_shape, assert_within, eps

DTYPES = [np.float64, np.float32]
DTYPE_IDS = ["float64", "float32"]
SHAPE_CHECK_RTOL = 1e-6  # the shape checks only make sure the values are not garbage
ROW_SIZES = (2, 3, 10)

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


def _random_rows(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    scale = 10 ** rng.uniform(-3, 3.5, (n, 1))
    centre = np.where(rng.random((n, 1)) < 0.5, 0.0, 10 ** rng.uniform(0, 4, (n, 1)) * rng.choice([-1, 1], (n, 1)))
    return centre + scale * rng.standard_normal((n, k))


_rng = np.random.default_rng(20240204)
RANDOM_ROWS = {k: _random_rows(_rng, 50, k) for k in ROW_SIZES}


def bound(z: np.ndarray, ref: np.ndarray, dtype) -> np.ndarray:
    """4 eps (k + |z_i - m| + |m|) softmax_i + tiny, elementwise."""
    z = np.asarray(z, dtype=np.float64)
    m = np.max(z, axis=-1, keepdims=True)
    return 4 * eps(dtype) * (z.shape[-1] + np.abs(z - m) + np.abs(m)) * ref + float(np.finfo(dtype).tiny)


def _inputs(z: np.ndarray) -> dict[str, np.ndarray]:
    return {"z_i": z, "max of the row": np.broadcast_to(np.max(z, axis=-1, keepdims=True), z.shape)}


@cache
def reference_for(kind: str, k: int, dtype_name: str) -> tuple[np.ndarray, np.ndarray]:
    z = (EXTREME_ROWS if kind == "extreme" else RANDOM_ROWS)[k].astype(dtype_name)
    return z, reference.softmax(z)


def _check(student, kind: str, k: int, dtype, what: str) -> None:
    z, ref = reference_for(kind, k, np.dtype(dtype).name)
    got = student.call("softmax", z)
    assert_within(got, ref, bound(z, ref, dtype), f"{what} (k = {k}, {np.dtype(dtype).name})", inputs=_inputs(z))


def test_extreme_rows(student):
    """softmax is within 4 eps (k + |z_i - m| + |m|) softmax_i of the exact value on rows like [1000, 0, -1000]"""
    for k in EXTREME_ROWS:
        _check(student, "extreme", k, np.float64, "softmax on rows where the naive formula gives inf/inf or 0/0")


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_random_rows(student, dtype):
    """softmax is within 4 eps (k + |z_i - m| + |m|) softmax_i of the exact value on random rows, k = 2, 3, 10"""
    for k in ROW_SIZES:
        _check(student, "random", k, dtype, "softmax on random rows")


def test_rows_sum_to_one(student):
    """softmax rows sum to 1 (within the rounding the elementwise tolerance allows)"""
    for kind, rows in [("extreme", EXTREME_ROWS), ("random", RANDOM_ROWS)]:
        for k in rows:
            z, ref = reference_for(kind, k, "float64")
            got = student.call("softmax", z)
            assert got.shape == z.shape, (
                f"softmax on {kind} rows (k = {k}): returned shape {got.shape}, expected {z.shape}"
            )
            total = np.sum(got.astype(np.float64), axis=-1)
            allowed = np.sum(bound(z, ref, np.float64), axis=-1) + k * eps(np.float64)
            assert_within(total, np.ones(len(z)), allowed, f"sum of each softmax row, {kind} rows (k = {k})",
                          inputs={"row": z})


def test_shapes(student):
    """softmax keeps the shape: (k,), (n, k), (2, 3, k), also for k = 1"""
    for shape in [(4,), (5, 4), (2, 3, 4), (6, 1)]:
        z = np.linspace(-30.0, 30.0, int(np.prod(shape))).reshape(shape)
        ref = reference.softmax(z)
        got = student.call("softmax", z)
        assert_same_shape(got, ref.shape, f"softmax on an input of shape {shape}")
        assert_within(got, ref, SHAPE_CHECK_RTOL * (1e-300 + ref), f"softmax on an input of shape {shape} "
                      f"(values checked loosely, to {SHAPE_CHECK_RTOL:g} relative)")


def test_float32_stays_float32(student):
    """softmax keeps the dtype: float32 in, float32 out (and float64 in, float64 out)"""
    for dtype in DTYPES:
        got = student.call("softmax", np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 5.0]], dtype))
        assert got.dtype == dtype, (
            f"softmax on {np.dtype(dtype).name} logits returned {got.dtype}, expected {np.dtype(dtype).name}"
        )


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_no_floating_point_warning(student, dtype):
    """softmax runs with floating-point warnings turned into errors, on rows like [1000, 0, -1000] and [-800, -800]"""
    z = FP_ROWS[dtype].astype(dtype)
    got = student.call("softmax", z, fp_errors="raise")
    assert got.shape == z.shape and np.all(np.isfinite(got)), (
        f"softmax under np.errstate(over/invalid/divide='raise') on extreme rows ({np.dtype(dtype).name}) "
        "returned inf or nan, or the wrong shape"
    )
