"""Cell test_predict_proba: predict_proba returns the softmax of the model's logits."""

import numpy as np

from course_kit.grading.accuracy import assert_within
from course_numerics import reference

TOLERANCE = 1e-5  # float32 softmax is good to about 1e-7; any correct form passes


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


def test_returns_probabilities(student, model, blobs):
    """predict_proba returns probabilities: one row of 4 per example, entries in [0, 1], rows summing to 1"""
    X = blobs[0]
    P = student.call("predict_proba", student.ref("model"), X)
    problem = probabilities_problem(P, model.outputs(X))
    assert problem is None, problem


def test_softmax_of_the_logits(student, model, blobs):
    """predict_proba equals the softmax of the model's logits"""
    X = blobs[0]
    logits = model.outputs(X)
    P = student.call("predict_proba", student.ref("model"), X)
    problem = probabilities_problem(P, logits)
    assert problem is None, problem
    if np.all((logits >= 0) & (logits <= 1)) and np.allclose(logits.sum(axis=1), 1.0, atol=1e-4):
        raise AssertionError(
            "model already outputs probabilities (a softmax in its output layer), so predict_proba applies "
            f"softmax a second time (a double softmax): its largest probability is {np.max(P):.3f}, "
            "however sure the model is. Make the last layer linear."
        )
    assert_within(P, reference.softmax(logits), TOLERANCE, "predict_proba compared with softmax(model(X))")


def test_finite_far_from_the_data(student, model, far):
    """predict_proba stays finite and sums to 1 far from the data, where the logits reach the thousands"""
    logits = model.outputs(far)
    P = student.call("predict_proba", student.ref("model"), far)
    if P.shape == logits.shape and not np.all(np.isfinite(P)):
        raise AssertionError(
            f"predict_proba returned nan or inf at points far from the training data, where the logits reach "
            f"{np.abs(logits).max():.3g}: exp of a large logit overflows. Subtract each row's maximum before exp, "
            "or use keras.ops.softmax."
        )
    problem = probabilities_problem(P, logits)
    assert problem is None, problem
    assert_within(P, reference.softmax(logits), TOLERANCE, "predict_proba far from the data")
