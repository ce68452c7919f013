"""The mpmath references agree with independent high-precision evaluations and with known values."""

import math

import mpmath
import numpy as np
import pytest

from course_kit.grading import reference

RNG = np.random.default_rng(20261123)


def _direct_bce(y: float, z: float) -> float:
    """The textbook formula, -y log p - (1-y) log(1-p), at 4000 bits: slow, but no algebra to get wrong."""
    with mpmath.workprec(4000):
        p = 1 / (1 + mpmath.exp(-mpmath.mpf(z)))
        return float(-mpmath.mpf(y) * mpmath.log(p) - (1 - mpmath.mpf(y)) * mpmath.log(1 - p))


def test_bce_matches_the_textbook_formula_at_4000_bits():
    z = np.concatenate([RNG.normal(0, 30, 40), [0.0, 1e-300, -1e-300, 36.0, -305.8, 700.0, -700.0]])
    y = RNG.uniform(0, 1, z.size)
    y[:10] = np.round(y[:10])
    got = reference.bce(y, z)
    want = np.array([_direct_bce(a, b) for a, b in zip(y, z, strict=True)])
    np.testing.assert_allclose(got, want, rtol=1e-15, atol=0)


@pytest.mark.parametrize(
    ("y", "z", "want"),
    [(0, 40, 40.0), (1, 40, 4.248354255291589e-18), (1, -800, 800.0), (0, 0, math.log(2))],
)
def test_bce_known_values(y, z, want):
    assert reference.bce(y, z)[()] == pytest.approx(want, rel=1e-15)


def test_sigmoid_is_correctly_rounded_near_one():
    # 1 - sigmoid(z) = exp(-z) / (1 + exp(-z)) falls below half an ulp under 1 (2**-54) at z = 54 ln 2 = 37.43.
    # (The naive 1 / (1 + exp(-z)) in float64 reaches 1.0 earlier, at 36.74, through the rounding of 1 + exp(-z).)
    assert reference.sigmoid(37.3) < 1.0 == reference.sigmoid(37.5)
    assert np.float32(reference.sigmoid(17.2)) < 1.0 == np.float32(reference.sigmoid(17.4))


def test_rowwise_references_on_extreme_logits():
    z = np.array([[1000.0, 0.0, -1000.0], [1e4, 1e4, -1e4]])
    np.testing.assert_allclose(reference.sparse_cce([0, 1], z[:1].repeat(2, axis=0)), [0.0, 1000.0])
    assert reference.sparse_cce([2], z[:1])[0] == 2000.0
    assert reference.logsumexp(z)[1] == pytest.approx(1e4 + math.log(2), rel=1e-16)
    np.testing.assert_allclose(reference.softmax([[-800.0, -800.0]]), [[0.5, 0.5]])
    np.testing.assert_allclose(reference.log_softmax(z)[1, :2], [-math.log(2)] * 2)
    probabilities = reference.softmax(RNG.normal(0, 5, (20, 7)))
    np.testing.assert_allclose(probabilities.sum(axis=-1), 1.0, rtol=1e-15)
