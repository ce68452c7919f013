"""High-precision references for the losses the course teaches, computed with mpmath.

Each input element is converted to an ``mpf`` exactly (a binary float is a
rational number), so the reference is the true value of the function at the
float the student's code received, not at some nearby decimal.  The formulas
are evaluated at ``PRECISION_BITS`` bits (more where a row needs them, below)
and then rounded once to float64, correctly in relative terms, which is far
finer than any tolerance applied to float32 or float64 student output.  (Below
the smallest normal float64, 2.2e-308, results are subnormal and only
absolutely accurate: mpmath rounds to 53 bits, then to the subnormal's fewer;
every relative bound in the graders adds that smallest normal number.)

Working precision is not enough on its own: 200 bits keep a sum of terms of
very different sizes only to 200 bits *of the largest term*.  So every formula
is arranged so that the small part of the answer is never added to a large one
and then recovered by subtraction:

    bce(y, z)       = z (1 - y) + log1p(exp(-z))   for z >= 0
                    = -z y      + log1p(exp(z))    for z <  0

Both terms are non-negative, so the sum keeps the relative accuracy of each.
For the functions of a row z_1..z_k, with m = z_a its (first) maximum and
s = sum_{j != a} exp(z_j - m) the sum of the non-maximal terms (Blanchard,
Higham and Higham, "Accurately computing the log-sum-exp and softmax
functions", IMA J. Numer. Anal. 41(4), 2021; scipy's logsumexp does the same):

    logsumexp(z)     = m + log1p(s)
    log_softmax(z)_i = (z_i - m) - log1p(s)
    softmax(z)_i     = exp((z_i - m) - log1p(s))
    sparse_cce(y, z) = (m - z_y) + log1p(s)

The log-sum-exp of the textbook, m + log(sum_j exp(z_j - m)), forms 1 + s and
loses s when s < 2^-200: logsumexp([0, -236]) came out as 0 where the exact
value is log1p(e^-236) = 3.2e-103, and sparse_cce of label 0 of [200, 0] as 0
where it is 1.4e-87.  With log1p(s), log_softmax and sparse_cce add two terms
of one sign, and softmax exponentiates an exponent known to 200 bits.  Only
logsumexp can cancel, when -log k <= m < 0 and log1p(s) is close to -m; there
the row is evaluated again at twice the precision until the result keeps
PRECISION_BITS bits of its own.

The exact part of each answer (z (1 - y), -z y, z_i - m, m - z_y) is computed
exactly, and the small correction is added to it exactly before the one
rounding to float64 (``_round``): rounding the sum to 200 bits first would put
it exactly halfway between two float64 numbers whenever the exact part has 54
significant bits, which differences of logits often have.

Each function remembers its results for recent inputs (``_remembered``, the
graders' one cache of exact values): a grading process asks for the same hidden
inputs for every submission, and at ~20 us an element mpmath would otherwise
dominate the time a submission takes to grade.  The cache lasts as long as the
process: pytest, run in-process once per submission by the autograder, imports
this module (and, with --import-mode=importlib, the grader modules and their
conftests too) once and finds it in sys.modules on every later run
(tests/test_grading_support.py checks that).
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Callable

import mpmath
import numpy as np
from numpy.typing import ArrayLike, NDArray

from course_kit.grading.phase_times import phase

PRECISION_BITS = 200

_ctx = mpmath.MPContext()
_ctx.prec = PRECISION_BITS


def _remembered(function: Callable[..., np.ndarray], size: int = 256) -> Callable[..., np.ndarray]:
    """Cache results by the exact inputs (dtype, shape, bytes); hand out read-only arrays."""
    results: OrderedDict[tuple, np.ndarray] = OrderedDict()

    @functools.wraps(function)
    def wrapper(*args: ArrayLike) -> np.ndarray:
        arrays = [np.asarray(a) for a in args]
        key = tuple((a.dtype.str, a.shape, a.tobytes()) for a in arrays)
        if key not in results:
            with phase("references"):  # the grading record's timings.phases: where a notebook's time goes
                result = function(*arrays)
            result.flags.writeable = False
            results[key] = result
            if len(results) > size:
                results.popitem(last=False)
        results.move_to_end(key)
        return results[key]

    return wrapper


def _mpf(x: float) -> mpmath.mpf:
    return _ctx.mpf(float(x))  # float(np.float32) is exact, so is mpf(float)


@_remembered
def sigmoid(z: ArrayLike) -> NDArray[np.float64]:
    """1 / (1 + exp(-z)) elementwise."""
    z = np.asarray(z)
    out = [1 / (1 + _ctx.exp(-_mpf(v))) for v in z.ravel()]
    return np.array([float(v) for v in out], dtype=np.float64).reshape(z.shape)


def _round(large: mpmath.mpf, small: mpmath.mpf) -> float:
    """float(large + small), rounded once from the exact sum.

    ``large`` is an exact part of the answer (a logit, a difference of logits, z (1 - y)); ``small`` is a
    correction known to PRECISION_BITS bits of its own.  Adding them at a working precision and then
    rounding to float64 rounds twice: where ``large`` has 54 significant bits it sits exactly halfway
    between two float64 numbers, the correction (1e-140 say) is lost in the first rounding, and the second
    one breaks the tie to even, on the wrong side half the time.  The exact sum keeps the correction's sign.
    """
    return float(_exact_sum(_ctx, large, small))


# The exact parts are sums, differences and products of float64 numbers: below 2^-2200 of their size they
# have no bits, so nothing this far below one can move it across a float64 rounding boundary or a tie.
NEGLIGIBLE_BITS = 10_000


def _exact_sum(ctx: mpmath.MPContext, large: mpmath.mpf, small: mpmath.mpf) -> mpmath.mpf:
    """large + small exactly, with ``small`` replaced by a stand-in of its sign when it is too small to matter
    (log1p(exp(-1e300)) has an exponent of -1.4e300: the exact sum with 1e300 would not fit in memory)."""
    if large != 0 and small != 0 and ctx.mag(large) - ctx.mag(small) > NEGLIGIBLE_BITS:
        small = ctx.ldexp(ctx.sign(small), ctx.mag(large) - NEGLIGIBLE_BITS)
    return ctx.fadd(large, small, exact=True)


@_remembered
def bce(y_true: ArrayLike, z: ArrayLike) -> NDArray[np.float64]:
    """Binary cross-entropy of logits z against (possibly soft) labels y, elementwise."""
    y, z = np.broadcast_arrays(np.asarray(y_true), np.asarray(z))
    out = np.empty(z.shape, dtype=np.float64)
    for index, (yv, zv) in enumerate(zip(y.ravel(), z.ravel(), strict=True)):
        ym, zm = _mpf(yv), _mpf(zv)
        if zm >= 0:  # z (1 - y) exactly, then log1p(exp(-z)) > 0
            linear = _ctx.fmul(zm, _ctx.fsub(1, ym, exact=True), exact=True)
            out.flat[index] = _round(linear, _ctx.log1p(_ctx.exp(-zm)))
        else:
            out.flat[index] = _round(_ctx.fmul(-zm, ym, exact=True), _ctx.log1p(_ctx.exp(zm)))
    return out


def _rows(z: ArrayLike) -> tuple[np.ndarray, tuple[int, ...]]:
    z = np.asarray(z)
    return z.reshape(-1, z.shape[-1]), z.shape


def _row_terms(row: np.ndarray, ctx: mpmath.MPContext = _ctx) -> tuple[list[mpmath.mpf], mpmath.mpf, mpmath.mpf]:
    """The row as exact mpf values, its maximum m, and log1p(s), s = the sum of exp(z_j - m) over all j but one
    argmax.  The terms of s are in [0, 1], so their sum has no cancellation."""
    values = [ctx.mpf(float(v)) for v in row]
    top = max(range(len(values)), key=values.__getitem__)
    m = values[top]
    rest = ctx.fsum(ctx.exp(v - m) for j, v in enumerate(values) if j != top)
    return values, m, ctx.log1p(rest)


def _diff(a: mpmath.mpf, b: mpmath.mpf) -> mpmath.mpf:
    return _ctx.fsub(a, b, exact=True)


def _row_logsumexp(row: np.ndarray) -> float:
    """m + log1p(s), correctly rounded.

    For m < 0 the two terms have opposite signs and may cancel: log1p(s) is known to ``prec`` bits, the
    exact sum to ``prec`` minus the bits that cancelled.  Evaluate again at twice the precision until
    PRECISION_BITS bits of the result are left.
    """
    prec = PRECISION_BITS
    while True:
        ctx = _ctx if prec == PRECISION_BITS else mpmath.MPContext()
        ctx.prec = prec
        _, m, log1p_s = _row_terms(row, ctx)
        exact = _exact_sum(ctx, m, log1p_s)
        if m >= 0 or exact == 0 or ctx.mag(exact) >= ctx.mag(log1p_s) - (prec - PRECISION_BITS):
            return float(exact)
        prec *= 2


@_remembered
def logsumexp(z: ArrayLike) -> NDArray[np.float64]:
    """log(sum_j exp(z_j)) over the last axis, as m + log1p(s)."""
    rows, shape = _rows(z)
    return np.array([_row_logsumexp(r) for r in rows], dtype=np.float64).reshape(shape[:-1])


def _each_element(z: ArrayLike, element: Callable[[mpmath.mpf, mpmath.mpf, mpmath.mpf], float]) -> np.ndarray:
    """element(z_i, m, log1p(s)) for every element of every row (last axis), in the shape of z."""
    rows, shape = _rows(z)
    out = []
    for row in rows:
        values, m, log1p_s = _row_terms(row)
        out.append([element(v, m, log1p_s) for v in values])
    return np.array(out, dtype=np.float64).reshape(shape)


@_remembered
def log_softmax(z: ArrayLike) -> NDArray[np.float64]:
    """z_i - logsumexp(z) over the last axis, as (z_i - m) - log1p(s): two terms <= 0, no cancellation."""
    return _each_element(z, lambda v, m, log1p_s: _round(_diff(v, m), -log1p_s))


@_remembered
def softmax(z: ArrayLike) -> NDArray[np.float64]:
    """exp(z_i - logsumexp(z)) over the last axis, as exp((z_i - m) - log1p(s))."""
    return _each_element(z, lambda v, m, log1p_s: float(_ctx.exp(_diff(v, m) - log1p_s)))


@_remembered
def sparse_cce(labels: ArrayLike, z: ArrayLike) -> NDArray[np.float64]:
    """Per-example loss logsumexp(z_n) - z_n[labels_n] for logits z of shape (n, k), as (m - z_y) + log1p(s):
    two terms >= 0, no cancellation."""
    z = np.asarray(z)
    labels = np.asarray(labels)
    out = []
    for row, label in zip(z, labels, strict=True):
        values, m, log1p_s = _row_terms(row)
        out.append(_round(_diff(m, values[label]), log1p_s))
    return np.array(out, dtype=np.float64)
