"""Hidden grader of the test cell test_sigmoid: sigmoid(z) = 1 / (1 + exp(-z)) against a 200-bit reference.

Accuracy is judged relative to the size of the answer (``sigmoid_bound``, ``tolerances.SIGMOID``:
4 eps (1 + |z|) |sigmoid(z)| plus the smallest normal number), because at very negative z sigmoid(z) is
tiny and the loss takes its log: returning 0 at z = -40, where the answer is 4.2e-18, turns
naive_bce(1, -40) into inf.  The (1 + |z|) is the error analysis of the correct forms that pass through a
logarithm: ``exp(-logaddexp(0, -z))`` rounds log(1 + e^-z) ~ |z| to an absolute eps |z|, which exp turns
into a relative error eps |z| (measured: 7.28e-23 at z = -17, 0.44 eps (1 + |z|)); the derivation is in
``sigmoid_bound``'s docstring and tests/test_sigmoid_tolerance.py measures every accepted form (the
textbook one, exp(z) / (1 + exp(z)) where it does not overflow, the piecewise form, the logaddexp forms,
float64 rounded back to float32: all within 1.4 eps (1 + |z|) |sigmoid|) and every rejected one
(0.5 (1 + tanh(z / 2)), clipping p or z, a bias: millions of times the bound or more) on 28000 logits.

In ps1, exp may overflow (at z = -800 it does, and the result is still the right 0), so no check runs
under fp_errors="raise".

The feedback's figure (on the edge-value check) draws the student's sigmoid against the exact one on a
public, dense range of logits out to +-1e4, and its error against the bound.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

from course_kit.grading.accuracy import assert_within
from course_kit.grading.student_kernel import in_order
from course_numerics import reference
from course_numerics.figures import answer, curves, public_logits
from course_numerics.tolerances import SIGMOID, sigmoid_bound

_EDGE = np.array([0.0, 1e-300, 17.0, 37.0, 40.0, 100.0, 709.8, 800.0, 1e4])
EDGE = np.concatenate([_EDGE, -_EDGE[1:]])  # 0, +-1e-300, +-17, ..., +-1e4 (1e-300 is 0 in float32)
EXTREME = np.array([709.8, 800.0, 1e4, -709.8, -800.0, -1e4])

RELATIVE_NAME = f"{SIGMOID} + tiny"
# Appended to accuracy failures: the bound is relative, which surprises when the error itself is tiny.
RELATIVE = "tiny results must be accurate relative to their own size"

DTYPES = [pytest.param(np.float64, id="float64"), pytest.param(np.float32, id="float32")]

# The feedback's figure: a public, dense range of logits, 0 and +-10^(-2 .. 4).
FIGURE_Z = public_logits(150)


def sigmoid_curves(student):
    """The student's sigmoid against the exact one on FIGURE_Z (float64), with its error against the bound."""
    exact = reference.sigmoid(FIGURE_Z)
    return curves(FIGURE_Z, answer(student, "sigmoid", FIGURE_Z), exact, sigmoid_bound(FIGURE_Z, exact, np.float64),
                  name="sigmoid(z)", xlabel="logit z", value_scale="log", x_scale="symlog",
                  bound_label=f"allowed: {RELATIVE_NAME}")


@functools.lru_cache(maxsize=8)  # a few students' grids: a grading worker grades one student after another
def random_grids(dtype: type, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A (600,) grid across the interesting range and a (20, 30) grid of magnitudes up to 1e3, drawn from ``seed``
    (the kit's ``hidden_seed``: the student's own)."""
    rng = np.random.default_rng(seed)
    flat = np.concatenate([rng.uniform(-120.0, 120.0, 400), rng.normal(0.0, 5.0, 200)])
    magnitudes = 10.0 ** rng.uniform(-3.0, 3.0, (20, 30)) * rng.choice([-1.0, 1.0], (20, 30))
    return flat.astype(dtype), magnitudes.astype(dtype)


@pytest.mark.weight(2)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.figure(draw=sigmoid_curves)
def test_edge_values(student, dtype):
    """sigmoid is accurate on the edge values 0, +-1e-300, +-17, +-37, +-40, +-100, +-709.8, +-800, +-1e4"""
    z = EDGE.astype(dtype)
    got = student.call("sigmoid", z)
    assert_within(got, reference.sigmoid(z), sigmoid_bound(z, reference.sigmoid(z), dtype),
                  f"sigmoid on edge values ({np.dtype(dtype).name}; {RELATIVE})", inputs={"z": z})


@pytest.mark.parametrize("dtype", DTYPES)
def test_random_grids(student, dtype, hidden_seed):
    """sigmoid is accurate on random logits, as a vector and as a matrix"""
    kinds = ("a vector of random logits", "a matrix of random logits")
    grids = random_grids(dtype, hidden_seed)
    answers = student.call_many("sigmoid", [(z,) for z in grids])
    for z, kind, got in zip(grids, kinds, in_order(answers), strict=True):
        assert_within(got, reference.sigmoid(z), sigmoid_bound(z, reference.sigmoid(z), dtype),
                      f"sigmoid on {kind} ({np.dtype(dtype).name}; {RELATIVE})", inputs={"z": z})


def test_no_nan_at_extremes(student):
    """sigmoid never returns nan, even at z = +-709.8, +-800, +-1e4"""
    zs = [EXTREME.astype(dtype) for dtype in (np.float64, np.float32)]
    answers = student.call_many("sigmoid", [(z,) for z in zs])
    for z, got in zip(zs, in_order(answers), strict=True):
        dtype = z.dtype
        bad = np.isnan(got)
        assert not bad.any(), (
            f"sigmoid returned nan in {np.dtype(dtype).name} at z = {z[bad].tolist()}; expected values in [0, 1] "
            "(sigmoid is 1 for large positive z and 0 for large negative z)"
        )


@pytest.mark.weight(0.5)
def test_single_numbers(student):
    """sigmoid of a single number is a single number"""
    cases = [(value, dtype) for value in (0.0, 2.0, -40.0) for dtype in (np.float64, np.float32)]
    answers = student.call_many("sigmoid", [(dtype(value),) for value, dtype in cases])
    for (value, dtype), got in zip(cases, in_order(answers), strict=True):
        z = dtype(value)
        name = np.dtype(dtype).name
        assert got.shape == (), f"sigmoid({value}) in {name} returned shape {got.shape}, expected ()"
        assert_within(got, reference.sigmoid(z), sigmoid_bound(z, reference.sigmoid(z), dtype),
                      f"sigmoid of a single {name} number ({RELATIVE})", inputs={"z": z})


@pytest.mark.weight(0.5)
def test_dtype_preserved(student):
    """float32 in gives float32 out, float64 in gives float64 out"""
    cases = [(dtype, z, kind) for dtype in (np.float32, np.float64)
             for z, kind in ((np.linspace(-5, 5, 11).astype(dtype), "an array"), (dtype(1.5), "a single number"))]
    answers = student.call_many("sigmoid", [(z,) for _, z, _ in cases])
    for (dtype, _, kind), got in zip(cases, in_order(answers), strict=True):
        assert got.dtype == dtype, (
            f"sigmoid of {kind} of dtype {np.dtype(dtype).name} returned dtype {got.dtype}; "
            f"expected {np.dtype(dtype).name} (compute with numpy functions, without converting the input)"
        )
