"""Cell test_predict_proba: predict_proba returns the softmax of the model's logits.

The softmax is tested on logits the grader chooses, whatever the student's own model does: predict_proba
receives the grader's model, an identity (``keras.Sequential([Input((4,)), Identity()])``, built in the
student's kernel from the kernel's own keras, so ``model(X)`` and ``model.predict(X)`` both return X), and
X holds the logits: moderate random ones, and large ones (rows of 1000, 0, -1000; of four equal 1e4 or -1e3;
a lone 89, which overflows float32's exp).  So a model whose ReLU output leaves every logit at 0 no longer
hides an unshifted softmax, and a softmax in the model's output layer (a double softmax, which the model's
own cell loses points for) no longer costs predict_proba points: fixing the model in one cell cannot lower
this cell's score.  Only the first check uses the student's model, for what depends on nothing but shape.
"""

import numpy as np

from course_kit.grading.accuracy import assert_within
from course_numerics import reference

TOLERANCE = 1e-5  # float32 softmax is good to about 1e-7; any correct form passes

_KERAS = "__import__('keras')"
# The grader's model: its outputs are its inputs, so the grader chooses the logits predict_proba sees.
IDENTITY_MODEL = f"{_KERAS}.Sequential([{_KERAS}.Input((4,)), {_KERAS}.layers.Identity()])"

MODERATE = (np.random.default_rng(31_337).normal(0.0, 4.0, (200, 4))).astype(np.float32)
LARGE = np.array(
    [[1000.0, 0.0, -1000.0, 0.0], [0.0, 1000.0, 0.0, -1000.0], [1e4, 1e4, 1e4, 1e4], [-1e3, -1e3, -1e3, -1e3],
     [89.0, 0.0, 0.0, 0.0], [-800.0, -800.0, -900.0, -1e4], [3e3, 2999.0, -3e3, 0.0]],
    dtype=np.float32,
)


def probabilities_problem(P: np.ndarray, logits: np.ndarray) -> str | None:
    """Why P is not one probability row per example (None if it is)."""
    n, k = logits.shape
    if P.shape != (n, k):
        return f"predict_proba returned shape {P.shape} for {n} examples; expected ({n}, {k}), one row per example"
    if not np.all(np.isfinite(P)):
        return f"predict_proba returned nan or inf in {np.sum(~np.isfinite(P).all(axis=1))} of {n} rows"
    sums = P.sum(axis=1)
    if np.all((P >= -1e-6) & (P <= 1 + 1e-6)) and np.allclose(sums, 1.0, atol=TOLERANCE):
        return None
    if np.allclose(P, logits, atol=1e-4):
        return (
            "predict_proba returned the model's logits unchanged (values from "
            f"{P.min():.3g} to {P.max():.3g}, rows summing to {sums.min():.3g}..{sums.max():.3g}): "
            "probabilities need a softmax, e.g. keras.ops.softmax(logits, axis=-1)"
        )
    if np.allclose(P.sum(axis=0), 1.0, atol=TOLERANCE):
        return "predict_proba's columns sum to 1, not its rows: the softmax ran over axis 0; use axis=-1 (the classes)"
    return (
        f"predict_proba's values range from {P.min():.3g} to {P.max():.3g} and its rows sum to "
        f"{sums.min():.3g}..{sums.max():.3g}; probabilities lie in [0, 1] and each row sums to 1 (softmax, axis=-1)"
    )


def proba_of(student, logits: np.ndarray) -> np.ndarray:
    """predict_proba(<a model whose outputs are these logits>, logits), in the student's kernel."""
    return student.call("predict_proba", student.ref(IDENTITY_MODEL), logits,
                        what="predict_proba(model, X) with a model whose logits the grader chose")


def test_returns_probabilities(student, model, blobs):
    """predict_proba returns probabilities: one row of 4 per example, entries in [0, 1], rows summing to 1"""
    X = blobs[0]
    P = student.call("predict_proba", student.ref("model"), X)
    problem = probabilities_problem(P, model.outputs(X))
    assert problem is None, problem


def test_softmax_of_the_logits(student):
    """predict_proba equals the softmax of the model's logits (on moderate logits the grader chooses)"""
    P = proba_of(student, MODERATE)
    problem = probabilities_problem(P, MODERATE.astype(np.float64))
    assert problem is None, problem
    exact = reference.softmax(MODERATE)
    twice = reference.softmax(exact)
    if np.max(np.abs(P - exact)) > TOLERANCE and np.max(np.abs(P - twice)) <= TOLERANCE:
        raise AssertionError(
            "predict_proba applies softmax twice (a double softmax): on logits the grader chose its rows equal "
            f"softmax(softmax(logits)), and its largest probability is {np.max(P):.3f}. Apply it once, to model(X)."
        )
    assert_within(P, exact, TOLERANCE, "predict_proba compared with softmax(logits), logits chosen by the grader")


def test_finite_on_large_logits(student):
    """predict_proba stays finite and exact on large logits: rows like [1000, 0, -1000, 0] and [1e4, 1e4, 1e4, 1e4]"""
    P = proba_of(student, LARGE)
    if P.shape == LARGE.shape and not np.all(np.isfinite(P)):
        rows = np.flatnonzero(~np.isfinite(P).all(axis=1))
        raise AssertionError(
            f"predict_proba returned nan or inf on {len(rows)} of {len(LARGE)} rows of large logits, e.g. "
            f"logits {LARGE[rows[0]].tolist()}: exp of a large logit overflows (and of a very negative one "
            "underflows to 0, so 0/0). Subtract each row's maximum before exp, or use keras.ops.softmax."
        )
    problem = probabilities_problem(P, LARGE.astype(np.float64))
    assert problem is None, problem
    assert_within(P, reference.softmax(LARGE), TOLERANCE, "predict_proba on large logits chosen by the grader",
                  inputs={"logits": LARGE})
