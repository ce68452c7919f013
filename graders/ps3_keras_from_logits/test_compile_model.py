"""Cell test_compile_model: the model is compiled with SparseCategoricalCrossentropy(from_logits=True)."""

import numpy as np
import pytest

from course_numerics import reference

# Logits from ordinary to extreme, with their classes: the loss from logits is logsumexp(z) - z[y].
PROBE_Z = np.array(
    [
        [2.0, 1.0, 0.1, -1.0],
        [40.0, 0.0, -40.0, 0.0],
        [0.5, 0.0, 0.0, 0.0],
        [-800.0, 800.0, 0.0, 0.0],
        [1000.0, 0.0, -1000.0, 0.0],
    ],
    dtype=np.float32,
)
PROBE_Y = np.array([1, 0, 2, 0, 2])


def test_loss_config(model):
    """model's loss is SparseCategoricalCrossentropy(from_logits=True)"""
    problem = model.loss_problem(
        "SparseCategoricalCrossentropy", PROBE_Y, PROBE_Z, reference.sparse_cce(PROBE_Y, PROBE_Z)
    )
    assert problem is None, problem


def test_loss_computes_from_logits(model):
    """the compiled loss computes logsumexp(z) - z[y] from logits, also at |z| = 800 and 1000"""
    problem = model.loss_behaviour_problem(PROBE_Y, PROBE_Z, reference.sparse_cce(PROBE_Y, PROBE_Z))
    assert problem is None, problem


@pytest.mark.weight(0)
def test_optimizer_is_adam(student):
    """the optimizer is Adam with learning rate 0.01"""
    name, rate = student.json(
        "[type(model.optimizer).__name__, float(__import__('numpy').asarray(model.optimizer.learning_rate))]"
    )
    assert name == "Adam" and np.isclose(rate, 0.01), (
        f"the optimizer is {name} with learning rate {rate:g}; the assignment asks for keras.optimizers.Adam(0.01)"
    )
