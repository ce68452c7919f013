"""Hidden grader for ``stable_bce(y_true, z)``: binary cross-entropy computed from logits.

Checks, each against 200-bit mpmath references of the exact binary inputs:

* the logits where naive code breaks (0, +-1e-300, +-17, +-37, +-40, +-100, +-709.8, +-800,
  +-1e4) with hard labels, float64 and float32;
* random logits (magnitudes log-uniform in [1e-8, 1e4], stratified, and dense in [-5, 5]) with
  hard labels, and with soft labels (uniform, and within 1e-15 .. 1e-1 of 0 and of 1), drawn for
  the student being graded (the kit's ``hidden_seed``);
* shapes (), (n,), (n, k); float32 in, float32 out;
* no floating-point warning: the function runs under ``np.errstate(over, invalid, divide =
  "raise")`` on extreme finite logits (up to 1e300), which the ``np.where`` of both unsafe
  branches fails;
* reported only (weight 0): relative accuracy, |err| <= 4 eps |L| + tiny.

Tolerance: |err| <= 4 eps (1 + |z|) per element (``scaled_bound``, factor ``SCALED_BCE``).  A correct form rounds the
linear part z(1 - y), -zy or max(z, 0) - zy (about eps |z| in all) and log(1 + e^-|z|) (at most
eps in absolute terms, with or without log1p).  Measured worst cases on this module's inputs,
in units of eps (1 + |z|): 0.89 for where(z >= 0, z(1-y), -zy) + log1p(exp(-|z|)) (at most
2.2 ulp); 1.0 for the seeds' piecewise log(1 + exp(.)) form; 0.89 for TensorFlow's
max(z, 0) - zy + log1p(exp(-|z|)) and for logaddexp(0, z) - zy.  So factor 4 leaves room,
while naive sigmoid-then-log is off by 0.044 at z = 36, y = 0 (allowed 3.3e-14) and returns
inf or nan beyond z = 36.7.  The relative tier separates the forms: only the first stays
within 4 eps |L|; log(1 + .) returns 0 for L < 1e-16, and z - zy cancels for soft labels
near 1.

The feedback's figure (on the breaking-logits check) draws stable_bce(0, z) against the exact loss on a
public, dense range of logits out to +-1e4, and its error against 4 eps (1 + |z|).
"""

from functools import lru_cache

import numpy as np
import pytest

from course_kit.grading.accuracy import assert_same_shape, assert_within
from course_kit.grading.student_kernel import in_order
from course_numerics import reference
from course_numerics.figures import answer, curves, public_logits
from course_numerics.mistakes import assert_within_named
from course_numerics.tolerances import RELATIVE, SCALED_BCE, relative_bound, scaled_bound, shown_as

DTYPES = [np.float64, np.float32]
DTYPE_IDS = ["float64", "float32"]
SHAPE_CHECK_RTOL = 1e-6  # the shape checks only make sure the values are not garbage

_BREAKING = np.array([0.0, 1e-300, 17, 37, 40, 100, 709.8, 800, 1e4])
BREAKING_LOGITS = np.concatenate([_BREAKING, -_BREAKING[1:]])


def _stratified(rng: np.random.Generator, n: int, low: float, high: float) -> np.ndarray:
    """n numbers in [low, high], one uniform in each of n equal slices, in random order: every draw spans the range."""
    return low + (high - low) * (rng.permutation(n) + rng.random(n)) / n


@lru_cache(maxsize=4)  # a few students' inputs: a grading worker grades one student after another
def _inputs(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Random logits, hard labels and soft labels for the student whose seed this is."""
    rng = np.random.default_rng(seed)
    n = 500
    wide = 10 ** _stratified(rng, n, -8, 4) * rng.permutation(np.resize([-1.0, 1.0], n))
    near_zero = _stratified(rng, n, -5, 5)
    z = np.concatenate([wide, near_zero])
    hard = rng.integers(0, 2, z.size).astype(np.float64)
    offset = 10 ** rng.uniform(-15, -1, z.size)
    soft = np.where(rng.random(z.size) < 0.5, offset, 1 - offset)
    soft = np.where(rng.random(z.size) < 0.3, rng.random(z.size), soft)
    return z, hard, soft


FIGURE_Z = public_logits(150)


def stable_bce_curves(student):
    """The student's stable_bce(0, z) against the exact loss on FIGURE_Z (float64), its error against the bound."""
    y = np.zeros_like(FIGURE_Z)
    return curves(FIGURE_Z, answer(student, "stable_bce", y, FIGURE_Z), reference.bce(y, FIGURE_Z),
                  scaled_bound(FIGURE_Z, np.float64), name="stable_bce(0, z)", xlabel="logit z", value_scale="log",
                  x_scale="symlog", bound_label=f"allowed: {SCALED_BCE}")


@lru_cache(maxsize=24)
def case(kind: str, dtype_name: str, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Labels, logits (in the dtype) and the reference loss for one input set (random ones: for ``seed``)."""
    dtype = np.dtype(dtype_name)
    if kind == "breaking":
        z = np.repeat(BREAKING_LOGITS, 2)
        y = np.tile([0.0, 1.0], BREAKING_LOGITS.size)
    elif kind == "hard":
        z, y, _ = _inputs(seed)
    else:
        z, _, y = _inputs(seed)
    y, z = y.astype(dtype), z.astype(dtype)
    return y, z, reference.bce(y, z)


def _check(student, kind: str, dtype, what: str, seed: int = 0) -> None:
    y, z, ref = case(kind, np.dtype(dtype).name, seed if kind != "breaking" else 0)
    got = student.call("stable_bce", y, z)
    assert_within_named("stable_bce", (y, z), got, ref, scaled_bound(z, dtype), f"{what} ({np.dtype(dtype).name})",
                        inputs={"y": y, "z": z})


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.figure(draw=stable_bce_curves)
@shown_as(f"stable_bce is within {SCALED_BCE} of the exact loss where naive code breaks (|z| up to 1e4)")
def test_breaking_logits(student, dtype):
    _check(student, "breaking", dtype, "stable_bce at z = 0, +-1e-300, +-17, ..., +-1e4, labels 0 and 1")


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@shown_as(f"stable_bce is within {SCALED_BCE} of the exact loss on random logits, labels 0 and 1")
def test_random_logits_hard_labels(student, dtype, hidden_seed):
    _check(student, "hard", dtype, "stable_bce on random logits with labels 0 and 1", hidden_seed)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@shown_as(f"stable_bce is within {SCALED_BCE} of the exact loss with soft labels, some near 0 and 1")
def test_soft_labels(student, dtype, hidden_seed):
    _check(student, "soft", dtype, "stable_bce on random logits with soft labels", hidden_seed)


def test_shapes(student):
    """stable_bce returns the shape of its inputs: (), (n,) and (n, k)"""
    shapes = [(), (7,), (4, 3)]
    inputs = [(np.full(shape, 0.25), np.linspace(-5.0, 5.0, int(np.prod(shape))).reshape(shape)) for shape in shapes]
    for shape, (y, z), got in zip(shapes, inputs, in_order(student.call_many("stable_bce", inputs)), strict=True):
        assert_same_shape(got, shape, f"stable_bce on inputs of shape {shape}")
        ref = reference.bce(y, z)
        assert_within(got, ref, SHAPE_CHECK_RTOL * np.abs(ref), f"stable_bce on inputs of shape {shape} "
                      f"(values checked loosely, to {SHAPE_CHECK_RTOL:g} relative)")


def test_float32_stays_float32(student):
    """stable_bce keeps the dtype: float32 in, float32 out (and float64 in, float64 out)"""
    inputs = [(np.array([0.0, 1.0, 0.5], dtype), np.array([-3.0, 0.5, 20.0], dtype)) for dtype in DTYPES]
    for dtype, got in zip(DTYPES, in_order(student.call_many("stable_bce", inputs)), strict=True):
        assert got.dtype == dtype, (
            f"stable_bce on {np.dtype(dtype).name} labels and logits returned {got.dtype}, "
            f"expected {np.dtype(dtype).name}"
        )


EXTREME = {
    np.float64: [0.0, 37.0, 100.0, 709.8, 710.0, 800.0, 1e4, 1e300],
    np.float32: [0.0, 17.0, 88.8, 100.0, 800.0, 1e4, 1e38],
}


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_no_floating_point_warning(student, dtype):
    """stable_bce is right with floating-point warnings turned into errors, at logits up to +-1e300 (float32: +-1e38)"""
    magnitudes = np.array(EXTREME[dtype], dtype)
    z = np.concatenate([magnitudes, -magnitudes])
    y, z = (a.copy() for a in np.broadcast_arrays(np.array([[0.0], [0.5], [1.0]], dtype), z))
    got = student.call("stable_bce", y, z, fp_errors="raise")
    assert got.shape == z.shape and np.all(np.isfinite(got)), (
        f"stable_bce under np.errstate(over/invalid/divide='raise') at extreme logits ({np.dtype(dtype).name}) "
        "returned inf or nan, or the wrong shape"
    )
    # Right, not merely finite: code that silences the warnings (np.errstate, nan_to_num) gains nothing here.
    assert_within(got, reference.bce(y, z), scaled_bound(z, dtype),
                  f"stable_bce at extreme logits ({np.dtype(dtype).name}): no floating-point error was raised, "
                  "but the values there are wrong (if your code silences warnings, with np.errstate or "
                  "nan_to_num, the formula beneath still needs the fix)", inputs={"y": y, "z": z})


@pytest.mark.weight(0)
@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@shown_as(f"stable_bce is within {RELATIVE} of the exact loss, even where L < 1e-16 (needs log1p and z(1 - y))")
def test_relative_accuracy(student, dtype, hidden_seed):
    kinds = [("breaking", "logits where naive code breaks"), ("hard", "random logits, labels 0 and 1"),
             ("soft", "random logits, soft labels")]
    cases = [case(kind, np.dtype(dtype).name, hidden_seed if kind != "breaking" else 0) for kind, _ in kinds]
    answers = student.call_many("stable_bce", [(y, z) for y, z, _ in cases])
    for (_, what), (y, z, ref), got in zip(kinds, cases, in_order(answers), strict=True):
        assert_within(got, ref, relative_bound(ref, dtype), f"relative accuracy of stable_bce on {what} "
                      f"({np.dtype(dtype).name})", inputs={"y": y, "z": z})
