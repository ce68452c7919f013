"""Comparing a submission's numbers with exact ones: a bound per element, and messages that locate the worst.

The bound itself is the course's business (how a correct formula may round depends on what it
computes: see the course's own tolerances, e.g. ``graders/course_numerics/tolerances.py``); this
module only applies one, elementwise, and words the failure for a student:

    |computed - reference| <= bound

with nan or inf counted as failures wherever the reference is finite.  A failure message names
the kind of input and the worst element, never the whole hidden set.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike


def eps(dtype: np.dtype | type) -> float:
    """The machine epsilon of a floating dtype: the spacing of its numbers just above 1."""
    return float(np.finfo(dtype).eps)


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
