"""The scale-aware bound accepts every correct way to write the loss and rejects the naive one."""

import numpy as np
import pytest

from course_kit.grading.accuracy import assert_within
from course_numerics import reference
from course_numerics.tolerances import relative_bound, scaled_bound

Z = np.concatenate([
    [0.0, 1e-300, -1e-300, 17.0, -17.0, 36.0, 37.0, -37.0, 40.0, -40.0, 100.0, -100.0, 709.8, -709.8, 800.0, -800.0],
    np.random.default_rng(7).normal(0, 50, 400),
])


def piecewise_log1p(y, z):
    return np.where(z >= 0, z * (1 - y), -z * y) + np.log1p(np.exp(-np.abs(z)))


def seeds_log_form(y, z):  # log(1 + exp(.)) instead of log1p, branches masked so nothing overflows
    return np.where(z >= 0, z * (1 - y), -z * y) + np.log(1 + np.exp(-np.abs(z)))


def tensorflow_form(y, z):
    return np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))


def naive(y, z):
    with np.errstate(all="ignore"):
        p = 1 / (1 + np.exp(-z))
        return -y * np.log(p) - (1 - y) * np.log(1 - p)


@pytest.mark.parametrize("form", [piecewise_log1p, seeds_log_form, tensorflow_form])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("label", [0.0, 1.0])
def test_correct_forms_pass(form, dtype, label):
    z = Z.astype(dtype)
    y = np.full_like(z, label)
    assert_within(form(y, z), reference.bce(y, z), scaled_bound(z, dtype), form.__name__, inputs={"y": y, "z": z})


def test_naive_fails_with_a_message_that_names_the_worst_input():
    y = np.zeros_like(Z)
    with pytest.raises(AssertionError, match=r"naive: .* outside the tolerance; worst at y=0\., z=.*expected"):
        assert_within(naive(y, Z), reference.bce(y, Z), scaled_bound(Z, np.float64), "naive", inputs={"y": y, "z": Z})


def test_naive_error_at_36_is_far_outside_the_bound():
    error = abs(naive(0.0, 36.0) - 36.0)
    # The README's figures: 0.0437 against a bound of 3.29e-14, twelve orders of magnitude.
    bound = scaled_bound(36.0, np.float64)
    assert error == pytest.approx(0.0437, rel=0.01) and bound == pytest.approx(3.29e-14, rel=0.01)
    assert 1e12 < error / bound < 1e13


def test_relative_tier_separates_log1p_from_log_of_one_plus():
    z = np.array([40.0, 50.0, 100.0])  # true loss at y = 1 is about exp(-z), far below eps
    y = np.ones_like(z)
    want = reference.bce(y, z)
    assert_within(piecewise_log1p(y, z), want, relative_bound(want, np.float64), "log1p form")
    with pytest.raises(AssertionError):
        assert_within(seeds_log_form(y, z), want, relative_bound(want, np.float64), "log(1+.) form")


def test_shape_and_dtype_are_checked():
    with pytest.raises(AssertionError, match="returned shape"):
        assert_within(np.zeros(3), np.zeros((3, 1)), 1.0, "f")
    with pytest.raises(AssertionError, match="floating-point"):
        assert_within(np.zeros(3, dtype=int), np.zeros(3), 1.0, "f")
