"""Hidden grader of the test cell test_naive_bce: naive_bce must BE the textbook formula.

    naive_bce(y, z) = -y log(sigmoid(z)) - (1 - y) log(1 - sigmoid(z))

Two halves.  Where the formula is well-conditioned (|z| <= 10) it must agree with the 200-bit reference
loss, for hard and soft labels.  The bound is loose on purpose: 1 - sigmoid(z) is a difference of nearly
equal numbers and loses about eps / (1 - p) ~ eps e^|z| of relative accuracy, which log passes on as an
absolute error, so the bound is 4 eps (1 + |z| + e^|z|) (``tolerances.NAIVE_BCE``; the naive formula stays
within 0.72 eps (...) on 12000 measured points, in both dtypes).  And it must reproduce the breakdown the
notebook studies at y = 0, z = 40 (float64) and z = 17 (float32), y = 1, z = 40 and y = 1, z = -800, judged
by consistency: the grader evaluates the naive formula itself on the student's own sigmoid(z) there (the
textbook one gives inf, inf, nan, inf), so a sigmoid that rounds otherwise (computed in float64 and rounded
back: sigmoid(17) in float32 is then 0.99999994, not 1, and the loss 16.6355, not inf) is not held against
naive_bce.  A stable formula (ps2's answer) passes the first half and fails the second, as it should in ps1.

The random inputs are drawn for the student being graded (the kit's ``hidden_seed``, one stream per use).

The feedback's figure (on the first check) draws the student's naive_bce(0, z) against the exact loss for
z from -50 to 50, a public range: the naive formula returns 0 below z = -37 and inf above 36.7, where
sigmoid rounds to 1 and 1 - sigmoid to 1; the bound is drawn over the whole range, and where the student's
value is the naive formula's own inf or 0 it is marked as intended (grey), not as a mistake.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

from course_kit.grading.accuracy import assert_within
from course_kit.grading.student_kernel import StudentCodeError, in_order
from course_numerics import reference
from course_numerics.figures import answer, curves
from course_numerics.tolerances import NAIVE_BCE, naive_bce_bound, same_formula_bound

DTYPES = [pytest.param(np.float64, id="float64"), pytest.param(np.float32, id="float32")]


FIGURE_Z = np.linspace(-50.0, 50.0, 401)  # the feedback's figure: a public, dense range of logits
WELL_CONDITIONED = 10.0  # |z| up to this is checked against the bound


def naive_bce_curves(student):
    """The student's naive_bce(0, z) against the exact loss on FIGURE_Z (float64), its error against the bound.

    The bound, the naive formula's own rounding, is drawn over the whole range (it is checked for |z| <= 10).
    Where the naive formula on the student's own sigmoid is itself inf, or 0 (y = 0, z < -37: 1 - p rounds
    to 1), a naive_bce that gives the same is marked in grey, as intended: those are the failures the notebook
    studies, not the student's mistakes.
    """
    y = np.zeros_like(FIGURE_Z)
    p = answer(student, "sigmoid", FIGURE_Z)
    design = naive_formula(y, p if p is not None and p.shape == FIGURE_Z.shape else textbook_sigmoid(FIGURE_Z))
    return curves(FIGURE_Z, answer(student, "naive_bce", y, FIGURE_Z), reference.bce(y, FIGURE_Z),
                  naive_bce_bound(FIGURE_Z, np.float64), name="naive_bce(0, z)", xlabel="logit z",
                  value_scale="log", bound_label=f"allowed: {NAIVE_BCE}", as_designed=design,
                  as_designed_label="as the naive formula")


@functools.lru_cache(maxsize=16)  # a few students' inputs: a grading worker grades one student after another
def well_conditioned(dtype: type, labels: str, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(y, z) of shape (1200,): |z| <= 10 with the ends and 0 included; hard labels 0/1 or soft labels in [0, 1]."""
    rng = np.random.default_rng([seed, 7 if labels == "hard" else 8])
    z = np.concatenate([[-10.0, -1e-300, 0.0, 1e-300, 10.0], rng.uniform(-10.0, 10.0, 1195)])
    y = rng.integers(0, 2, z.size).astype(float) if labels == "hard" else rng.uniform(0.0, 1.0, z.size)
    if labels == "soft":
        y[:6] = [0.0, 1.0, 0.5, 1e-3, 1 - 1e-3, 0.1]
    return y.astype(dtype), z.astype(dtype)


@pytest.mark.weight(0.75)
@pytest.mark.parametrize("labels", ["hard", "soft"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.figure(draw=naive_bce_curves)
def test_matches_reference_where_well_conditioned(student, dtype, labels, hidden_seed):
    """naive_bce agrees with the exact loss for logits between -10 and 10"""
    y, z = well_conditioned(dtype, labels, hidden_seed)
    got = student.call("naive_bce", y, z)
    assert_within(got, reference.bce(y, z), naive_bce_bound(z, dtype),
                  f"naive_bce with {labels} labels, |z| <= 10 ({np.dtype(dtype).name})", inputs={"y": y, "z": z})


BREAKDOWN = [
    pytest.param(np.float64, 0.0, 40.0, id="inf at y=0 z=40 float64"),
    pytest.param(np.float32, 0.0, 17.0, id="inf at y=0 z=17 float32"),
    pytest.param(np.float64, 1.0, 40.0, id="nan at y=1 z=40 float64"),
    pytest.param(np.float64, 1.0, -800.0, id="inf at y=1 z=-800 float64"),
]


def naive_formula(y: np.ndarray, p: np.ndarray) -> np.ndarray:
    """-y log p - (1 - y) log(1 - p), as the notebook writes it, in numpy (inf and nan where it breaks)."""
    with np.errstate(all="ignore"):
        return -y * np.log(p) - (1 - y) * np.log(1 - p)


def textbook_sigmoid(z: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        return 1 / (1 + np.exp(-z))


def same_value(got: float, expected: float, dtype: type) -> bool:
    """Both nan, the same inf, or finite and within SAME_FORMULA of each other."""
    if np.isnan(expected) or np.isinf(expected):
        return bool(np.isnan(got)) if np.isnan(expected) else bool(got == expected)
    return bool(np.isfinite(got) and abs(got - expected) <= same_formula_bound(expected, dtype))


def describe(value: float) -> str:
    if np.isnan(value) or np.isinf(value):
        return str(value)
    return f"{value:.17g}"


@pytest.mark.parametrize("dtype, y, z", BREAKDOWN)
def test_reproduces_the_breakdown(student, dtype, y, z):
    """naive_bce breaks down (inf, nan) where the naive formula on your own sigmoid's values does

    Consistency grading: the grader fetches your own sigmoid(z), evaluates -y log p - (1 - y) log(1 - p) on it
    in numpy, in the same dtype, and asks naive_bce for the same value (within ``tolerances.SAME_FORMULA``;
    inf and nan exactly).  So a sigmoid that rounds differently (a float64 detour, more
    accurate, which in float32 does not round sigmoid(17) to 1) moves the breakdown, and naive_bce is judged
    by where its own sigmoid puts it.  The formula written inline with 1 / (1 + exp(-z)) is accepted too.
    A stable rewrite or a clip of p is finite where the formula is inf or nan, and fails.
    """
    name = np.dtype(dtype).name
    zz = np.array([z], dtype=dtype)
    got = float(student.call("naive_bce", dtype(y), dtype(z)).reshape(-1)[0])
    textbook_p = textbook_sigmoid(zz)
    textbook = float(naive_formula(dtype(y), textbook_p)[0])
    try:
        own_p = student.call("sigmoid", zz)
        yours = float(naive_formula(dtype(y), own_p.reshape(-1)[:1])[0]) if own_p.size >= 1 else None
    except StudentCodeError as error:
        own_p, yours, why_not = None, None, str(error)
    if same_value(got, textbook, dtype) or (yours is not None and same_value(got, yours, dtype)):
        return
    if yours is None:
        source = (f"(your sigmoid gave no value to compare with: {why_not}; the textbook 1 / (1 + np.exp(-z)) "
                  f"gives p = {float(textbook_p[0])!r}, and the formula {describe(textbook)})")
        expected = textbook
    else:
        expected = yours
        source = (f"(your sigmoid({z:g}) in {name} returns {float(own_p.reshape(-1)[0])!r}, and "
                  f"-y log p - (1 - y) log(1 - p) with that p and y = {y:g} is {describe(yours)})")
    raise AssertionError(
        f"naive_bce({y:g}, {z:g}) in {name}: expected {describe(expected)} {source}, got {describe(got)}. "
        "In ps1 naive_bce must be the naive formula exactly as written, on p = sigmoid(z), without clipping "
        "or a stable rewrite"
    )


@pytest.mark.weight(0.5)
def test_broadcasting(student, hidden_seed):
    """labels and logits broadcast against each other"""
    rng = np.random.default_rng([hidden_seed, 11])
    cases = [
        (rng.uniform(0, 1, (4, 1)), rng.uniform(-5, 5, 3), "y of shape (4, 1) with z of shape (3,)"),
        (np.float64(1.0), rng.uniform(-5, 5, (2, 3)), "a single label with z of shape (2, 3)"),
        (rng.integers(0, 2, (2, 3)).astype(float), np.float64(0.5), "labels of shape (2, 3) with a single z"),
    ]
    answers = student.call_many("naive_bce", [(y, z) for y, z, _ in cases])
    for (y, z, kind), got in zip(cases, in_order(answers), strict=True):
        assert_within(got, reference.bce(y, z), naive_bce_bound(np.broadcast_to(z, got.shape), np.float64),
                      f"naive_bce with {kind}", inputs={"y": y, "z": z})


@pytest.mark.weight(0.5)
def test_dtype_and_shape(student, hidden_seed):
    """float32 stays float32, and the loss has the shape of the inputs (single numbers included)"""
    rng = np.random.default_rng([hidden_seed, 12])
    cases = []
    for dtype in (np.float32, np.float64):
        for shape in ((), (5,), (5, 4)):
            y = rng.integers(0, 2, shape).astype(dtype)
            z = rng.uniform(-5, 5, shape).astype(dtype)
            cases.append((dtype, shape, y[()] if shape == () else y, z[()] if shape == () else z))
    answers = student.call_many("naive_bce", [(y, z) for _, _, y, z in cases])
    for (dtype, shape, _, _), got in zip(cases, in_order(answers), strict=True):
        name = np.dtype(dtype).name
        assert got.shape == shape, f"naive_bce on {name} inputs of shape {shape} returned shape {got.shape}"
        assert got.dtype == dtype, (
            f"naive_bce on {name} inputs of shape {shape} returned dtype {got.dtype}, expected {name}"
        )
