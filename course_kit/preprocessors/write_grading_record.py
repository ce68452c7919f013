"""Write the grading record of the notebook just graded: the last step of autograde.

It runs after ``SaveAutoGrades``, so the record's scores are the gradebook's
(the same ``nbgrader.utils.determine_grade`` reads each test cell), and long
after the kernel stopped: only the grader process writes it.  It gathers what
``ExecuteWithGraders`` saw (``resources["kernel_run"]``) and what the graders
reported (``resources["grader_reports"]``); see ``course_kit.grading.record``
for the format and where the file goes.
"""

from __future__ import annotations

import time
from pathlib import Path

from nbconvert.exporters.exporter import ResourcesDict
from nbformat import NotebookNode
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor
from nbgrader.utils import determine_grade

from course_kit.grading.cells import autograded_tests
from course_kit.grading.record import CellRecord, GradingRecord, Timings, record_path, submission_digest, write_record
from course_kit.grading.results import CellReport
from course_kit.preprocessors.execute_with_graders import KernelRun


class WriteGradingRecord(NbGraderPreprocessor):
    def preprocess(self, nb: NotebookNode, resources: ResourcesDict):
        run: KernelRun | None = resources.get("kernel_run")
        if run is None:
            self.log.error("No grading record: ExecuteWithGraders is not in the autograde pipeline")
            return nb, resources
        names = resources["nbgrader"]
        student, assignment = names["student"], names["assignment"]
        coursedir = CourseDirectory(config=self.config)
        submitted = Path(coursedir.format_path(coursedir.submitted_directory, student, assignment))
        graded = Path(coursedir.format_path(coursedir.autograded_directory, student, assignment))
        reports: dict[str, CellReport] = resources.get("grader_reports") or {}
        cells = []
        for cell in autograded_tests(nb):
            grade_id = cell.metadata.nbgrader["grade_id"]
            score, max_score = determine_grade(cell, self.log)
            report = reports.get(grade_id)
            cells.append(CellRecord(grade_id, score or 0.0, max_score, report.checks if report else []))
        record = GradingRecord(
            assignment=assignment,
            student=student,
            notebook=names["notebook"],
            submission_sha256=submission_digest(submitted),
            kernel=run.outcome,
            left_behind=run.left_behind,
            outputs_cut=run.outputs_cut,
            widget_messages_dropped=run.widget_messages_dropped,
            memory_peak_mb=run.memory_peak_mb,
            timings=Timings(round(run.execution_s, 3), round(run.graders_s, 3),
                            round(time.monotonic() - run.started, 3),
                            **_execution_parts(run), phases=run.phases or None),
            cells=cells,
            hidden_seeds=run.hidden_seeds or None,
        )
        write_record(record_path(graded, names["notebook"]), record)
        return nb, resources


def _execution_parts(run: KernelRun) -> dict[str, float]:
    """execution_s split at the first cell: the kernel's start (or a spare taken), then the cells; {} if none ran."""
    if run.kernel_start_s is None:
        return {}
    return {"kernel_start_s": round(run.kernel_start_s, 3), "cells_s": round(run.execution_s - run.kernel_start_s, 3)}
