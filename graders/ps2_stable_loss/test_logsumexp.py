"""Hidden grader for ``logsumexp(z)``: log(sum_j exp(z_j)) over the last axis.

Checks, against 200-bit mpmath references of the exact inputs: rows where the naive
log(sum(exp(z))) overflows or takes log(0) ([1000, 0, -1000], [-800, -800], [1e4, 1e4], ...);
random rows with k = 2, 3, 10 whose scale runs from 1e-3 to ~3e3 around centres up to 1e4,
float64 and float32; shapes (k,) -> (), (n, k) -> (n,), (2, 3, k) -> (2, 3); float32 in,
float32 out; no floating-point warning under np.errstate(over, invalid, divide = "raise").

Tolerance: |err| <= 4 eps (k + max_j |z_j|) per row.  Why: with m = max_j z_j and
s = sum_j exp(z_j - m) in [1, k], a shifted computation rounds each z_j - m (error
eps/2 |z_j - m|, weighted in s by exp(z_j - m) <= 1, so at most ~eps), each exp and each
addition (together <= k eps relative in s, hence <= k eps absolute in log s), and finally
m + log s (eps/2 |m| + eps log k).  In all about eps (k + max_j |z_j|); measured worst case on
this module's inputs, float64 and float32: 0.78 of that for m + log(sum exp(z - m)) and for the
scipy-style m + log1p(sum of the non-maximal terms), 1.31 for np.logaddexp.reduce (which
rounds at |m| once per term).  The naive log(sum(exp(z))) is accurate
while every exp(z_j) is a normal float, and fails on the extreme rows: inf once a logit exceeds
709.8 (float32: 88.7), -inf once all are below -745 (float32: -104), lost digits when the
largest exp(z_j) is subnormal.
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


_rng = np.random.default_rng(20240203)
RANDOM_ROWS = {k: _random_rows(_rng, 50, k) for k in ROW_SIZES}


def bound(z: np.ndarray, dtype) -> np.ndarray:
    """4 eps (k + max_j |z_j|), one value per row."""
    z = np.asarray(z, dtype=np.float64)
    return 4 * eps(dtype) * (z.shape[-1] + np.max(np.abs(z), axis=-1))


@cache
def reference_for(kind: str, k: int, dtype_name: str) -> tuple[np.ndarray, np.ndarray]:
    z = (EXTREME_ROWS if kind == "extreme" else RANDOM_ROWS)[k].astype(dtype_name)
    return z, reference.logsumexp(z)


def _check(student, kind: str, k: int, dtype, what: str) -> None:
    z, ref = reference_for(kind, k, np.dtype(dtype).name)
    got = student.call("logsumexp", z)
    assert_within(got, ref, bound(z, dtype), f"{what} (k = {k}, {np.dtype(dtype).name})", inputs={"row": z})


def test_extreme_rows(student):
    """logsumexp is within 4 eps (k + max|z|) of the exact value on rows like [1000, 0, -1000] and [-800, -800]"""
    for k in EXTREME_ROWS:
        _check(student, "extreme", k, np.float64, "logsumexp on rows where the naive formula overflows")


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_random_rows(student, dtype):
    """logsumexp is within 4 eps (k + max|z|) of the exact value on random rows, k = 2, 3, 10"""
    for k in ROW_SIZES:
        _check(student, "random", k, dtype, "logsumexp on random rows")


def test_shapes(student):
    """logsumexp reduces the last axis: (k,) -> (), (n, k) -> (n,), (2, 3, k) -> (2, 3), also for k = 1"""
    for shape in [(4,), (5, 4), (2, 3, 4), (6, 1)]:
        z = np.linspace(-30.0, 30.0, int(np.prod(shape))).reshape(shape)
        got = student.call("logsumexp", z)
        ref = reference.logsumexp(z)
        assert_same_shape(got, ref.shape, f"logsumexp on an input of shape {shape}")
        assert_within(got, ref, SHAPE_CHECK_RTOL * (1 + np.abs(ref)), f"logsumexp on an input of shape {shape} "
                      f"(values checked loosely, to {SHAPE_CHECK_RTOL:g})")


def test_float32_stays_float32(student):
    """logsumexp keeps the dtype: float32 in, float32 out (and float64 in, float64 out)"""
    for dtype in DTYPES:
        got = student.call("logsumexp", np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 5.0]], dtype))
        assert got.dtype == dtype, (
            f"logsumexp on {np.dtype(dtype).name} logits returned {got.dtype}, expected {np.dtype(dtype).name}"
        )


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_no_floating_point_warning(student, dtype):
    """logsumexp runs with floating-point warnings turned into errors, on rows like [1000, 0, -1000]"""
    z = FP_ROWS[dtype].astype(dtype)
    got = student.call("logsumexp", z, fp_errors="raise")
    assert got.shape == z.shape[:-1] and np.all(np.isfinite(got)), (
        f"logsumexp under np.errstate(over/invalid/divide='raise') on extreme rows ({np.dtype(dtype).name}) "
        "returned inf or nan, or the wrong shape"
    )
