"""Hidden grader for ``sparse_cce_from_logits(y_true, z)``: -log softmax(z_n)[y_n] per example.

Checks, against 200-bit mpmath references of the exact inputs: the textbook extremes
(logits [1000, 0, -1000] with labels 0 / 1 / 2 give 0 / 1000 / 2000; [1e4, 1e4] and
[-800, -800] give log 2), where -log(softmax(z)[y]) returns nan or inf; random rows with
k = 2, 3, 5, 10 and random integer labels, float64 and float32; integer labels of shape (n,)
(int64 and int32) and a result of shape (n,), also for n = 1 and k = 1; float32 in, float32
out; no floating-point warning under np.errstate(over, invalid, divide = "raise").

Tolerance: |err_n| <= 4 eps (k + max_j |z_nj|), the bound of logsumexp, per example.  Why:
the loss is logsumexp(z) - z_y.  Computed that way it inherits the logsumexp error (about
eps (k + |m|), see test_logsumexp) plus one subtraction, rounded at eps/2 of a result of
size <= |z_y - m| + log k; computed as -log_softmax(z)[y] it has the log_softmax error.  In
all about eps (k + 2 max_j |z_j|); measured worst case on this module's inputs 0.63 eps (k + max_j |z_j|)
for logsumexp(z) - z[y] and -log_softmax(z)[y], 1.71 for np.logaddexp.reduce(z) - z[y].
-log(softmax(z)[y]) is not a correct form: inf where softmax underflows, e.g. label 2 of
[1000, 0, -1000].
"""

from functools import cache

import numpy as np
import pytest

from course_kit.grading import reference
from course_kit.grading.accuracy import assert_same_shape, assert_within, eps

DTYPES = [np.float64, np.float32]
DTYPE_IDS = ["float64", "float32"]
SHAPE_CHECK_RTOL = 1e-6  # the shape checks only make sure the values are not garbage
ROW_SIZES = (2, 3, 5, 10)

# (labels, logits): every label of each textbook row
TEXTBOOK = [
    (np.array([0, 1, 2]), np.array([[1000.0, 0.0, -1000.0]] * 3)),
    (np.array([0, 1, 0, 1]), np.array([[1e4, 1e4], [1e4, 1e4], [-800.0, -800.0], [-800.0, 1e4]])),
]
FP_CASES = {
    np.float64: (np.array([2, 1, 2, 1, 2]), np.array([[1000.0, 0.0, -1000.0], [-800.0, -800.0, -800.0],
                                                       [710.0, 710.0, 0.0], [1e300, -1e300, 0.0], [1e4, 1e4, 1e4]])),
    np.float32: (np.array([2, 1, 2, 1, 2]), np.array([[100.0, 0.0, -100.0], [-120.0, -120.0, -120.0],
                                                       [89.0, 89.0, 0.0], [1e38, -1e38, 0.0], [1e4, 1e4, 1e4]])),
}


def _random_rows(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    scale = 10 ** rng.uniform(-3, 3.5, (n, 1))
    centre = np.where(rng.random((n, 1)) < 0.5, 0.0, 10 ** rng.uniform(0, 4, (n, 1)) * rng.choice([-1, 1], (n, 1)))
    return centre + scale * rng.standard_normal((n, k))


_rng = np.random.default_rng(20240206)
RANDOM_CASES = {k: (_rng.integers(0, k, 50), _random_rows(_rng, 50, k)) for k in ROW_SIZES}


def bound(z: np.ndarray, dtype) -> np.ndarray:
    """4 eps (k + max_j |z_j|), one value per example."""
    z = np.asarray(z, dtype=np.float64)
    return 4 * eps(dtype) * (z.shape[-1] + np.max(np.abs(z), axis=-1))


@cache
def reference_for(kind: str, index: int, dtype_name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    labels, z = TEXTBOOK[index] if kind == "textbook" else RANDOM_CASES[index]
    z = z.astype(dtype_name)
    return labels, z, reference.sparse_cce(labels, z)


def _check(student, kind: str, index: int, dtype, what: str) -> None:
    labels, z, ref = reference_for(kind, index, np.dtype(dtype).name)
    got = student.call("sparse_cce_from_logits", labels, z)
    assert_within(got, ref, bound(z, dtype), f"{what} ({np.dtype(dtype).name})", inputs={"label": labels, "row": z})


def test_textbook_extremes(student):
    """sparse_cce_from_logits gives 0 / 1000 / 2000 for [1000, 0, -1000] and log 2 for [1e4, 1e4] and [-800, -800]"""
    for index in range(len(TEXTBOOK)):
        _check(student, "textbook", index, np.float64, "sparse_cce_from_logits on rows where -log(softmax) overflows")


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_random_rows(student, dtype):
    """sparse_cce_from_logits is within 4 eps (k + max|z|) of the exact loss on random rows, k = 2, 3, 5, 10"""
    for k in ROW_SIZES:
        _check(student, "random", k, dtype, f"sparse_cce_from_logits on random rows, k = {k}")


def test_shapes_and_integer_labels(student):
    """sparse_cce_from_logits takes int64 and int32 labels of shape (n,), returns shape (n,), also n = 1, k = 1"""
    cases = [
        (np.array([3, 0, 2, 1, 3]), np.linspace(-20.0, 20.0, 20).reshape(5, 4)),
        (np.array([3, 0, 2, 1, 3], dtype=np.int32), np.linspace(-20.0, 20.0, 20).reshape(5, 4)),
        (np.array([1]), np.array([[2.0, -3.0]])),
        (np.array([0, 0, 0]), np.array([[5.0], [-5.0], [0.0]])),
    ]
    for labels, z in cases:
        got = student.call("sparse_cce_from_logits", labels, z)
        what = f"sparse_cce_from_logits on {labels.dtype} labels of shape {labels.shape} and logits of shape {z.shape}"
        assert_same_shape(got, labels.shape, what)
        ref = reference.sparse_cce(labels, z)
        assert_within(got, ref, SHAPE_CHECK_RTOL * (1 + np.abs(ref)), f"{what} (values checked loosely, to 1e-6)")


def test_float32_stays_float32(student):
    """sparse_cce_from_logits keeps the dtype of the logits: float32 in, float32 out"""
    for dtype in DTYPES:
        z = np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 5.0]], dtype)
        got = student.call("sparse_cce_from_logits", np.array([2, 0]), z)
        assert got.dtype == dtype, (
            f"sparse_cce_from_logits on {np.dtype(dtype).name} logits returned {got.dtype}, "
            f"expected {np.dtype(dtype).name}"
        )


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_no_floating_point_warning(student, dtype):
    """sparse_cce_from_logits runs with floating-point warnings turned into errors, on rows like [1000, 0, -1000]"""
    labels, z = FP_CASES[dtype]
    z = z.astype(dtype)
    got = student.call("sparse_cce_from_logits", labels, z, fp_errors="raise")
    assert got.shape == labels.shape and np.all(np.isfinite(got)), (
        f"sparse_cce_from_logits under np.errstate(over/invalid/divide='raise') on extreme rows "
        f"({np.dtype(dtype).name}) returned inf or nan, or the wrong shape"
    )
