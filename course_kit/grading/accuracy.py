"""How close is close enough: tolerances that accept every correct formula.

A correct loss may be written in several ways (log1p or log(1 + .), max(z, 0)
or a piecewise branch, shifting by the max first or later).  They differ in
rounding, and the differences scale with the size of the logits: computing
z (1 - y) when |z| = 1e4 rounds at 1e4 * eps.  So the bound is absolute but
scale-aware,

    |computed - reference| <= factor * eps * (1 + scale),

where eps is the machine epsilon of the input's dtype and scale is |z| (or
the largest |z_j| in the row).  The naive formula breaks it by many orders of
magnitude (at z = 36, y = 0 its error is 0.044 against a bound of 3.3e-14).

Failure messages name the kind of input and the worst element, never the
whole hidden set.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike, NDArray

DEFAULT_FACTOR = 4.0


def eps(dtype: np.dtype | type) -> float:
    return float(np.finfo(dtype).eps)


def scaled_bound(scale: ArrayLike, dtype: np.dtype | type, factor: float = DEFAULT_FACTOR) -> NDArray[np.float64]:
    """factor * eps(dtype) * (1 + |scale|), elementwise."""
    return factor * eps(dtype) * (1.0 + np.abs(np.asarray(scale, dtype=np.float64)))


def relative_bound(reference: ArrayLike, dtype: np.dtype | type, factor: float = DEFAULT_FACTOR) -> NDArray[np.float64]:
    """factor * eps * |reference| plus the smallest normal number (below it, only absolute accuracy is possible)."""
    info = np.finfo(dtype)
    return factor * float(info.eps) * np.abs(np.asarray(reference, dtype=np.float64)) + float(info.tiny)


def _describe(inputs: Mapping[str, ArrayLike], index: tuple[int, ...]) -> str:
    parts = []
    for name, values in inputs.items():
        values = np.asarray(values)
        value = values[index[-values.ndim:]] if values.ndim else values[()]
        parts.append(f"{name}={np.array2string(np.asarray(value), precision=6)}")
    return ", ".join(parts)


def assert_same_shape(got: np.ndarray, expected_shape: tuple[int, ...], what: str) -> None:
    assert got.shape == tuple(expected_shape), (
        f"{what}: returned shape {got.shape}, expected {tuple(expected_shape)}"
    )


def assert_floating(got: np.ndarray, what: str) -> None:
    assert np.issubdtype(got.dtype, np.floating), (
        f"{what}: returned dtype {got.dtype}; expected a floating-point array"
    )


def assert_within(
    got: np.ndarray,
    reference: ArrayLike,
    bound: ArrayLike,
    what: str,
    inputs: Mapping[str, ArrayLike] | None = None,
) -> None:
    """Assert |got - reference| <= bound elementwise; nan/inf where the reference is finite fail.

    ``inputs`` maps argument names to arrays broadcastable to ``got`` (rows for
    row-wise functions) so the message can say where the worst error is.
    """
    reference = np.asarray(reference, dtype=np.float64)
    assert_floating(got, what)
    assert_same_shape(got, reference.shape, what)
    got64 = got.astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        error = np.abs(got64 - reference)
    bound = np.broadcast_to(np.asarray(bound, dtype=np.float64), reference.shape)
    bad = ~(error <= bound)  # nan and inf errors count as bad
    if not bad.any():
        return
    ratio = np.where(np.isfinite(error), error / np.maximum(bound, 1e-300), np.inf)
    worst = np.unravel_index(int(np.argmax(np.where(bad, ratio, -1.0))), reference.shape)
    where = f" at {_describe(inputs, worst)}" if inputs else ""
    raise AssertionError(
        f"{what}: {int(bad.sum())} of {bad.size} values outside the tolerance; worst{where}: "
        f"expected {reference[worst]:.17g}, got {got64[worst]:.17g} "
        f"(error {error[worst]:.3g}, allowed {bound[worst]:.3g})"
    )
