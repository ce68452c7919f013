"""How close is close enough: each grader's bound, as one named factor times a scale.

A correct loss may be written in several ways (log1p or log(1 + .), max(z, 0) or a piecewise
branch, shifting by the max first or later).  They differ in rounding, and the differences scale
with the size of the logits: computing z (1 - y) when |z| = 1e4 rounds at 1e4 * eps.  So each
bound is eps of the input's dtype times a scale made of the inputs, times a factor that leaves
room above the worst correct form measured (the derivations and measurements are in the grader
modules' docstrings).  The naive formula breaks the bound of ps2's binary cross-entropy by many
orders of magnitude (at z = 36, y = 0 its error is 0.044 against a bound of 3.3e-14).

Each ``Tolerance`` is used twice: by the check, through the bound functions below, and in the
check's name that students read (``str(SCALED_BCE)`` is "4 eps (1 + |z|)"), so the two cannot
disagree.  ``shown_as`` puts such a name on a check.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from course_kit.grading.accuracy import eps


@dataclass(frozen=True)
class Tolerance:
    """``factor`` times a bound that reads ``scale`` after it; str() is that reading."""

    factor: float
    scale: str

    def __str__(self) -> str:
        return f"{self.factor:g} {self.scale}"


# |err| <= 4 eps (1 + |z|): binary cross-entropy from logits, absolute but scale-aware (ps2 test_stable_bce).
SCALED_BCE = Tolerance(4.0, "eps (1 + |z|)")
# |err| <= 4 eps |L| + tiny: relative to the answer's own size (sigmoid; stable_bce's reported-only tier).
RELATIVE = Tolerance(4.0, "eps |L|")
# |err| <= 4 eps (1 + |z|) sigmoid(z) + tiny: sigmoid, relative to its size, with room for exp(-logaddexp(0, -z)).
SIGMOID = Tolerance(4.0, "eps (1 + |z|) sigmoid(z)")
# |err| <= 4 eps (1 + |L|): naive_bce against the naive formula on the student's own sigmoid values (ps1).
SAME_FORMULA = Tolerance(4.0, "eps (1 + |L|)")
# |err| <= 4 eps (1 + |z| + e^|z|): the rounding the naive textbook formula itself commits (ps1 test_naive_bce).
NAIVE_BCE = Tolerance(4.0, "eps (1 + |z| + e^|z|)")
# |err| <= 4 eps (k + max_j |z_j|) per row: logsumexp, and log_softmax and sparse_cce, which inherit its error.
LOGSUMEXP = Tolerance(4.0, "eps (k + max|z|)")
# |err_i| <= 4 eps (k + |z_i - m| + |m|) softmax_i + tiny, with m the row's max (ps2 test_softmax).
SOFTMAX = Tolerance(4.0, "eps (k + |z_i - m| + |m|) softmax_i")


def shown_as(name: str) -> Callable[[Callable], Callable]:
    """Name a check for students: the kit reports the first line of a test's docstring, set here from code."""

    def name_it(test: Callable) -> Callable:
        test.__doc__ = name
        return test

    return name_it


def _float64(values: ArrayLike) -> NDArray[np.float64]:
    return np.asarray(values, dtype=np.float64)


def scaled_bound(scale: ArrayLike, dtype: np.dtype | type) -> NDArray[np.float64]:
    """SCALED_BCE: factor * eps(dtype) * (1 + |scale|), elementwise."""
    return SCALED_BCE.factor * eps(dtype) * (1.0 + np.abs(_float64(scale)))


def relative_bound(reference: ArrayLike, dtype: np.dtype | type) -> NDArray[np.float64]:
    """RELATIVE: factor * eps * |reference| plus the smallest normal number (below it, only absolute accuracy)."""
    info = np.finfo(dtype)
    return RELATIVE.factor * float(info.eps) * np.abs(_float64(reference)) + float(info.tiny)


def sigmoid_bound(z: ArrayLike, exact: ArrayLike, dtype: np.dtype | type) -> NDArray[np.float64]:
    """SIGMOID: factor * eps (1 + |z|) |sigmoid(z)| + the smallest normal number, elementwise.

    Why (1 + |z|): a correct sigmoid may go through a logarithm and back.  ``exp(-logaddexp(0, -z))``
    first computes L = log(1 + e^-z), which for z < 0 is about |z| and is rounded to a relative eps,
    that is an absolute eps |L| ~ eps |z|; exp turns an absolute error d of its argument into a relative
    error d of its result (the condition number of exp at x is |x|).  So its relative error is a few
    eps times (1 + |z|): measured 7.28e-23 at z = -17 (7.9 eps relative, 0.44 eps (1 + |z|)), and
    ``exp(z - logaddexp(0, z))`` commits the same for z > 0.  1 / (1 + exp(-z)), the piecewise forms
    and a float64 sigmoid rounded to float32 stay within 1 eps relative.  Against mpmath on 28000
    logits in float32 and float64 (``tests/test_sigmoid_tolerance.py``) every one of these stays within
    1.4 eps (1 + |z|) |sigmoid|, so the factor 4 leaves room; 0.5 (1 + tanh(z / 2)) (which loses all
    relative accuracy where 1 + tanh cancels: 5e6 and 1e14 times the bound at z = -20 and -38), a
    clip of p or of z, and a bias break it by millions of times or more.  Below the smallest normal
    number only absolute accuracy is asked (a subnormal result has fewer bits).
    """
    z = np.abs(_float64(z))
    info = np.finfo(dtype)
    return SIGMOID.factor * float(info.eps) * (1.0 + z) * np.abs(_float64(exact)) + float(info.tiny)


def same_formula_bound(loss: ArrayLike, dtype: np.dtype | type) -> NDArray[np.float64]:
    """SAME_FORMULA: factor * eps (1 + |L|), elementwise, L the naive formula's value on the student's sigmoid.

    The grader evaluates -y log(s) - (1 - y) log(1 - s) itself, in numpy, on the very numbers s the
    student's sigmoid returned.  A naive_bce that does the same may still round differently: the two
    products and the difference each round to a relative eps of |L| (the two terms have one sign, so
    nothing cancels), and 1 - s written as another expression (``np.log1p(-s)``, ``log(1 - s)`` with s
    from a float64 detour) differs by up to an eps of 1 in the argument of log, an absolute eps in
    the result.  So 4 eps (1 + |L|).  A stable formula differs from the naive one by the naive one's
    own error, about eps e^|z| (0.044 at z = 36 in float64), and by inf against a finite number where
    s rounds to 1: it breaks this bound wherever the naive formula breaks.
    """
    info = np.finfo(dtype)
    return SAME_FORMULA.factor * float(info.eps) * (1.0 + np.abs(_float64(loss)))


def naive_bce_bound(z: ArrayLike, dtype: np.dtype | type) -> NDArray[np.float64]:
    """NAIVE_BCE: factor * eps (1 + |z| + e^|z|), elementwise."""
    z = np.abs(_float64(z))
    return NAIVE_BCE.factor * eps(dtype) * (1.0 + z + np.exp(z))


def logsumexp_bound(z: ArrayLike, dtype: np.dtype | type) -> NDArray[np.float64]:
    """LOGSUMEXP: factor * eps (k + max_j |z_j|), one value per row of logits z of shape (..., k)."""
    z = _float64(z)
    return LOGSUMEXP.factor * eps(dtype) * (z.shape[-1] + np.max(np.abs(z), axis=-1))


def log_softmax_bound(z: ArrayLike, log_softmax: ArrayLike, dtype: np.dtype | type) -> NDArray[np.float64]:
    """LOGSUMEXP for every element of a row: log_softmax inherits logsumexp's error (ps2 test_log_softmax)."""
    return np.broadcast_to(logsumexp_bound(z, dtype)[..., np.newaxis], np.shape(z))


def softmax_bound(z: ArrayLike, softmax: ArrayLike, dtype: np.dtype | type) -> NDArray[np.float64]:
    """SOFTMAX: factor * eps (k + |z_i - m| + |m|) softmax_i + tiny, elementwise; ``softmax`` is the exact value."""
    z = _float64(z)
    m = np.max(z, axis=-1, keepdims=True)
    scale = z.shape[-1] + np.abs(z - m) + np.abs(m)
    return SOFTMAX.factor * eps(dtype) * scale * softmax + float(np.finfo(dtype).tiny)
