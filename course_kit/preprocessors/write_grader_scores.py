"""Replace each autograded test cell's outputs with its grader report and score.

What the student's kernel printed in a test cell (warnings, fake scores,
tracebacks of the public checks) has no say in the grade: the outputs become
the report as stdout; the same report as an HTML table of the checks
(``display_data``, the text as its ``text/plain`` fallback, marked
``REPORT_METADATA`` so that the feedback can show the table in place of the
text); each figure a check attached, as ``image/png`` with its alt text and the
size it is shown at; and last the score as the cell's ``execute_result``, which
nbgrader reads as partial credit (it reads the first ``execute_result`` and
ignores ``display_data``).  A test cell that no
grader module covers scores 0 with a message, so a missing grader is loud,
never a free pass.
"""

from __future__ import annotations

import base64

from nbconvert.exporters.exporter import ResourcesDict
from nbformat import NotebookNode
from nbformat.v4 import new_output
from nbgrader.preprocessors import NbGraderPreprocessor

from course_kit.grading.cells import is_autograded_test
from course_kit.grading.report_html import figure_display, figure_png, table_html
from course_kit.grading.results import CellReport, CheckResult

REPORT_METADATA = {"course_kit": {"grader_report": True}}


def report_outputs(report: CellReport, points: float) -> list[NotebookNode]:
    """The test cell's new outputs: text report, table, figures, score."""
    text = report.render(points)
    outputs = [
        new_output("stream", name="stdout", text=text + "\n"),
        new_output("display_data", data={"text/html": table_html(report, points), "text/plain": text},
                   metadata=REPORT_METADATA),
    ]
    for check in report.checks:
        png = figure_png(check)
        if png is not None:
            data = {"image/png": base64.b64encode(png).decode("ascii"), "text/plain": f"<figure: {check.name}>"}
            # Its alt text and the size it is shown at (it may be drawn at twice the density, for sharp text).
            shown = {"image/png": figure_display(png, check.name)}
            outputs.append(new_output("display_data", data=data, metadata=shown))
    outputs.append(new_output("execute_result", data={"text/plain": f"{report.score(points):g}"}, execution_count=None))
    return outputs


class WriteGraderScores(NbGraderPreprocessor):
    def preprocess_cell(self, cell: NotebookNode, resources: ResourcesDict, index: int):
        reports: dict[str, CellReport] | None = resources.get("grader_reports")
        if reports is None or not is_autograded_test(cell):
            return cell, resources
        cell_id = cell.metadata.nbgrader["grade_id"]
        points = float(cell.metadata.nbgrader["points"])
        report = reports.get(cell_id)
        if report is None:
            self.log.error("No grader module test for cell %s: it scores 0", cell_id)
            report = CellReport(cell_id, [CheckResult(f"a grader for cell {cell_id}", 1.0, False,
                                                      "no grader exists for this cell; tell your instructor")])
            reports[cell_id] = report  # the grading record shows it too
        cell.outputs = report_outputs(report, points)
        return cell, resources
