"""Hidden grader for ``sparse_cce_from_logits(y_true, z)``: -log softmax(z_n)[y_n] per example.

Checks, against 200-bit mpmath references of the exact inputs: the textbook extremes
(logits [1000, 0, -1000] with labels 0 / 1 / 2 give 0 / 1000 / 2000; [1e4, 1e4] and
[-800, -800] give log 2), where -log(softmax(z)[y]) returns nan or inf; random rows with
k = 2, 3, 5, 10 and random integer labels (conftest.py), float64 and float32; integer labels of shape (n,)
(int64 and int32) and a result of shape (n,), also for n = 1 and k = 1; float32 in, float32
out; no floating-point warning under np.errstate(over, invalid, divide = "raise").

Tolerance: |err_n| <= 4 eps (k + max_j |z_nj|), the bound of logsumexp (``tolerances.LOGSUMEXP``), per
example.  Why:
the loss is logsumexp(z) - z_y.  Computed that way it inherits the logsumexp error (about
eps (k + |m|), see test_logsumexp) plus one subtraction, rounded at eps/2 of a result of
size <= |z_y - m| + log k; computed as -log_softmax(z)[y] it has the log_softmax error.  In
all about eps (k + 2 max_j |z_j|); measured worst case on this module's inputs 0.63 eps (k + max_j |z_j|)
for logsumexp(z) - z[y] and -log_softmax(z)[y], 1.71 for np.logaddexp.reduce(z) - z[y].
-log(softmax(z)[y]) is not a correct form: inf where softmax underflows, e.g. label 2 of
[1000, 0, -1000].

The feedback's figure (on the textbook extremes) draws the loss of label 0 on the public rows [t, 0, -t]
(``rowwise.FIGURE_T``): -log(softmax(z)[y]) turns inf from t < -372, where softmax(z)[0] underflows.
"""

import numpy as np
import pytest

from course_kit.grading.accuracy import assert_same_shape
from course_kit.grading.student_kernel import in_order
from course_numerics import reference
from course_numerics.figures import answer, curves
from course_numerics.mistakes import assert_within_named
from course_numerics.rowwise import FIGURE_T, figure_rows
from course_numerics.tolerances import LOGSUMEXP, logsumexp_bound, shown_as

ROW_SIZES = (2, 3, 5, 10)
SHAPE_CHECK_RTOL = 1e-6  # the shape checks only make sure the values are not garbage

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


@pytest.fixture
def sparse_cce(rowwise):
    return rowwise("sparse_cce_from_logits", reference.sparse_cce, reduces_last_axis=True,
                   bound=lambda z, ref, dtype: logsumexp_bound(z, dtype))


def _check(student, cases: list[tuple[np.ndarray, np.ndarray, str]], dtype) -> None:
    """Each (labels, logits, what) of ``cases``, the logits cast to dtype, within the bound (one kernel call)."""
    inputs = [(labels, logits.astype(dtype)) for labels, logits, _ in cases]
    answers = student.call_many("sparse_cce_from_logits", inputs)
    for (_, _, what), (labels, z), got in zip(cases, inputs, in_order(answers), strict=True):
        ref = reference.sparse_cce(labels, z)
        assert_within_named("sparse_cce_from_logits", (labels, z), got, ref, logsumexp_bound(z, dtype),
                            f"{what} ({np.dtype(dtype).name})", inputs={"label": labels, "row": z})


def sparse_cce_curves(student):
    """The student's loss of label 0 on the rows [t, 0, -t], against the exact one."""
    z = figure_rows()
    labels = np.zeros(len(z), dtype=np.int64)
    return curves(FIGURE_T, answer(student, "sparse_cce_from_logits", labels, z), reference.sparse_cce(labels, z),
                  logsumexp_bound(z, np.float64), name="sparse_cce_from_logits(0, [t, 0, -t])", xlabel="t",
                  value_scale="log", x_scale="symlog", bound_label=f"allowed: {LOGSUMEXP}")


@pytest.mark.figure(draw=sparse_cce_curves)
def test_textbook_extremes(student):
    """sparse_cce_from_logits gives 0 / 1000 / 2000 for [1000, 0, -1000] and log 2 for [1e4, 1e4] and [-800, -800]"""
    what = "sparse_cce_from_logits on rows where -log(softmax) overflows"
    _check(student, [(labels, logits, what) for labels, logits in TEXTBOOK], np.float64)


@shown_as(f"sparse_cce_from_logits is within {LOGSUMEXP} of the exact loss on random rows, k = 2, 3, 5, 10")
def test_random_rows(student, random_cases, float_dtype):
    _check(student, [(labels, logits, f"sparse_cce_from_logits on random rows, k = {k}")
                     for k, (labels, logits) in random_cases.items()], float_dtype)


def test_shapes_and_integer_labels(student):
    """sparse_cce_from_logits takes int64 and int32 labels of shape (n,), returns shape (n,), also n = 1, k = 1"""
    cases = [
        (np.array([3, 0, 2, 1, 3]), np.linspace(-20.0, 20.0, 20).reshape(5, 4)),
        (np.array([3, 0, 2, 1, 3], dtype=np.int32), np.linspace(-20.0, 20.0, 20).reshape(5, 4)),
        (np.array([1]), np.array([[2.0, -3.0]])),
        (np.array([0, 0, 0]), np.array([[5.0], [-5.0], [0.0]])),
    ]
    for (labels, z), got in zip(cases, in_order(student.call_many("sparse_cce_from_logits", cases)), strict=True):
        what = f"sparse_cce_from_logits on {labels.dtype} labels of shape {labels.shape} and logits of shape {z.shape}"
        assert_same_shape(got, labels.shape, what)
        ref = reference.sparse_cce(labels, z)
        assert_within_named("sparse_cce_from_logits", (labels, z), got, ref, SHAPE_CHECK_RTOL * (1 + np.abs(ref)),
                            f"{what} (values checked loosely, to 1e-6)")


def test_float32_stays_float32(sparse_cce):
    """sparse_cce_from_logits keeps the dtype of the logits: float32 in, float32 out"""
    sparse_cce.keeps_dtype(labels=np.array([2, 0]))


def test_no_floating_point_warning(sparse_cce, float_dtype):
    """sparse_cce_from_logits is right with floating-point warnings turned into errors, on rows like [1000, 0, -1000]"""
    labels, logits = FP_CASES[float_dtype]
    sparse_cce.no_fp_warning(logits.astype(float_dtype), labels=labels)
