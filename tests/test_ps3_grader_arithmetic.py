"""The ps3 graders' own arithmetic, checked here once rather than inside a scored check.

test_binary_model.py's held-out accuracy used to assert, on every submission, that its class rule
z > 0 agreed with reference.sigmoid(z) > 0.5: a check of the grader's computation that a student
could lose points to. It is not even true in floating point (sigmoid(z) rounds to exactly 0.5 for
tiny positive z), so the grader now uses z > 0 alone, and this module checks the rule instead.
"""

import importlib.util
import warnings

import numpy as np
import pytest

from conftest import REPO
from course_numerics import reference


def _grader_module(name: str):
    path = REPO / "graders" / "ps3_keras_from_logits" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"ps3_grader_{name}", path)
    module = importlib.util.module_from_spec(spec)
    with warnings.catch_warnings():  # its weight marker is registered by the graders' plugin, not loaded here
        warnings.simplefilter("ignore", pytest.PytestUnknownMarkWarning)
        spec.loader.exec_module(module)
    return module


binary = _grader_module("test_binary_model")


def test_class_rule_agrees_with_the_sigmoid_wherever_it_does_not_round_to_one_half():
    """What the scored check used to assert, on float32 logits like a model's, from ordinary to extreme."""
    rng = np.random.default_rng(7)
    z = np.concatenate([rng.normal(0, 5, 5000), rng.normal(0, 1e-3, 1000), [-1e4, -800, -1e-6, 1e-6, 800, 1e4]])
    z = z.astype(np.float32).astype(np.float64)  # model outputs are float32, sent to the grader as float64
    assert np.array_equal(binary.classes_from_logits(z), reference.sigmoid(z) > 0.5)


def test_class_rule_says_class_1_where_sigmoid_rounds_to_one_half():
    """For 0 < z <= ~2.2e-16 even the correctly rounded sigmoid is exactly 0.5; the class is still 1."""
    tiny = np.array([1e-45, 1e-30, 1e-17, 1e-16], dtype=np.float32).astype(np.float64)
    assert np.all(reference.sigmoid(tiny) == 0.5), "the premise: sigmoid rounds these logits to exactly 0.5"
    assert binary.classes_from_logits(tiny).tolist() == [True] * 4
    assert binary.classes_from_logits(np.array([0.0, -0.0, -1e-45])).tolist() == [False] * 3


def test_metric_probe_separates_the_two_thresholds():
    """METRIC_Z is all right when cut at 0 and not when cut at 0.5, so the metric check can tell them apart."""
    z, y = np.ravel(binary.METRIC_Z), np.ravel(binary.METRIC_Y)
    assert np.all((z > 0) == (y == 1))
    assert not np.all((z > 0.5) == (y == 1))
