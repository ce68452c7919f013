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


def naive_bce_bound(z: ArrayLike, dtype: np.dtype | type) -> NDArray[np.float64]:
    """NAIVE_BCE: factor * eps (1 + |z| + e^|z|), elementwise."""
    z = np.abs(_float64(z))
    return NAIVE_BCE.factor * eps(dtype) * (1.0 + z + np.exp(z))


def logsumexp_bound(z: ArrayLike, dtype: np.dtype | type) -> NDArray[np.float64]:
    """LOGSUMEXP: factor * eps (k + max_j |z_j|), one value per row of logits z of shape (..., k)."""
    z = _float64(z)
    return LOGSUMEXP.factor * eps(dtype) * (z.shape[-1] + np.max(np.abs(z), axis=-1))


def softmax_bound(z: ArrayLike, softmax: ArrayLike, dtype: np.dtype | type) -> NDArray[np.float64]:
    """SOFTMAX: factor * eps (k + |z_i - m| + |m|) softmax_i + tiny, elementwise; ``softmax`` is the exact value."""
    z = _float64(z)
    m = np.max(z, axis=-1, keepdims=True)
    scale = z.shape[-1] + np.abs(z - m) + np.abs(m)
    return SOFTMAX.factor * eps(dtype) * scale * softmax + float(np.finfo(dtype).tiny)
