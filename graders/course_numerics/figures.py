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
import textwrap
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator, PercentFormatter
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from course_kit.grading.phase_times import phase
from course_kit.grading.student_kernel import StudentCodeError, StudentKernel
from course_numerics.canvas import SharedRendererCanvas

# Legible at the size shown: the feedback shows a figure at SIZE_IN times DISPLAY_PPI CSS pixels (the
# kit reads the PNG's own dpi, ``report_html.figure_display``), 634 x 317 here, and it is drawn at twice
# that density for sharp text on any screen.  Text of FONT_SIZE points is then 8 * 96 / 72 = 10.7 px
# tall as shown, tick labels included (they were 6-7 px at 80 dpi).
SIZE_IN = (6.6, 3.3)
DISPLAY_PPI = 96
DPI = 2 * DISPLAY_PPI
FONT_SIZE = 8
EXACT, YOURS, ALLOWED, BAD = "black", "tab:orange", "tab:blue", "tab:red"
LEGEND_WIDTH = 36  # characters a legend line may have before it wraps: a long one would run off the panel
ALLOWED_MARK = "tab:gray"  # a value the check wants (an inf the naive formula itself gives), not a mistake

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
            with phase("figures"):  # the grading record's timings.phases: where a notebook's time goes
                png = drawn(draw, getattr(item, "funcargs", {}), item.nodeid)
            if png is not None:
                item.user_properties.append(("figure", png))


def drawn(draw: Draw, fixtures: dict[str, Any], what: str) -> str | None:
    """draw(**the fixtures it names) as a base64 PNG; None if it drew nothing or could not draw.

    The PNG carries its alternative text (``describe``) as its "Description" and its density as its dpi:
    the kit shows it at its size in inches with that text as the image's alt.
    """
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


ALT_TEXT = "alt_text"  # the attribute of a Figure that holds its description for screen readers


def describe(figure: Figure, text: str) -> Figure:
    """Give ``figure`` its alternative text: what it shows and what it says, in words (returns the figure)."""
    setattr(figure, ALT_TEXT, " ".join(text.split()))
    return figure


PALETTE_COLOURS = 64  # a line plot needs few; a palette PNG is a third of the size of a full-colour one


def png_base64(figure: Figure) -> str:
    """The figure as a base64 PNG at DPI, with a palette of PALETTE_COLOURS, its dpi and its alternative text.

    Drawn straight into the canvas's pixels and encoded once, as the palette PNG: a full-colour PNG from
    ``savefig``, decoded again to be quantized, cost a second encoding and a decoding per figure."""
    canvas = SharedRendererCanvas(figure)  # the figure's canvas from now on: text measured once per process
    figure.set_dpi(DPI)
    canvas.draw()
    image = Image.frombuffer("RGBA", canvas.get_width_height(physical=True), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    alt = getattr(figure, ALT_TEXT, None) or "A figure of the grader's check."
    return base64.b64encode(compact_image(image, alt)).decode("ascii")


def compact_png(png: bytes, alt: str) -> bytes:
    """A rendered PNG as a palette PNG that records DPI and carries ``alt`` as its "Description"."""
    with Image.open(io.BytesIO(png)) as image:
        return compact_image(image, alt)


# Fast octree quantization and zlib's default level: 4 times cheaper than median cut with ``optimize`` (55 + 20 ms
# of a figure's 200 ms), for a PNG of the same few colours about 5% larger.
QUANTIZE = Image.Quantize.FASTOCTREE
PNG_COMPRESS_LEVEL = 6


def compact_image(image: Image.Image, alt: str) -> bytes:
    """Pixels as a palette PNG of PALETTE_COLOURS that records DPI and carries ``alt`` as its "Description"."""
    info = PngInfo()
    info.add_text("Description", alt)
    buffer = io.BytesIO()
    image.convert("RGB").quantize(PALETTE_COLOURS, method=QUANTIZE).save(
        buffer, format="PNG", compress_level=PNG_COMPRESS_LEVEL, dpi=(DPI, DPI), pnginfo=info)
    return buffer.getvalue()


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
    # Room for a two-line title at the top (a function's name and a problem with it) and for the x label.
    figure.subplots_adjust(left=0.1, right=0.98, bottom=0.14, top=0.84, wspace=0.3)
    axes = list(np.atleast_1d(figure.subplots(1, columns)))
    for ax in axes:
        ax.tick_params(labelsize=FONT_SIZE)
        # Titles where matplotlib puts them when nothing is above the panel, without its search at every draw
        # for a y offset text ("1e-5" atop the axis) to dodge, which works out every y tick twice: 40% of a
        # figure's drawing.  There is no offset text to dodge: tick labels carry their whole values.
        ax.set_title("", y=1.0)
        ax.ticklabel_format(axis="y", useOffset=False)
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


def _mark_at_edge(ax, x: np.ndarray, where: np.ndarray, label: str, top: bool = True, color: str = BAD) -> None:
    """Markers at the top (or bottom) edge of the panel where a value cannot be drawn (nan, inf, <= 0 on log)."""
    if where.any():
        ax.plot(x[where], np.full(int(where.sum()), 0.97 if top else 0.03), "x", color=color, ms=4,
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


def _same(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Elementwise: equal, the same inf, or both nan."""
    with np.errstate(invalid="ignore"):
        return (a == b) | (np.isnan(a) & np.isnan(b))


# The error panel spans at most this many decades below the bound: an error far below it says no more than
# one just below, and a 1e-146 error would squeeze the bound into a corner (log_softmax's panel once spanned
# 1e-146 .. 1e4).  Smaller errors are drawn on the panel's floor.
ERROR_DECADES_BELOW_BOUND = 8


def curves(
    x: np.ndarray, got: np.ndarray | None, exact: np.ndarray, bound: np.ndarray, *, name: str, xlabel: str,
    value_scale: str = "linear", x_scale: str = "linear", bound_label: str = "allowed",
    as_designed: np.ndarray | None = None, as_designed_label: str = "as the formula asked for",
) -> Figure:
    """The student's function against the exact one across x (left), |error| against the bound (right, log).

    ``got``, ``exact`` and ``bound`` have one value per x, or one row of k per x (functions of rows of
    logits): then the left panel shows each row's first element, and the right one each row's largest
    error in units of its element's bound, against 1.  ``got`` None draws the exact curve alone and says
    why; ``got`` of another shape but as many values is drawn as reshaped, and the title says so.
    ``bound`` may be nan where nothing is checked.  ``as_designed`` (same shape as ``exact``), where a
    check wants the student to reproduce a formula's failures (ps1's naive loss): where ``got`` equals it
    (the same inf or nan, the same 0), the point is marked in grey as intended, never in red as a mistake.
    A value 0 where the exact one is not is a failure only where its error is over the bound (an exact
    value that underflows to a subnormal is matched by 0 within it).
    """
    figure, (values, errors) = new_figure()
    x = np.asarray(x, dtype=np.float64)
    exact = np.asarray(exact, dtype=np.float64)
    bound = np.broadcast_to(np.asarray(bound, dtype=np.float64), exact.shape)
    reshaped = ""
    if got is not None and got.shape != exact.shape and got.size == exact.size:
        reshaped = f" (returned shape {got.shape}; drawn as {exact.shape})"
        got = got.reshape(exact.shape)
    usable = got is not None and got.shape == exact.shape
    if not usable:
        problem = "no numbers came back" if got is None else f"it returned shape {got.shape}, not {exact.shape}"
        got = np.full(exact.shape, np.nan)
    got = got.astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        mine, truth, error, allowed = _per_row(got, exact, bound)
    intended = np.zeros(mine.shape, dtype=bool)
    if as_designed is not None and usable:
        design = np.asarray(as_designed, dtype=np.float64)
        intended = _same(got, design) if design.ndim == 1 else _same(got, design).all(axis=1)
        intended &= ~(error <= allowed)  # only where the exact comparison alone would call it wrong
    rows = exact.ndim == 2
    for ax in (values, errors):
        _set_x_scale(ax, x_scale, x)
        ax.set_xlabel(xlabel, fontsize=FONT_SIZE)
    if value_scale in ("log", "symlog"):
        log_y(values, value_scale)
    drawable = lambda v: np.isfinite(v) & ((v > 0) if value_scale == "log" else True)  # noqa: E731
    values.margins(y=0.02 if value_scale == "linear" else 0.0)
    values.plot(x, np.where(drawable(truth), truth, np.nan), color=EXACT, lw=1.2, label="exact")
    wrong = ~(error <= allowed) & ~intended
    if usable:
        values.plot(x, np.where(drawable(mine), mine, np.nan), "--", color=YOURS, lw=1.2, label="yours")
        _mark_at_edge(values, x, ~np.isfinite(mine) & ~intended, "yours: nan or inf")
        _mark_at_edge(values, x, ~np.isfinite(mine) & intended, f"yours: nan or inf, {as_designed_label}",
                      color=ALLOWED_MARK)
        if value_scale == "log":
            zero = np.isfinite(mine) & (mine <= 0) & drawable(truth)  # 0 where the exact value is not 0 either
            _mark_at_edge(values, x, zero & wrong, "yours: 0 or less", top=False)
            _mark_at_edge(values, x, zero & intended, f"yours: 0, {as_designed_label}", top=False,
                          color=ALLOWED_MARK)
    title = f"{name}, first element" if rows else name
    values.set_title(title + reshaped if usable else f"{name}: exact only,\n{problem}", fontsize=FONT_SIZE + 1)
    values.legend(fontsize=FONT_SIZE - 1, loc="best")

    log_y(errors)
    has_bound = np.isfinite(allowed)
    label = f"{bound_label}, as 1" if rows else bound_label
    errors.plot(x, np.where(has_bound, allowed, np.nan), color=ALLOWED, lw=1.2,
                label=textwrap.fill(label, LEGEND_WIDTH, subsequent_indent="  "))
    if usable:  # dots, not a line: an exact value (error 0) has no place on a log axis and is left out
        floor = np.nanmin(np.where(has_bound & (allowed > 0), allowed, np.nan)) if has_bound.any() else np.nan
        floor = floor * 10.0**-ERROR_DECADES_BELOW_BOUND if np.isfinite(floor) else 0.0
        shown = np.where(np.isfinite(error) & (error > 0), np.maximum(error, floor), np.nan)
        outside = np.isfinite(error) & has_bound & (error > allowed) & ~intended
        inside = np.isfinite(error) & (error > 0) & ~outside
        errors.plot(x[inside], shown[inside], ".", color=YOURS, ms=2.5,
                    label="|yours - exact| / bound" if rows else "|yours - exact|")
        if outside.any():
            errors.plot(x[outside], shown[outside], ".", color=BAD, ms=3, label="over the bound")
        _mark_at_edge(errors, x, ~np.isfinite(error) & ~intended, "nan or inf")
        _mark_at_edge(errors, x, ~np.isfinite(error) & intended, f"nan or inf, {as_designed_label}",
                      color=ALLOWED_MARK)
    errors.set_title("largest |error| / its bound, per row" if rows else "|error| and the allowed bound",
                     fontsize=FONT_SIZE + 1)
    errors.legend(fontsize=FONT_SIZE - 1, loc="best")
    return describe(figure, _curves_alt(x, xlabel, name, usable, reshaped, wrong & has_bound, intended, rows,
                                        None if usable else problem))


def _curves_alt(x: np.ndarray, xlabel: str, name: str, usable: bool, reshaped: str, wrong: np.ndarray,
                intended: np.ndarray, rows: bool, problem: str | None) -> str:
    """The alternative text of ``curves``: what it plots, and what it shows about the student's values."""
    span = f"for {xlabel} from {np.min(x):g} to {np.max(x):g}"
    head = (f"Two panels {span}. Left: your {name}{' (first element of each row)' if rows else ''} against the "
            "exact values. Right: the size of your error against the allowed bound, on a log scale.")
    if not usable:
        return f"{head} Only the exact values are drawn: {problem}."
    if wrong.any():
        where = x[wrong]
        verdict = (f"Your values are outside the bound at {int(wrong.sum())} of {len(x)} points, "
                   f"for {xlabel} from {np.min(where):g} to {np.max(where):g}.")
    else:
        verdict = "Your values are within the bound at every point drawn."
    if intended.any():
        verdict += f" At {int(intended.sum())} points they are inf, nan or 0 as the formula itself is there."
    return f"{head}{reshaped} {verdict}"


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


def per_class_accuracy(ax, predicted: np.ndarray, labels: np.ndarray, needed: float, n_classes: int) -> str:
    """Bars of the share of each class's points classified right, with the share needed overall; returns the
    same in words, for the figure's alternative text.  The legend sits above the bars (the y axis runs to
    130%), where it cannot cover a short one or its label."""
    shares = [float(np.mean(predicted[labels == c] == c)) if np.any(labels == c) else 0.0 for c in range(n_classes)]
    bars = ax.bar(range(n_classes), shares, color=[BAD if share < needed else "tab:green" for share in shares])
    ax.bar_label(bars, labels=[f"{share:.0%}" for share in shares], fontsize=FONT_SIZE)
    ax.axhline(needed, color="black", ls="--", lw=1, label=f"{needed:.0%} needed overall")
    ax.set_xticks(range(n_classes))
    ax.set_xlabel("true class", fontsize=FONT_SIZE)
    ax.set_ylim(0, 1.3)
    ax.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_title("held-out points classified right, per class", fontsize=FONT_SIZE + 1)
    ax.legend(fontsize=FONT_SIZE - 1, loc="upper right")
    return ("Bars of the held-out points classified right, per true class: "
            + ", ".join(f"class {c} {share:.0%}" for c, share in enumerate(shares))
            + f"; {needed:.0%} is needed overall.")
