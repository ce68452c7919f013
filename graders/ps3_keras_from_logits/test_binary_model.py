"""Cell test_binary_model: one linear output unit, BinaryCrossentropy(from_logits=True), classes from z > 0."""

import numpy as np

from course_kit.grading import reference

# Logits from ordinary to extreme, with their labels: the loss from logits is problem set 2's stable BCE.
PROBE_Z = np.array([[3.0], [-3.0], [0.5], [40.0], [-800.0], [1000.0]], dtype=np.float32)
PROBE_Y = np.array([[1.0], [0.0], [0.0], [0.0], [1.0], [1.0]], dtype=np.float32)


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


def test_heldout_accuracy(binary_model, ring):
    """classes from logit > 0 (the same as sigmoid(logit) > 0.5) are right on at least 85% of held-out points"""
    X, y = ring
    out = binary_model.outputs(X)
    assert out.shape[1] == 1, f"binary_model gives {out.shape[1]} outputs per example; expected 1, the logit"
    z = out[:, 0]
    assert np.all(np.isfinite(z)), "binary_model's outputs include nan or inf"
    by_logit = z > 0
    assert np.array_equal(by_logit, reference.sigmoid(z) > 0.5), "sigmoid(z) > 0.5 and z > 0 disagree"
    accuracy = np.mean(by_logit == y)
    if accuracy < binary_model.accuracy_needed and np.all((z >= 0) & (z <= 1)):
        raise AssertionError(
            f"z > 0 is right on only {accuracy:.1%} of {len(X)} held-out points because every output lies in "
            "[0, 1]: binary_model outputs sigmoid probabilities, not logits. Make the last layer linear."
        )
    assert accuracy >= binary_model.accuracy_needed, (
        f"z > 0 is right on {accuracy:.1%} of {len(X)} held-out points; "
        f"at least {binary_model.accuracy_needed:.0%} is needed."
        + binary_model.untrained_hint("50% (2 classes)")
    )
