"""Hidden grader for ``log_softmax(z)`` over the last axis.

Checks, against 200-bit mpmath references of the exact inputs (row tables in conftest.py): the
extreme rows, where log of a (naive or shifted) softmax gives nan or log(0) = -inf
([1000, 0, -1000], [-800, -800], [1e4, 1e4], ...); random rows with k = 2, 3, 10, float64 and
float32; shapes (k,), (n, k), (2, 3, k), k = 1; float32 in, float32 out; no floating-point
warning under np.errstate(over, invalid, divide = "raise").

Tolerance: |err_i| <= 4 eps (k + max_j |z_j|), the bound of logsumexp, per element.  Why:
log_softmax_i = z_i - logsumexp(z).  Computed as (z_i - m) - log s or as z_i - logsumexp(z),
it inherits the logsumexp error (about eps (k + |m|), see test_logsumexp) plus the rounding
of one or two subtractions of size <= |z_i - m| + log k <= 2 max_j |z_j| + log k.  In all
about eps (k + 2 max_j |z_j|); measured worst case on this module's inputs 1.55 eps (k + max_j |z_j|)
for both forms, for z - (scipy-style logsumexp) and for z - np.logaddexp.reduce(z), float64 and
float32.  log(softmax(z)) is not a correct
form: it returns -inf (with a divide warning) wherever softmax underflows, e.g. at
[1000, 0, -1000], where the answer is [0, -1000, -2000].
"""

import numpy as np
import pytest

from course_kit.grading import reference
from course_kit.grading.accuracy import eps

RANDOM_SEED = 20240205
ROW_SIZES = (2, 3, 10)


def bound(z: np.ndarray, ref: np.ndarray, dtype) -> np.ndarray:
    """4 eps (k + max_j |z_j|), the same for every element of a row."""
    z = np.asarray(z, dtype=np.float64)
    row_scale = np.max(np.abs(z), axis=-1, keepdims=True)
    return np.broadcast_to(4 * eps(dtype) * (z.shape[-1] + row_scale), z.shape)


@pytest.fixture
def log_softmax(rowwise):
    return rowwise("log_softmax", reference.log_softmax, reduces_last_axis=False, bound=bound)


def test_extreme_rows(log_softmax, extreme_rows):
    """log_softmax is within 4 eps (k + max|z|) of the exact value on rows like [1000, 0, -1000] and [-800, -800]"""
    log_softmax.within_bound(extreme_rows, np.float64, "log_softmax on rows where softmax overflows or underflows")


def test_random_rows(log_softmax, random_rows, float_dtype):
    """log_softmax is within 4 eps (k + max|z|) of the exact value on random rows, k = 2, 3, 10"""
    log_softmax.within_bound(random_rows, float_dtype, "log_softmax on random rows")


def test_shapes(log_softmax):
    """log_softmax keeps the shape: (k,), (n, k), (2, 3, k), also for k = 1"""
    log_softmax.shapes()


def test_float32_stays_float32(log_softmax):
    """log_softmax keeps the dtype: float32 in, float32 out (and float64 in, float64 out)"""
    log_softmax.keeps_dtype()


def test_no_floating_point_warning(log_softmax, fp_rows, float_dtype):
    """log_softmax is right with floating-point warnings turned into errors, on rows like [1000, 0, -1000]"""
    log_softmax.no_fp_warning(fp_rows[float_dtype])
