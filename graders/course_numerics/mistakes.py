"""Mistakes recognised from the student's values: a failed check says which wrong formula the numbers follow.

A failed accuracy check reports the worst element ("expected 2000, got 1.55"); it cannot say why.  Some
mistakes leave a fingerprint in the values themselves: softmax applied twice (the loss, or log_softmax,
or logsumexp, computed from softmax(z) taken as logits, the mistake of a softmax output layer under
``from_logits=True``) gives, on every row, exactly what the right formula gives on the probabilities;
the naive binary cross-entropy gives inf exactly where p = sigmoid(z) rounds to 1.  So after a check
fails, ``named_mistake`` evaluates each known wrong formula of that function on the check's own inputs
(in float64 numpy where the formula is benign, as the double softmax is on probabilities in [0, 1]; in
the student's dtype where its rounding is the mistake) and, if the student's values follow one of them
on every element, to half the dtype's digits (``_match``) or to the same inf or nan, while the check
found them wrong, returns the line that names it.

It judges only values the check already has (no extra call into the student's kernel), so it costs
nothing on a right answer, and it quotes no input: the hidden rows stay hidden.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from course_kit.grading.accuracy import assert_within


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def _logsumexp(z: np.ndarray) -> np.ndarray:
    m = np.max(z, axis=-1, keepdims=True)
    return m[..., 0] + np.log(np.sum(np.exp(z - m), axis=-1))


def _sparse_cce(labels: np.ndarray, z: np.ndarray) -> np.ndarray:
    return _logsumexp(z) - np.take_along_axis(z, labels.astype(np.intp)[..., None], axis=-1)[..., 0]


def _naive_bce(y: np.ndarray, z: np.ndarray) -> np.ndarray:
    p = 1 / (1 + np.exp(-z))
    return -y * np.log(p) - (1 - y) * np.log(1 - p)


@dataclass(frozen=True)
class Mistake:
    """A wrong formula of one function (of the function's own arguments), and the hint that names it."""

    formula: Callable[..., np.ndarray]
    hint: str
    in_float64: bool = True  # evaluate in float64 (benign formulas); False: in the student's dtype, whose
    # rounding is the mistake (the naive loss is inf exactly where p rounds to 1 in that dtype)


TWICE = ("Hint: your values are this function's right answer for softmax(z), not for z: softmax is applied "
         "twice, the probabilities taken as logits. {name} receives logits; compute it from z itself, never "
         "from softmax(z).")

NAIVE = ("Hint: your values are the naive formula's, -y log(p) - (1 - y) log(1 - p) with p = sigmoid(z): at large |z| "
         "p rounds to 1 (or to 0), and log(1 - p) (or log(p)) is log 0 = -inf. Compute the loss from z itself, as "
         "z(1 - y) + log1p(exp(-|z|)) for z >= 0 and -zy + log1p(exp(-|z|)) below, never forming p.")

MISTAKES: dict[str, tuple[Mistake, ...]] = {
    "stable_bce": (Mistake(_naive_bce, NAIVE, in_float64=False),),
    "sparse_cce_from_logits": (
        Mistake(lambda labels, z: _sparse_cce(labels, _softmax(z)), TWICE.format(name="sparse_cce_from_logits")),
    ),
    "log_softmax": (
        Mistake(lambda z: _softmax(z) - _logsumexp(_softmax(z))[..., None], TWICE.format(name="log_softmax")),
    ),
    "logsumexp": (Mistake(lambda z: _logsumexp(_softmax(z)), TWICE.format(name="logsumexp")),),
    "softmax": (Mistake(lambda z: _softmax(_softmax(z)), TWICE.format(name="softmax")),),
}


def _match(dtype: np.dtype) -> float:
    """MATCH: values follow a formula to half the digits of their dtype (1.5e-8 in float64, 3.5e-4 in float32)."""
    return float(np.sqrt(np.finfo(dtype).eps))


def named_mistake(function: str, args: tuple[ArrayLike, ...], got: np.ndarray) -> str | None:
    """The hint of the known mistake of ``function`` whose values on ``args`` the student's ``got`` follows, or None."""
    if not np.issubdtype(got.dtype, np.floating):
        return None
    got64 = got.astype(np.float64)
    for mistake in MISTAKES.get(function, ()):
        dtype = np.float64 if mistake.in_float64 else got.dtype
        inputs = tuple(np.asarray(a) if np.issubdtype(np.asarray(a).dtype, np.integer) else np.asarray(a, dtype)
                       for a in args)
        with np.errstate(all="ignore"):
            try:
                wrong = np.asarray(mistake.formula(*inputs), np.float64)
            except (ValueError, IndexError):  # inputs the formula does not take (shapes): not this mistake
                continue
            if wrong.shape != got.shape or not np.any(np.isfinite(wrong)):
                continue
            close = np.abs(got64 - wrong) <= _match(got.dtype) * (1 + np.abs(wrong))
            same = (got64 == wrong) | (np.isnan(got64) & np.isnan(wrong))  # the same inf, or nan, where it breaks
        if np.all(close | same):
            return mistake.hint
    return None


def assert_within_named(
    function: str, args: tuple[ArrayLike, ...], got: np.ndarray, reference: ArrayLike, bound: ArrayLike, what: str,
    inputs: Mapping[str, ArrayLike] | None = None,
) -> None:
    """``assert_within``, and where it fails, the hint of a known mistake the values follow (``named_mistake``)."""
    try:
        assert_within(got, reference, bound, what, inputs=inputs)
    except AssertionError as failed:
        hint = named_mistake(function, args, got)
        if hint is None:
            raise
        raise AssertionError(f"{failed}\n{hint}") from None
