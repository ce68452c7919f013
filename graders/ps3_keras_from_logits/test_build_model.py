"""Cell test_build_model: build_model's last Dense layer is linear, so the trained model outputs logits."""

import numpy as np
import pytest


def test_output_layer_is_linear(model, blobs):
    """model's last layer is a linear Dense layer with 4 units, and nothing after it changes its output"""
    problem = model.output_layer_problem(units=4, X=blobs[0])
    assert problem is None, problem


def test_outputs_are_logits(model, blobs, far):
    """model outputs logits on held-out points: 4 per example, some negative, rows not summing to 1"""
    out = model.outputs(np.concatenate([blobs[0], far]))
    assert out.shape[1] == 4, f"model gives {out.shape[1]} outputs per example; expected 4 logits, one per class"
    problem = model.logits_problem(out)
    assert problem is None, problem


def test_uses_its_arguments(student, hidden_rng):
    """build_model(3, 5) builds a model for 3 features and 5 classes"""
    X = hidden_rng.normal(size=(6, 3)).astype(np.float32)
    out = student.call("build_model(3, 5)", X)
    assert out.shape == (6, 5), (
        f"the model from build_model(3, 5) maps 6 examples of 3 features to shape {out.shape}; expected (6, 5). "
        "Use n_features for the input shape and n_classes for the units of the last layer."
    )


@pytest.mark.weight(0)
def test_returns_uncompiled(student):
    """build_model returns the model uncompiled (compile_model compiles it)"""
    assert student.json("bool(build_model(2, 4).compiled)") is False, (
        "build_model(2, 4) returned a compiled model; leave compiling to compile_model"
    )
