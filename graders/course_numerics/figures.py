"""Figures for the student's feedback, drawn by the graders in their own process (matplotlib, Agg, no pyplot).

A check asks for one with a marker that names a drawing function:

    @pytest.mark.figure(draw=sigmoid_curves)
    def test_edge_values(student, dtype): ...

After the check has run, passed or failed, ``pytest_runtest_call`` below calls the drawing
function (once per grading run, on the first check that names it: a parametrized check draws on its
first case) with the check's fixtures that it names as parameters (``student``, ``model``,
``blobs``, ...) and attaches the PNG to the check with ``record_property("figure", ...)``'s
property; the kit puts it in the feedback under the check's table.  Drawing after the check
means the check's own calls into the student's kernel happen first, in the order they always
did; and a figure is drawn only while every call so far has finished in time
(``StudentKernel.answers_in_time``), so its one extra call cannot use up the timeouts the
checks are allowed.  A figure is a courtesy: if the student's function raises, returns nan or
inf or the wrong shape, the figure says so or is left out, and a failure of the drawing itself
is a warning in the instructor's log, never a failed check.

Figures show the student's function on public, dense ranges of inputs, never the hidden test
points.  ``curves`` is the one for functions of logits: the student's values against the exact
ones, and the error against the allowed bound on log axes, so the student sees where the
formula breaks.
"""

from __future__ import annotations

import base64
import inspect
import io
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator, PercentFormatter

from course_kit.grading.student_kernel import StudentCodeError, StudentKernel
from course_numerics.canvas import SharedRendererCanvas

SIZE_IN = (6.0, 3.0)
DPI = 80
FONT_SIZE = 7
EXACT, YOURS, ALLOWED, BAD = "black", "tab:orange", "tab:blue", "tab:red"

Draw = Callable[..., Figure | None]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "figure(draw=f): after the check, f(<its fixtures>) draws the feedback's figure")


_DRAWN = pytest.StashKey[set]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    try:
        return (yield)
    finally:
        marker = item.get_closest_marker("figure")
        done = item.config.stash.setdefault(_DRAWN, set())
        draw = marker.kwargs.get("draw") if marker is not None else None
        if draw is not None and draw not in done:  # once per run: on the first check that asks
            done.add(draw)
            png = drawn(draw, getattr(item, "funcargs", {}), item.nodeid)
            if png is not None:
                item.user_properties.append(("figure", png))


def drawn(draw: Draw, fixtures: dict[str, Any], what: str) -> str | None:
    """draw(**the fixtures it names) as a base64 PNG; None if it drew nothing or could not draw."""
    student = fixtures.get("student")
    if not isinstance(student, StudentKernel) or not student.answers_in_time:
        return None
    try:
        figure = draw(**{name: fixtures[name] for name in inspect.signature(draw).parameters})
        return None if figure is None else png_base64(figure)
    except (StudentCodeError, AssertionError):  # the student's code gave nothing to draw: the table says why
        return None
    except Exception as error:  # noqa: BLE001 - a figure must never fail a check
        warnings.warn(f"no figure for {what}: {type(error).__name__}: {error}", stacklevel=1)
        return None


def png_base64(figure: Figure) -> str:
    SharedRendererCanvas(figure)  # the figure's canvas from now on: text measured once per process
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def answer(student: StudentKernel, function: str, *args: Any) -> np.ndarray | None:
    """function(*args) in the student's kernel as float64, or None if it raised or returned no numbers."""
    try:
        return student.call(function, *args).astype(np.float64)
    except StudentCodeError:
        return None


def new_figure(columns: int = 2) -> tuple[Figure, list]:
    """A small figure of panels side by side.  Fixed margins: a layout engine measures every tick label and
    costs a second a figure; and plain "1e-300" labels, because mathtext ones are slow to lay out."""
    figure = Figure(figsize=SIZE_IN, dpi=DPI)
    figure.subplots_adjust(left=0.11, right=0.98, bottom=0.15, top=0.91, wspace=0.32)
    axes = list(np.atleast_1d(figure.subplots(1, columns)))
    for ax in axes:
        ax.tick_params(labelsize=FONT_SIZE)
    return figure, axes


def log_y(ax, scale: str = "log") -> None:
    """A log (or symlog) y axis with at most 6 plain labels and no minor ticks."""
    if scale == "symlog":
        ax.set_yscale("symlog", linthresh=1.0)
    else:
        ax.set_yscale("log")
        ax.yaxis.set_major_locator(LogLocator(numticks=6))
    ax.yaxis.set_minor_locator(NullLocator())
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0e}".replace("e+0", "e").replace("e-0", "e-")
                                               if v not in (0.0, 1.0, -1.0) else f"{v:g}"))


def _set_x_scale(ax, scale: str, x: np.ndarray) -> None:
    """linear, log, or symlog (linear within +-1) with every other decade labelled, so that labels do not collide."""
    if scale != "symlog":
        ax.set_xscale(scale)
        return
    ax.set_xscale("symlog", linthresh=1.0)
    ax.xaxis.set_minor_locator(NullLocator())
    top = int(np.ceil(np.log10(max(float(np.max(np.abs(x))), 1.0))))
    decades = [10.0**d for d in range(0, top + 1, 2 if top > 3 else 1)]
    ticks = [t for t in sorted({0.0, *decades, *(-d for d in decades)}) if np.min(x) <= t <= np.max(x)]
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])


def _mark_at_edge(ax, x: np.ndarray, where: np.ndarray, label: str, top: bool = True) -> None:
    """Markers at the top (or bottom) edge of the panel where a value cannot be drawn (nan, inf, <= 0 on log)."""
    if where.any():
        ax.plot(x[where], np.full(int(where.sum()), 0.97 if top else 0.03), "x", color=BAD, ms=4,
                transform=ax.get_xaxis_transform(), clip_on=False, label=label)


def _per_row(got: np.ndarray, exact: np.ndarray, bound: np.ndarray) -> tuple[np.ndarray, ...]:
    """Values, exact values, |error| and bound, one per x.  For rows of values (n, k): each row's first element,
    exact first element, and its worst |error| in units of its element's bound, against a bound of 1."""
    error = np.abs(got - exact)
    if exact.ndim == 1:
        return got, exact, error, bound
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(np.isfinite(error), error / bound, np.inf)
    return got[:, 0], exact[:, 0], np.max(ratio, axis=1), np.ones(len(exact))


def curves(
    x: np.ndarray, got: np.ndarray | None, exact: np.ndarray, bound: np.ndarray, *, name: str, xlabel: str,
    value_scale: str = "linear", x_scale: str = "linear", bound_label: str = "allowed",
) -> Figure:
    """The student's function against the exact one across x (left), |error| against the bound (right, log).

    ``got``, ``exact`` and ``bound`` have one value per x, or one row of k per x (functions of rows of
    logits): then the left panel shows each row's first element, and the right one each row's largest
    error in units of its element's bound, against 1.  ``got`` None, or of another shape than ``exact``,
    draws the exact curve alone and says why.  ``bound`` may be nan where nothing is checked.
    """
    figure, (values, errors) = new_figure()
    x = np.asarray(x, dtype=np.float64)
    exact = np.asarray(exact, dtype=np.float64)
    bound = np.broadcast_to(np.asarray(bound, dtype=np.float64), exact.shape)
    usable = got is not None and got.shape == exact.shape
    if not usable:
        problem = "no numbers came back" if got is None else f"it returned shape {got.shape}, not {exact.shape}"
        got = np.full(exact.shape, np.nan)
    with np.errstate(invalid="ignore", over="ignore"):
        mine, truth, error, allowed = _per_row(got.astype(np.float64), exact, bound)
    rows = exact.ndim == 2
    for ax in (values, errors):
        _set_x_scale(ax, x_scale, x)
        ax.set_xlabel(xlabel, fontsize=FONT_SIZE)
    if value_scale in ("log", "symlog"):
        log_y(values, value_scale)
    drawable = lambda v: np.isfinite(v) & ((v > 0) if value_scale == "log" else True)  # noqa: E731
    values.margins(y=0.02 if value_scale == "linear" else 0.0)
    values.plot(x, np.where(drawable(truth), truth, np.nan), color=EXACT, lw=1.2, label="exact")
    if usable:
        values.plot(x, np.where(drawable(mine), mine, np.nan), "--", color=YOURS, lw=1.2, label="yours")
        _mark_at_edge(values, x, ~np.isfinite(mine), "yours: nan or inf")
        if value_scale == "log":
            _mark_at_edge(values, x, np.isfinite(mine) & (mine <= 0) & drawable(truth), "yours: 0 or less",
                          top=False)
    title = f"{name}, first element" if rows else name
    values.set_title(title if usable else f"{name}: exact only,\n{problem}", fontsize=FONT_SIZE + 1)
    values.legend(fontsize=FONT_SIZE - 1, loc="best")

    log_y(errors)
    has_bound = np.isfinite(allowed)
    errors.plot(x, np.where(has_bound, allowed, np.nan), color=ALLOWED, lw=1.2,
                label=f"{bound_label}, as 1" if rows else bound_label)
    if usable:  # dots, not a line: an exact value (error 0) has no place on a log axis and is left out
        outside = np.isfinite(error) & has_bound & (error > allowed)
        inside = np.isfinite(error) & (error > 0) & ~outside
        errors.plot(x[inside], error[inside], ".", color=YOURS, ms=2.5,
                    label="|yours - exact| / bound" if rows else "|yours - exact|")
        if outside.any():
            errors.plot(x[outside], error[outside], ".", color=BAD, ms=3, label="over the bound")
        _mark_at_edge(errors, x, ~np.isfinite(error), "nan or inf")
    errors.set_title("largest |error| / its bound, per row" if rows else "|error| and the allowed bound",
                     fontsize=FONT_SIZE + 1)
    errors.legend(fontsize=FONT_SIZE - 1, loc="best")
    return figure


def public_logits(per_side: int, top_decade: int = 4) -> np.ndarray:
    """A public, dense range of logits for a figure: 0 and +-10^(-2 .. top_decade), ``per_side`` on each side."""
    return np.concatenate([-np.logspace(top_decade, -2, per_side), [0.0], np.logspace(-2, top_decade, per_side)])


@dataclass(frozen=True)
class PlaneGrid:
    """A dense grid over a public part of the plane: its points row by row, its extent for imshow, its shape."""

    points: np.ndarray  # (rows * columns, 2), float32
    extent: tuple[float, float, float, float]
    shape: tuple[int, int]  # (rows, columns): one value per point reshapes to this


def plane_grid(x_range: tuple[float, float], y_range: tuple[float, float], n: tuple[int, int] = (60, 40)
               ) -> PlaneGrid:
    """``n`` = (points along x, points along y) over the rectangle x_range by y_range."""
    xs, ys = np.linspace(*x_range, n[0]), np.linspace(*y_range, n[1])
    points = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2).astype(np.float32)
    return PlaneGrid(points, (*x_range, *y_range), (n[1], n[0]))


def regions(ax, classes: np.ndarray, grid: PlaneGrid, title: str) -> None:
    """The class picked at each point of ``grid`` (``classes``, one per point, in its order), as coloured regions."""
    ax.imshow(classes.reshape(grid.shape), origin="lower", extent=grid.extent, cmap="tab10", vmin=0, vmax=9,
              alpha=0.45, aspect="auto", interpolation="nearest")
    ax.set_title(title, fontsize=FONT_SIZE + 1)
    ax.set_xlabel("feature 1", fontsize=FONT_SIZE)
    ax.set_ylabel("feature 2", fontsize=FONT_SIZE)


def per_class_accuracy(ax, predicted: np.ndarray, labels: np.ndarray, needed: float, n_classes: int) -> None:
    """Bars of the share of each class's points classified right, with the share needed overall."""
    shares = [float(np.mean(predicted[labels == c] == c)) if np.any(labels == c) else 0.0 for c in range(n_classes)]
    bars = ax.bar(range(n_classes), shares, color=[BAD if share < needed else "tab:green" for share in shares])
    ax.bar_label(bars, labels=[f"{share:.0%}" for share in shares], fontsize=FONT_SIZE)
    ax.axhline(needed, color="black", ls="--", lw=1, label=f"{needed:.0%} needed overall")
    ax.set_xticks(range(n_classes))
    ax.set_xlabel("true class", fontsize=FONT_SIZE)
    ax.set_ylim(0, 1.1)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_title("held-out points classified right, per class", fontsize=FONT_SIZE + 1)
    ax.legend(fontsize=FONT_SIZE - 1, loc="lower right")
