"""The mpmath references agree with independent high-precision evaluations and with known values."""

import math

import mpmath
import numpy as np
import pytest

from course_numerics import reference

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


# Rows on which a reference that forms 1 + s (s = the sum of the non-maximal exp(z_j - m)) loses s below
# 2^-200: the row references must stay correctly rounded in relative terms (Blanchard, Higham and Higham 2021),
# and on which m + log1p(s) cancels (m < 0 close to -log1p(s)).
DOMINATED_ROWS = [
    [0.0, -236.0],          # logsumexp = log1p(e^-236) = 3.2e-103
    [0.0, -700.0, -710.0],  # 9.9e-305: still a normal float64
    [200.0, 0.0],
    [1e4, 1e4 - 300.0, 0.0],
    [-0.6931471805599453, -0.6931471805599453],  # logsumexp = log 2 - fl(log 2) = 2.3e-17
    [-1.0986122886681098, -1.0986122886681098, -1.0986122886681098],  # log 3 - fl(log 3)
    [-5.0, 3.0, 2.999999999999999],
]
HIGH_PRECISION_BITS = 4000  # e^-700 * 2^-53 still fits: 700 / ln 2 + 53 + 200 < 4000


def _direct_row(row, function: str):
    """The textbook formulas, log(sum exp), exp / sum, z - log(sum exp), at 4000 bits: no algebra to get wrong."""
    with mpmath.workprec(HIGH_PRECISION_BITS):
        values = [mpmath.mpf(float(v)) for v in row]
        total = mpmath.fsum(mpmath.exp(v) for v in values)
        if function == "logsumexp":
            return [float(mpmath.log(total))]
        if function == "softmax":
            return [float(mpmath.exp(v) / total) for v in values]
        if function == "log_softmax":
            return [float(v - mpmath.log(total)) for v in values]
        return [float(mpmath.log(total) - v) for v in values]  # sparse_cce, every label


@pytest.mark.parametrize("row", DOMINATED_ROWS, ids=[str(r) for r in DOMINATED_ROWS])
def test_row_references_are_correctly_rounded_where_one_logit_dominates(row):
    z = np.array([row])
    labels = np.arange(len(row))
    assert list(reference.logsumexp(z)) == _direct_row(row, "logsumexp")
    assert list(reference.softmax(z)[0]) == _direct_row(row, "softmax")
    assert list(reference.log_softmax(z)[0]) == _direct_row(row, "log_softmax")
    assert list(reference.sparse_cce(labels, z.repeat(len(row), axis=0))) == _direct_row(row, "sparse_cce")


def test_the_tiny_answers_the_issue_names():
    # log1p(e^-236) and log1p(e^-200): a reference that forms 1 + s at 200 bits returned 0 for both.
    assert reference.logsumexp([0.0, -236.0])[()] == pytest.approx(3.2099795884606e-103, rel=1e-12)
    assert reference.sparse_cce([0], [[200.0, 0.0]])[0] == pytest.approx(1.3838965267367376e-87, rel=1e-12)


def test_row_references_on_random_rows_match_4000_bits():
    tables = [RNG.normal(0, 1, (15, 3)), RNG.normal(-1, 0.3, (10, 2)), RNG.normal(0, 200, (10, 4)),
              RNG.normal(-1, 0.5, (5, 1))]
    for row in (row for table in tables for row in table):
        assert list(reference.logsumexp(row[None])) == _direct_row(row, "logsumexp"), row
        assert list(reference.log_softmax(row[None])[0]) == _direct_row(row, "log_softmax"), row.tolist()
        assert list(reference.softmax(row[None])[0]) == _direct_row(row, "softmax"), row
