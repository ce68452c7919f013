"""The graders' figures (course_numerics.figures): whatever the student's function returns, a figure or none,
never a grader error; and no figure is tried once a call has timed out.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from nbformat.v4 import new_output
from PIL import Image

from course_kit.grading.student_kernel import StudentCodeError, StudentKernel
from course_numerics import reference
from course_numerics.figures import compact_png, curves, drawn, png_base64, public_logits
from course_numerics.tolerances import logsumexp_bound, relative_bound

Z = public_logits(40, top_decade=3)
EXACT = reference.sigmoid(Z)
BOUND = relative_bound(EXACT, np.float64)


def _pixels(figure) -> tuple[int, np.ndarray]:
    png = base64.b64decode(png_base64(figure))
    with Image.open(io.BytesIO(png)) as image:
        return len(png), np.asarray(image.convert("L"))


@pytest.mark.parametrize("got", [
    pytest.param(EXACT.copy(), id="right"),
    pytest.param(np.where(Z > 700, np.nan, np.where(Z < -30, 0.0, EXACT)), id="nan and zeros"),
    pytest.param(np.full_like(Z, np.inf), id="all inf"),
    pytest.param(None, id="raised"),
    pytest.param(np.ones((3, 2)), id="wrong shape"),
])
def test_a_figure_whatever_the_function_returned(got):
    size, pixels = _pixels(curves(Z, got, EXACT, BOUND, name="sigmoid(z)", xlabel="z", value_scale="log",
                                  x_scale="symlog"))
    assert size < 100_000 and len(np.unique(pixels)) > 1


def test_rows_of_values():
    t = np.linspace(-800.0, 800.0, 41)
    z = np.stack([t, np.zeros_like(t), -t], axis=1)
    exact = reference.logsumexp(z)
    with np.errstate(over="ignore"):
        naive = np.log(np.sum(np.exp(z), axis=1))
    _, pixels = _pixels(curves(t, naive, exact, logsumexp_bound(z, np.float64), name="logsumexp", xlabel="t"))
    assert len(np.unique(pixels)) > 1
    softmax = reference.softmax(z)
    _, pixels = _pixels(curves(t, softmax * 1.01, softmax, 1e-9, name="softmax", xlabel="t", value_scale="log"))
    assert len(np.unique(pixels)) > 1


def _kernel(outputs: list, scratch: Path) -> StudentKernel:
    """Its call folder in the test's tmp_path, which pytest removes; by default it would be left in /tmp."""
    return StudentKernel(lambda source: outputs, scratch_parent=scratch)


def test_no_figure_once_a_call_timed_out(tmp_path):
    student = _kernel([new_output("error", ename="KeyboardInterrupt", evalue="", traceback=[])], tmp_path)
    with pytest.raises(StudentCodeError):
        student.call("sigmoid", Z)
    assert not student.answers_in_time
    asked = []
    assert drawn(lambda student: asked.append(1), {"student": student}, "test_x") is None and not asked


def test_a_drawing_that_fails_costs_a_figure_only(tmp_path):
    student = _kernel([], tmp_path)
    assert student.answers_in_time

    def raises_student_error(student):
        raise StudentCodeError("sigmoid(...) raised ValueError")

    def has_a_bug(student):
        return 1 / 0

    assert drawn(raises_student_error, {"student": student}, "test_x") is None
    with pytest.warns(UserWarning, match="no figure for test_x: ZeroDivisionError"):
        assert drawn(has_a_bug, {"student": student}, "test_x") is None
    figure = curves(Z, EXACT, EXACT, BOUND, name="s", xlabel="z")
    assert base64.b64decode(drawn(lambda student: figure, {"student": student}, "test_x")).startswith(b"\x89PNG")


def _fresh_png(figure) -> bytes:
    """The PNG as matplotlib draws it with a canvas of its own (at the graders' density and palette)."""
    buffer = io.BytesIO()
    FigureCanvasAgg(figure).print_png(buffer)  # the figure is made at DPI
    return compact_png(buffer.getvalue(), figure.alt_text)


def test_figures_of_one_size_share_a_renderer_and_draw_as_on_their_own():
    """One renderer, cleared between figures, measures each text once: the pictures are those of fresh canvases."""
    right = lambda: curves(Z, EXACT, EXACT, BOUND, name="sigmoid(z)", xlabel="z", value_scale="log")  # noqa: E731
    wrong = lambda: curves(Z, np.full_like(Z, np.inf), EXACT, BOUND, name="naive", xlabel="t")  # noqa: E731
    first, second, third = right(), wrong(), right()
    pngs = [base64.b64decode(png_base64(figure)) for figure in (first, second, third)]
    assert first.canvas.get_renderer() is second.canvas.get_renderer()
    assert pngs == [_fresh_png(right()), _fresh_png(wrong()), _fresh_png(right())]


def _labels(figure) -> set[str]:
    return {line.get_label() for ax in figure.axes for line in ax.get_lines()}


def test_legible_at_the_size_shown_and_described_for_screen_readers():
    """Drawn at twice the display density, shown at its size in inches, with its alt text: no image without one."""
    from course_kit.grading.report_html import figure_display
    from course_numerics.figures import DISPLAY_PPI, DPI, FONT_SIZE

    assert DPI >= 2 * DISPLAY_PPI and FONT_SIZE * DISPLAY_PPI / 72 >= 10  # tick labels >= 10 px as shown
    png = base64.b64decode(png_base64(curves(Z, EXACT, EXACT, BOUND, name="sigmoid(z)", xlabel="z")))
    shown = figure_display(png, "a check")
    with Image.open(io.BytesIO(png)) as image:
        assert shown["width"] == round(image.size[0] * DISPLAY_PPI / DPI)
    assert shown["alt"].startswith("Two panels for z from -1000 to 1000") and "within the bound" in shown["alt"]
    assert figure_display(b"not a png", "a check") == {"alt": "Figure for the check: a check"}


def test_no_failure_marks_on_a_right_answer_whose_exact_value_underflows():
    """A loss that is exactly 0 where the exact one is a tiny subnormal is within the bound: no red marks."""
    t = np.linspace(0.0, 800.0, 41)
    z = np.stack([t, np.zeros_like(t), -t], axis=1)
    labels = np.zeros(len(t), dtype=np.int64)
    exact = reference.sparse_cce(labels, z)
    assert np.any((exact > 0) & (exact < 1e-300))  # the case: exact values below the smallest normal number
    got = np.where(exact < 1e-300, 0.0, exact)
    figure = curves(t, got, exact, logsumexp_bound(z, np.float64), name="sparse_cce", xlabel="t", value_scale="log")
    assert not {"yours: 0 or less", "over the bound", "nan or inf"} & _labels(figure)
    assert "within the bound at every point" in figure.alt_text
    wrong = curves(t, got + 1.0, exact, logsumexp_bound(z, np.float64), name="sparse_cce", xlabel="t",
                   value_scale="log")
    assert "over the bound" in _labels(wrong)


def test_the_naive_formulas_own_inf_is_marked_as_intended_not_as_a_mistake():
    z = np.linspace(-50.0, 50.0, 101)
    with np.errstate(all="ignore"):
        p = 1 / (1 + np.exp(-z))
        naive = -np.log(1 - p)
    exact = reference.bce(np.zeros_like(z), z)
    figure = curves(z, naive, exact, 1e-6 * (1 + np.exp(np.abs(z))), name="naive", xlabel="z", value_scale="log",
                    as_designed=naive, as_designed_label="as the naive formula")
    assert "yours: nan or inf, as the naive formula" in _labels(figure) and "yours: nan or inf" not in _labels(figure)
    other = np.where(np.isinf(naive), np.nan, naive)  # nan where the formula is inf: a mistake, in red
    labels = _labels(curves(z, other, exact, 1e-6 * (1 + np.exp(np.abs(z))), name="naive", xlabel="z",
                            value_scale="log", as_designed=naive, as_designed_label="as the naive formula"))
    assert "yours: nan or inf" in labels and "yours: nan or inf, as the naive formula" not in labels


def test_the_error_axis_spans_at_most_eight_decades_below_the_bound():
    t = np.linspace(-800.0, 800.0, 41)
    z = np.stack([t, np.zeros_like(t), -t], axis=1)
    exact = reference.log_softmax(z)
    got = exact * (1 + 1e-150)  # errors far below the bound, and 0
    got[:, 0] = exact[:, 0] + 1e-300
    figure = curves(t, got, exact, logsumexp_bound(z, np.float64)[:, None], name="log_softmax", xlabel="t")
    bottom, top = figure.axes[1].get_ylim()
    assert bottom >= 1e-9 and top <= 10
