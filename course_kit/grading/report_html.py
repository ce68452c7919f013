"""A test cell's grader report as the student reads it in the feedback: an HTML table, and the checks' figures.

The table has one row per check: its name as the student sees it, its share of the cell's points
(``weight`` over the cell's total weight; weight 0 is reported only), passed or failed, and the
message.  Names and messages are escaped: a message quotes what the student's code returned.
Figures are whatever PNG a check attached (``record_property("figure", <base64>)``); the kit
draws none itself, and passes on only what decodes as a PNG of reasonable size, so a broken
attachment costs the student a picture, never a grade.  A figure is shown at its size in inches
(its pixels over the dpi the PNG records, at 96 CSS pixels an inch), so a grader may draw it at
twice that density for sharp text, and with the alternative text the PNG carries as its
"Description" (else one naming the check), so that no image in the feedback lacks one.
"""

from __future__ import annotations

import base64
import binascii
import io
from fractions import Fraction
from html import escape

from course_kit.grading.results import CellReport, CheckResult

try:  # Pillow comes with the course's matplotlib; without it a figure is shown at its pixel size
    from PIL import Image
except ImportError:  # pragma: no cover - the engine installed without the course
    Image = None

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CSS_PX_PER_INCH = 96
MAX_FIGURE_BYTES = 1 << 20  # a figure of a few hundred pixels is tens of kB; anything this large is not one

_CELL = "border: 1px solid #ccc; padding: 3px 8px; text-align: left; vertical-align: top"
_RESULT = {True: ("passed", "#1a7f37"), False: ("failed", "#cf222e")}


def check_points(report: CellReport, check: CheckResult, points: float) -> str:
    """The check's share of the cell's points, as the table shows it: a decimal when one of at most two places
    is exact, else a fraction ("1/3"), so that the column adds up to the cell's points."""
    if not check.weight:
        return "0 (reported only)"
    total = sum(Fraction(c.weight).limit_denominator(1000) for c in report.checks)
    share = Fraction(points).limit_denominator(1000) * Fraction(check.weight).limit_denominator(1000) / total
    if (share * 100).denominator == 1:
        return f"{float(share):g}"
    return f"{share.numerator}/{share.denominator}"


def figure_png(check: CheckResult) -> bytes | None:
    """The PNG the check attached, or None if it attached none or something that is not a PNG."""
    if not isinstance(check.figure, str):
        return None
    try:
        data = base64.b64decode(check.figure, validate=True)
    except (binascii.Error, ValueError):
        return None
    return data if data.startswith(PNG_SIGNATURE) and len(data) <= MAX_FIGURE_BYTES else None


def figure_display(png: bytes, check_name: str) -> dict[str, str | int]:
    """The output metadata of a figure's ``image/png``: its alternative text, and its size as shown."""
    shown: dict[str, str | int] = {"alt": f"Figure for the check: {check_name}"}
    if Image is None:
        return shown
    try:
        with Image.open(io.BytesIO(png)) as image:
            description = image.info.get("Description")
            dpi = image.info.get("dpi")
            size = image.size
    except (OSError, ValueError):
        return shown
    if isinstance(description, str) and description.strip():
        shown["alt"] = description.strip()
    if dpi and float(dpi[0]) > 0:
        scale = CSS_PX_PER_INCH / float(dpi[0])
        shown["width"], shown["height"] = round(size[0] * scale), round(size[1] * scale)
    return shown


def table_html(report: CellReport, points: float) -> str:
    """The cell's checks as an HTML table, its score in the last row."""
    rows = []
    for check in report.checks:
        word, colour = _RESULT[check.passed]
        message = check.message if not check.passed else ""
        if figure_png(check) is not None:
            message = f"{message}\n(figure below)" if message else "(figure below)"
        rows.append(
            "<tr>"
            f'<td style="{_CELL}">{escape(check.name)}</td>'
            f'<td style="{_CELL}; text-align: right">{check_points(report, check, points)}</td>'
            f'<td style="{_CELL}; color: {colour}; font-weight: bold">{word}</td>'
            f'<td style="{_CELL}; white-space: pre-wrap">{escape(message)}</td>'
            "</tr>"
        )
    head = "".join(f'<th style="{_CELL}">{name}</th>' for name in ("Check", "Points", "Result", "Message"))
    summary = "all checks passed" if all(c.passed for c in report.checks) else (
        f"{sum(not c.passed for c in report.checks)} of {len(report.checks)} checks failed")
    score = f"Score for this cell: {report.score(points):g} of {points:g} ({summary})"
    return (
        '<table class="course-kit-report" style="border-collapse: collapse; margin: 4px 0">'
        f"<caption style=\"text-align: left\">Scored by the hidden grader, outside your notebook</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody>"
        f'<tfoot><tr><td colspan="4" style="{_CELL}; font-weight: bold">{escape(score)}</td></tr></tfoot>'
        "</table>"
    )
