"""The feedback shows each test cell's checks as a table and the figures the graders drew; the score is unchanged.

The units: the table escapes what it quotes, a broken attachment is dropped, the score's execute_result is
still what nbgrader reads, and the feedback shows the table in place of the text it repeats.  Then the real
thing on the session's graded class (no grading of its own): ``nbgrader generate_feedback`` for a failing
sample and for the reference of each assignment.
"""

from __future__ import annotations

import base64
import io
import re

import numpy as np
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output
from nbgrader.utils import determine_grade
from PIL import Image

from course_kit.grading.report_html import MAX_FIGURE_BYTES, figure_png, table_html
from course_kit.grading.results import CellReport, CheckResult
from course_kit.preprocessors import ReportTableInFeedback
from course_kit.preprocessors.write_grader_scores import report_outputs


def _png() -> str:
    buffer = io.BytesIO()
    Image.new("L", (2, 1)).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


PIXEL = _png()  # the smallest figure a check can attach


def _report() -> CellReport:
    return CellReport("test_f", [
        CheckResult("f is <exact> & right", 2, False, "f(36) returned <script>alert(1)</script>", figure=PIXEL),
        CheckResult("f keeps the dtype", 1, True),
        CheckResult("tier", 0, False, "relative error 1e-3"),
    ])


def _test_cell(outputs) -> dict:
    meta = {"nbgrader": {"grade": True, "solution": False, "points": 3, "grade_id": "test_f", "schema_version": 3}}
    cell = new_code_cell("", metadata=meta)
    cell.outputs = outputs
    return cell


def test_table_escapes_names_and_messages_and_shows_points():
    page = table_html(_report(), 3)
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "f is &lt;exact&gt; &amp; right" in page
    cells = re.findall(r"<td[^>]*>(.*?)</td>", page, re.S)
    assert cells[:4] == ["f is &lt;exact&gt; &amp; right", "2", "failed",
                         "f(36) returned &lt;script&gt;alert(1)&lt;/script&gt;\n(figure below)"]
    assert cells[4:7] == ["f keeps the dtype", "1", "passed"] and cells[9] == "0 (reported only)"
    assert "Score for this cell: 1 of 3 (2 of 3 checks failed)" in page


def test_the_points_column_adds_up_to_the_cells_points():
    """Thirds are shown as thirds: 0.33 three times would add up to 0.99 of a point."""
    thirds = CellReport("test_g", [CheckResult(f"check {i}", 1, True) for i in range(3)])
    cells = re.findall(r"<td[^>]*>(.*?)</td>", table_html(thirds, 1), re.S)
    assert cells[1::4][:3] == ["1/3", "1/3", "1/3"]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", table_html(thirds, 1.5), re.S)
    assert cells[1::4][:3] == ["0.5", "0.5", "0.5"]


def test_only_a_png_of_reasonable_size_is_passed_on():
    assert figure_png(CheckResult("a", 1, True, figure=PIXEL)) == base64.b64decode(PIXEL)
    not_png = base64.b64encode(b"<svg onload=alert(1)>").decode()
    too_large = base64.b64encode(base64.b64decode(PIXEL) + bytes(MAX_FIGURE_BYTES)).decode()
    for figure in (None, "not base64!", not_png, too_large, 42):
        assert figure_png(CheckResult("a", 1, True, figure=figure)) is None


def test_score_is_still_what_nbgrader_reads():
    report = _report()
    outputs = report_outputs(report, 3)
    assert [o.output_type for o in outputs] == ["stream", "display_data", "display_data", "execute_result"]
    assert "image/png" in outputs[2].data and outputs[-1].data["text/plain"] == "1"
    assert determine_grade(_test_cell(outputs)) == (report.score(3), 3.0) == (1.0, 3.0)


def test_feedback_shows_the_table_instead_of_the_text_it_repeats():
    nb = new_notebook(cells=[_test_cell(report_outputs(_report(), 3)), new_code_cell("print(1)")])
    nb.cells[1].outputs = [new_output("stream", name="stdout", text="1\n")]
    nb, _ = ReportTableInFeedback().preprocess(nb, {})
    assert [o.output_type for o in nb.cells[0].outputs] == ["display_data", "display_data", "execute_result"]
    assert nb.cells[1].outputs[0].text == "1\n"  # other cells keep their text


# -- generate_feedback on the session's graded class ---------------------------------------------------------

FAILING = {"ps1_naive_loss": "partially_right", "ps2_stable_loss": "naive_everywhere",
           "ps3_keras_from_logits": "untrained"}


def _feedback(course, assignment: str, student: str) -> str:
    course.generate_feedback(assignment, student)
    (page,) = (course.course_dir / "feedback" / student / assignment).glob("*.html")
    return page.read_text()


def _tables(page: str) -> list[str]:
    return re.findall(r'<table class="course-kit-report".*?</table>', page, re.S)


def _not_blank(png: bytes) -> bool:
    with Image.open(io.BytesIO(png)) as image:
        image.load()
        return len(np.unique(np.asarray(image.convert("L")))) > 1


@pytest.mark.parametrize("assignment", sorted(FAILING))
def test_feedback_of_a_failing_submission_has_the_table_and_the_figures(graded, course, assignment):
    student = FAILING[assignment]
    result = graded(assignment)[student]
    assert result.success, result.log
    page = _feedback(course, assignment, student)
    tables = _tables(page)
    assert len(tables) == len(result.cells)  # one table per autograded test cell
    assert any(">failed<" in table for table in tables)
    lost = [c for c in result.cells.values() if c.score < c.max_score]
    assert lost and all(f"Score for this cell: {c.score:g} of {c.max_score:g}" in page for c in lost)
    figures = [check.figure for cell in result.cells.values() for check in cell.checks if check.figure]
    assert figures, f"{student}: no grader drew a figure"
    shown = {re.sub(r"\s", "", uri) for uri in re.findall(r'src="data:image/png;base64,([^"]+)"', page)}
    for figure in figures:
        png = base64.b64decode(figure)
        assert figure in shown and len(png) < 100_000 and _not_blank(png)
    # Every image has alt text of its own (nbconvert fills in this one, and warns, where none was given).
    assert "No description has been provided for this image" not in page
    assert len(re.findall(r"<img [^>]*alt=\"(?:Two panels|Left: )", page)) == len(figures)


@pytest.mark.parametrize("assignment", sorted(FAILING))
def test_feedback_of_the_reference_shows_every_check_passed(graded, course, assignment):
    result = graded(assignment)["reference"]
    page = _feedback(course, assignment, "reference")
    tables = _tables(page)
    assert len(tables) == len(result.cells)
    assert all("all checks passed" in table and ">failed<" not in table for table in tables)
    assert "Scored by the hidden grader, outside your notebook (" not in page  # the table, not the text again


def test_a_cell_to_grade_by_hand_says_not_graded_yet(graded, course):
    """ps2's derivation, which nobody has graded yet: "not graded yet", never "Score: 0.0 / 3.0"."""
    assert graded("ps2_stable_loss")["reference"].success
    page = re.sub(r"\s+", " ", _feedback(course, "ps2_stable_loss", "reference"))
    assert "not graded yet (3.0 points, graded by hand)" in page
    assert "Score: 0.0 / 3.0" not in page and "more points not graded yet" in page
