"""Cell test_binary_model: one linear output unit, BinaryCrossentropy(from_logits=True), classes from z > 0.

The feedback's figure (on the held-out accuracy check) shows what the model gets wrong: the share of each
class's held-out points that z > 0 classifies right, and where z > 0 across a public grid of the plane,
with the circle of radius 1.4 that is the true boundary.
"""

import numpy as np
import pytest
from matplotlib.patches import Circle

from course_numerics import reference
from course_numerics.figures import describe, new_figure, per_class_accuracy, plane_grid, regions

GRID = plane_grid((-4.0, 4.0), (-4.0, 4.0), (50, 50))  # the feedback's figure: where the ring lies
RADIUS = 1.4  # the notebook's make_ring: class 1 inside this circle

# Logits from ordinary to extreme, with their labels: the loss from logits is problem set 2's stable BCE.
PROBE_Z = np.array([[3.0], [-3.0], [0.5], [40.0], [-800.0], [1000.0]], dtype=np.float32)
PROBE_Y = np.array([[1.0], [0.0], [0.0], [0.0], [1.0], [1.0]], dtype=np.float32)

# Logits that a cut at z = 0 classifies all right and a cut at 0.5 (meant for probabilities) gets wrong once.
METRIC_Z = [[0.3], [-0.3], [2.0], [-2.0]]
METRIC_Y = [[1.0], [0.0], [1.0], [0.0]]
# The accuracy metrics a fresh build_binary_model(2) computes on them; compute_metrics is what fit reports.
_ACCURACIES = (
    f"(lambda m, np: {{k: float(v) for k, v in m.compute_metrics(None, np.array({METRIC_Y}, 'float32'), "
    f"np.array({METRIC_Z}, 'float32')).items() if 'acc' in k}})(build_binary_model(2), __import__('numpy'))"
)


def classes_from_logits(z: np.ndarray) -> np.ndarray:
    """Class 1 where the logit is positive: the exact form of sigmoid(z) > 0.5.

    Not sigmoid(z) > 0.5 itself: in floating point sigmoid rounds to exactly 0.5 for tiny positive
    logits (0 < z <= 1.23e-7 in float32 with 1 / (1 + exp(-z))), where the two rules disagree.
    """
    return np.asarray(z) > 0


def test_single_linear_unit(binary_model, ring):
    """binary_model ends in a single linear output unit, and nothing after it changes its output"""
    problem = binary_model.output_layer_problem(units=1, X=ring[0])
    assert problem is None, problem


def test_outputs_are_logits(binary_model, ring, far):
    """binary_model outputs logits on held-out points: one per example, some negative"""
    out = binary_model.outputs(np.concatenate([ring[0], far]))
    assert out.shape[1] == 1, f"binary_model gives {out.shape[1]} outputs per example; expected 1, the logit"
    problem = binary_model.logits_problem(out)
    assert problem is None, problem


def test_loss_from_logits(binary_model):
    """binary_model's loss is BinaryCrossentropy(from_logits=True) and computes the loss from logits up to |z| = 1000"""
    problem = binary_model.loss_problem("BinaryCrossentropy", PROBE_Y, PROBE_Z, reference.bce(PROBE_Y, PROBE_Z))
    assert problem is None, problem


def test_accuracy_metric_on_logits(student):
    """accuracy metrics compiled by build_binary_model, if any, cut the logits at 0 (BinaryAccuracy(threshold=0.0))"""
    accuracies = student.json(_ACCURACIES)
    wrong = {name: value for name, value in accuracies.items() if value != 1.0}
    assert not wrong, (
        f"on logits {np.ravel(METRIC_Z).tolist()} with labels {np.ravel(METRIC_Y).tolist()}, which a cut at z = 0 "
        f"classifies all right, the model's accuracy metrics give {wrong}: they cut at 0.5, a threshold for "
        "probabilities (metrics=['accuracy'] or BinaryAccuracy()). On logits use "
        "keras.metrics.BinaryAccuracy(threshold=0.0)."
    )


@pytest.mark.weight(0)
def test_optimizer_is_adam(student):
    """binary_model's optimizer is Adam with learning rate 0.01"""
    name, rate = student.json(
        "[type(binary_model.optimizer).__name__, "
        "float(__import__('numpy').asarray(binary_model.optimizer.learning_rate))]"
    )
    assert name == "Adam" and np.isclose(rate, 0.01), (
        f"the optimizer is {name} with learning rate {rate:g}; the assignment asks for keras.optimizers.Adam(0.01)"
    )


def test_trained_as_asked(binary_model):
    """binary_model was trained as the locked cell asks: train(binary_model, ..., epochs=6), 6 epochs of 20 batches"""
    problem = binary_model.training_problem(epochs=6)
    assert problem is None, problem


def binary_classes_figure(binary_model, ring):
    """Per-class held-out accuracy of z > 0, and z > 0 over GRID (one call for both)."""
    X, y = ring
    z = binary_model.outputs(np.concatenate([X, GRID.points]))[:, 0]
    picked = classes_from_logits(z).astype(np.int64)
    figure, (bars, plane) = new_figure()
    bars_text = per_class_accuracy(bars, picked[: len(X)], y, binary_model.accuracy_needed, n_classes=2)
    bars.set_xticks([0, 1], ["0 (outside)", "1 (inside)"])
    regions(plane, picked[len(X) :], GRID, "class 1 where the logit z > 0")
    plane.add_patch(Circle((0.0, 0.0), RADIUS, fill=False, ls="--", color="black"))
    plane.set_aspect("equal")
    return describe(figure, f"Left: {bars_text} Right: the square from -4 to 4 in both features, coloured by the "
                            "class the model picks (class 1 where its logit z > 0), with the true ring's "
                            "boundary dashed.")


@pytest.mark.figure(draw=binary_classes_figure)
def test_heldout_accuracy(binary_model, ring):
    """classes from logit > 0 (sigmoid(logit) > 0.5, without its rounding) are right on 85% of held-out points"""
    X, y = ring
    out = binary_model.outputs(X)
    assert out.shape[1] == 1, f"binary_model gives {out.shape[1]} outputs per example; expected 1, the logit"
    z = out[:, 0]
    assert np.all(np.isfinite(z)), "binary_model's outputs include nan or inf"
    accuracy = np.mean(classes_from_logits(z) == y)
    if accuracy < binary_model.accuracy_needed and np.all((z >= 0) & (z <= 1)):
        raise AssertionError(
            f"z > 0 is right on only {accuracy:.1%} of {len(X)} held-out points because every output lies in "
            "[0, 1]: binary_model outputs sigmoid probabilities, not logits. Make the last layer linear."
        )
    assert accuracy >= binary_model.accuracy_needed, (
        f"z > 0 is right on {accuracy:.1%} of {len(X)} held-out points; "
        f"at least {binary_model.accuracy_needed:.0%} is needed."
        + binary_model.untrained_hint("50% (2 classes)", epochs=6)
    )
