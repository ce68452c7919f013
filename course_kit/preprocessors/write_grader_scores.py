"""Replace each autograded test cell's outputs with its grader report and score.

What the student's kernel printed in a test cell (warnings, fake scores,
tracebacks of the public checks) has no say in the grade: the outputs become
the report as stdout, then the score as the cell's ``execute_result``, which
nbgrader reads as partial credit.  A test cell that no grader module covers
scores 0 with a message, so a missing grader is loud, never a free pass.
"""

from __future__ import annotations

from nbconvert.exporters.exporter import ResourcesDict
from nbformat import NotebookNode
from nbformat.v4 import new_output
from nbgrader.preprocessors import NbGraderPreprocessor

from course_kit.grading.cells import is_autograded_test
from course_kit.grading.results import CellReport, CheckResult


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
        cell.outputs = [
            new_output("stream", name="stdout", text=report.render(points) + "\n"),
            new_output("execute_result", data={"text/plain": f"{report.score(points):g}"}, execution_count=None),
        ]
        return cell, resources
