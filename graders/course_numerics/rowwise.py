"""The checks ps2's graders share for a function of rows of logits: logsumexp, softmax, log_softmax, sparse_cce.

Each takes logits z of shape (..., k) and works along the last axis, and each is checked the same
way: within its bound of the exact value on the row tables of ``graders/ps2_stable_loss/conftest.py``
(extreme, random, at the dtype's limits), with the right shapes, the dtype kept, and no
floating-point warning.  ``RowwiseFunction`` is one student function seen through those checks;
``SharedChecks`` writes the test functions a grader module lists, each named from the module's
``Tolerance`` so that the name students read and the bound applied are one value; the extreme-rows
check carries the feedback's figure (``course_numerics.figures``), the function on rows [t, 0, -t].

References come from ``course_numerics.reference``, whose functions remember their recent inputs:
that is the graders' one cache of exact values.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from matplotlib.figure import Figure

from course_kit.grading.accuracy import assert_same_shape
from course_kit.grading.student_kernel import StudentKernel, in_order
from course_numerics.figures import answer, curves, public_logits
from course_numerics.hints import SILENCERS, code_names
from course_numerics.mistakes import assert_within_named
from course_numerics.tolerances import Tolerance, shown_as

DTYPES = (np.float64, np.float32)
SHAPE_CHECK_SHAPES = [(4,), (5, 4), (2, 3, 4), (6, 1)]
SHAPE_CHECK_RTOL = 1e-6  # the shape checks only make sure the values are not garbage
DTYPE_CHECK_ROWS = [[1.0, 2.0, 3.0], [0.0, -1.0, 5.0]]

# The feedback's figures: rows [t, 0, -t] for t = 0 and +-10^(-2 .. 4), a public, dense family on which the naive
# formulas overflow (|t| > 709.8) and log(softmax) takes log(0) (t < -372).
FIGURE_T = public_logits(100)


def figure_rows() -> np.ndarray:
    return np.stack([FIGURE_T, np.zeros_like(FIGURE_T), -FIGURE_T], axis=1)


Bound = Callable[[np.ndarray, np.ndarray, type], np.ndarray]  # (z, reference, dtype) -> allowed |error|
RowTable = dict[int, np.ndarray]  # row size k -> rows of shape (n, k)


class RowwiseFunction:
    """One of the student's functions of logits z of shape (..., k), seen through the checks the graders share.

    ``reduces_last_axis``: the result has shape (...) (one value per row, like logsumexp) rather
    than the shape of z (like softmax).  ``bound(z, ref, dtype)`` is the module's tolerance, needed
    by ``within_bound`` only.  Every check raises AssertionError (or StudentCodeError) with a
    message written for the student.
    """

    def __init__(
        self, student: StudentKernel, name: str, reference_fn: Callable[..., np.ndarray], *,
        reduces_last_axis: bool, bound: Bound | None = None,
    ) -> None:
        self.student = student
        self.name = name
        self.reference_fn = reference_fn
        self.reduces_last_axis = reduces_last_axis
        self.bound = bound

    def reference(self, rows: np.ndarray, dtype: type) -> tuple[np.ndarray, np.ndarray]:
        """The rows in dtype, and the exact value of the function there."""
        z = rows.astype(dtype)
        return z, self.reference_fn(z)

    def _where(self, z: np.ndarray) -> dict[str, np.ndarray]:
        """How a failure message locates the worst element: by its row, or by z_i and its row's max."""
        if self.reduces_last_axis:
            return {"row": z}
        return {"z_i": z, "max of the row": np.broadcast_to(np.max(z, axis=-1, keepdims=True), z.shape)}

    def within_bound(self, table: RowTable, dtype: type, what: str) -> None:
        """Within the module's bound of the exact value on every row of the table, cast to dtype."""
        cases = {k: self.reference(rows, dtype) for k, rows in table.items()}
        answers = self.student.call_many(self.name, [(z,) for z, _ in cases.values()])
        for (k, (z, ref)), got in zip(cases.items(), in_order(answers), strict=True):
            assert_within_named(self.name, (z,), got, ref, self.bound(z, ref, dtype),
                                f"{what} (k = {k}, {np.dtype(dtype).name})", inputs=self._where(z))

    def shapes(self, relative: bool = False) -> None:
        """Right shape for (k,), (n, k), (2, 3, k) and k = 1, values right to SHAPE_CHECK_RTOL.

        ``relative``: the values are checked relative to the reference (for results in (0, 1]),
        otherwise relative to 1 + |reference|.
        """
        zs = [np.linspace(-30.0, 30.0, int(np.prod(shape))).reshape(shape) for shape in SHAPE_CHECK_SHAPES]
        answers = self.student.call_many(self.name, [(z,) for z in zs])
        for shape, z, got in zip(SHAPE_CHECK_SHAPES, zs, in_order(answers), strict=True):
            ref = self.reference_fn(z)
            what = f"{self.name} on an input of shape {shape}"
            assert_same_shape(got, ref.shape, what)
            if relative:
                allowed, loosely = SHAPE_CHECK_RTOL * (1e-300 + ref), f"to {SHAPE_CHECK_RTOL:g} relative"
            else:
                allowed, loosely = SHAPE_CHECK_RTOL * (1 + np.abs(ref)), f"to {SHAPE_CHECK_RTOL:g}"
            assert_within_named(self.name, (z,), got, ref, allowed, f"{what} (values checked loosely, {loosely})")

    def _call(self, z: np.ndarray, labels: np.ndarray | None, **options) -> np.ndarray:
        args = (z,) if labels is None else (labels, z)
        return self.student.call(self.name, *args, **options)

    def keeps_dtype(self, labels: np.ndarray | None = None) -> None:
        """float32 logits in, float32 out; float64 in, float64 out.  ``labels``, if given, go before the logits."""
        zs = [np.array(DTYPE_CHECK_ROWS, dtype) for dtype in DTYPES]
        answers = self.student.call_many(self.name, [(z,) if labels is None else (labels, z) for z in zs])
        for dtype, got in zip(DTYPES, in_order(answers), strict=True):
            assert got.dtype == dtype, (
                f"{self.name} on {np.dtype(dtype).name} logits returned {got.dtype}, expected {np.dtype(dtype).name}"
            )

    def no_fp_warning(self, z: np.ndarray, labels: np.ndarray | None = None) -> None:
        """Right results (within the module's bound) on rows z under np.errstate(over, invalid, divide = "raise").

        Right, not merely finite: the warnings are checked in the student's kernel, where code can silence
        them (np.errstate(all="ignore"), nan_to_num), so this check pays only for code that needs no silencing.
        """
        got = self._call(z, labels, fp_errors="raise")
        expected_shape = z.shape[:-1] if self.reduces_last_axis else z.shape
        assert got.shape == expected_shape and np.all(np.isfinite(got)), (
            f"{self.name} under np.errstate(over/invalid/divide='raise') on extreme rows ({z.dtype.name}) "
            "returned inf or nan, or the wrong shape"
        )
        args = (z,) if labels is None else (labels, z)
        ref = self.reference_fn(*args)
        where = self._where(z) if labels is None else {"label": labels, "row": z}
        try:
            assert_within_named(self.name, args, got, ref, self.bound(z, ref, z.dtype.type),
                                f"{self.name} on extreme rows ({z.dtype.name}): no floating-point error was raised, "
                                "but the values there are wrong", inputs=where)
        except AssertionError as wrong:
            # Said only of code that can silence warnings (it names np.errstate, nan_to_num, ...): a student whose
            # formula is wrong for another reason (softmax twice) silenced nothing.
            silences = SILENCERS & code_names(self.student, self.name)
            if not silences:
                raise
            raise AssertionError(f"{wrong}\nYour {self.name} uses {', '.join(sorted(silences))}: a silenced "
                                 "warning is not a fixed formula; the formula beneath still needs the fix.") from None


class SharedChecks:
    """The test functions of a grader module for one function of rows of logits, named from its tolerance.

    A grader module binds each to a ``test_`` name; pytest then collects them like functions written
    there, with the fixtures of ``graders/ps2_stable_loss/conftest.py`` (``student``, ``extreme_rows``,
    ``random_rows``, ``fp_rows``, ``float_dtype``).
    """

    def __init__(
        self, name: str, reference_fn: Callable[..., np.ndarray], tolerance: Tolerance, bound: Bound, *,
        reduces_last_axis: bool, value_scale: str = "log",
    ) -> None:
        self.name = name
        self.tolerance = tolerance
        self.value_scale = value_scale  # the feedback figure's value axis: "log", or "symlog" for values <= 0
        self._function = (reference_fn, reduces_last_axis, bound)

    def curves(self, student: StudentKernel) -> Figure:
        """The feedback's figure: the student's function on the rows [t, 0, -t] of FIGURE_T, against the exact one."""
        reference_fn, _, bound = self._function
        z = figure_rows()
        exact = reference_fn(z)
        return curves(FIGURE_T, answer(student, self.name, z), exact, bound(z, exact, np.float64),
                      name=f"{self.name}([t, 0, -t])", xlabel="t", value_scale=self.value_scale, x_scale="symlog",
                      bound_label=f"allowed: {self.tolerance}")

    def function(self, student: StudentKernel) -> RowwiseFunction:
        reference_fn, reduces_last_axis, bound = self._function
        return RowwiseFunction(student, self.name, reference_fn, reduces_last_axis=reduces_last_axis, bound=bound)

    def extreme_rows(self, rows_like: str, what: str) -> Callable[..., None]:
        """Within the bound on the extreme float64 rows; ``what`` opens the failure message."""

        @pytest.mark.figure(draw=self.curves)
        @shown_as(f"{self.name} is within {self.tolerance} of the exact value on rows like {rows_like}")
        def test_extreme_rows(student: StudentKernel, extreme_rows: RowTable) -> None:
            self.function(student).within_bound(extreme_rows, np.float64, what)

        return test_extreme_rows

    def random_rows(self, row_sizes: tuple[int, ...]) -> Callable[..., None]:
        """Within the bound on the module's random rows, in each dtype."""
        sizes = ", ".join(map(str, row_sizes))

        @shown_as(f"{self.name} is within {self.tolerance} of the exact value on random rows, k = {sizes}")
        def test_random_rows(student: StudentKernel, random_rows: RowTable, float_dtype: type) -> None:
            self.function(student).within_bound(random_rows, float_dtype, f"{self.name} on random rows")

        return test_random_rows

    def shapes(self, shown: str, relative: bool = False) -> Callable[..., None]:
        """The shape checks, under the name ``shown`` (which says what the shapes should be)."""

        @shown_as(shown)
        def test_shapes(student: StudentKernel) -> None:
            self.function(student).shapes(relative=relative)

        return test_shapes

    def keeps_dtype(self) -> Callable[..., None]:
        @shown_as(f"{self.name} keeps the dtype: float32 in, float32 out (and float64 in, float64 out)")
        def test_float32_stays_float32(student: StudentKernel) -> None:
            self.function(student).keeps_dtype()

        return test_float32_stays_float32

    def no_fp_warning(self, rows_like: str) -> Callable[..., None]:
        @shown_as(f"{self.name} is right with floating-point warnings turned into errors, on rows like {rows_like}")
        def test_no_floating_point_warning(
            student: StudentKernel, fp_rows: dict[type, np.ndarray], float_dtype: type
        ) -> None:
            self.function(student).no_fp_warning(fp_rows[float_dtype])

        return test_no_floating_point_warning
