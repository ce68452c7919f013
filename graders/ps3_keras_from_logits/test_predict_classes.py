"""Cell test_predict_classes: predict_classes is the argmax of the logits, and the trained model is accurate.

The feedback's figure (on the held-out accuracy check) shows what the model gets wrong: the share of each
class's held-out points it classifies right, and the class it picks across a public grid of the plane.
"""

import numpy as np
import pytest

from course_numerics.figures import FONT_SIZE, describe, new_figure, per_class_accuracy, plane_grid, regions

GRID = plane_grid((-9.0, 9.0), (-6.0, 6.0))  # the feedback's figure: where the blobs of the notebook lie


def one_class_per_example_problem(classes: np.ndarray, n: int, k: int) -> str | None:
    """Why classes is not one class id in 0..k-1 per example (None if it is)."""
    if classes.shape == (k,) and n != k:
        return (
            f"predict_classes returned {k} values for {n} examples: the argmax ran over axis 0, which picks for "
            "each class the example with the largest logit. Take it over the class axis: axis=1 or axis=-1."
        )
    if classes.shape != (n,):
        return f"predict_classes returned shape {classes.shape} for {n} examples; expected ({n},), one class each"
    if not np.all(np.isin(classes, np.arange(k))):
        return f"predict_classes returned values other than the class ids 0..{k - 1} (e.g. {classes[0]!r})"
    return None


def chosen_is_a_maximum(classes: np.ndarray, scores: np.ndarray, tie: float) -> np.ndarray:
    """Per example: the chosen class has the largest score, up to a tie tolerance."""
    chosen = scores[np.arange(len(scores)), classes.astype(np.int64)]
    top = scores.max(axis=1)
    return chosen >= top - tie * (1 + np.abs(top))


def test_argmax_of_logits(student, model, blobs, far):
    """predict_classes returns one class per example: the argmax of the model's logits"""
    X = np.concatenate([blobs[0], far])
    logits = model.outputs(X)
    classes = student.call("predict_classes", student.ref("model"), X)
    problem = one_class_per_example_problem(classes, *logits.shape)
    assert problem is None, problem
    wrong = ~chosen_is_a_maximum(classes, logits, tie=1e-6)
    if wrong[-len(far) :].any() and not wrong[: -len(far)].any():
        raise AssertionError(
            "predict_classes disagrees with the argmax of the logits only far from the training data, where "
            f"the logits reach {np.abs(logits[-len(far) :]).max():.3g}: a softmax before the argmax overflowed. "
            "The argmax of the logits needs no softmax."
        )
    assert not wrong.any(), (
        f"predict_classes disagrees with the argmax of the logits (over the class axis) on {wrong.sum()} of "
        f"{len(X)} held-out points"
    )


def test_agrees_with_predict_proba(student, blobs):
    """predict_classes agrees with the argmax of predict_proba"""
    X = blobs[0]
    classes = student.call("predict_classes", student.ref("model"), X)
    P = student.call("predict_proba", student.ref("model"), X)
    assert P.ndim == 2 and len(P) == len(X), f"predict_proba returned shape {P.shape}; cannot compare"
    problem = one_class_per_example_problem(classes, *P.shape)
    assert problem is None, problem
    wrong = ~chosen_is_a_maximum(classes, P.astype(np.float64), tie=1e-6)
    assert not wrong.any(), (
        f"predict_classes differs from the argmax of predict_proba on {wrong.sum()} of {len(X)} held-out points; "
        "softmax keeps the order of the logits, so the two must agree"
    )


def model_classes_figure(model, blobs):
    """Per-class held-out accuracy of the argmax of the logits, and the argmax over GRID (one call for both)."""
    X, y = blobs
    logits = model.outputs(np.concatenate([X, GRID.points]))
    picked = np.argmax(logits, axis=1)
    figure, (bars, plane) = new_figure()
    bars_text = per_class_accuracy(bars, picked[: len(X)], y, model.accuracy_needed, n_classes=4)
    regions(plane, picked[len(X) :], GRID, "class model picks (argmax of its logits)")
    for c in range(4):
        centre = X[y == c].mean(axis=0)
        plane.text(*centre, str(c), fontsize=FONT_SIZE + 2, ha="center", va="center", weight="bold")
    return describe(figure, f"Left: {bars_text} Right: the plane from -9 to 9 by -6 to 6, coloured by the "
                            "class the model picks (the argmax of its logits), each blob's centre labelled by "
                            "its true class.")


@pytest.mark.figure(draw=model_classes_figure)
def test_heldout_accuracy(model, blobs):
    """the trained model classifies at least 85% of held-out points correctly (argmax of its logits)"""
    X, y = blobs
    accuracy = np.mean(np.argmax(model.outputs(X), axis=1) == y)
    assert accuracy >= model.accuracy_needed, (
        f"the argmax of model's logits is right on {accuracy:.1%} of {len(X)} held-out points; "
        f"at least {model.accuracy_needed:.0%} is needed." + model.untrained_hint("25% (4 classes)", epochs=3)
    )


def test_trained_as_asked(model):
    """model was trained as the locked cell asks: train(model, X_train, y_train, epochs=3), 3 epochs of 20 batches"""
    problem = model.training_problem(epochs=3)
    assert problem is None, problem
