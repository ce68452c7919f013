"""``nbgrader export``'s grades.csv, safe to open in a spreadsheet.

The course's configuration makes this the default exporter (``use_course_kit``:
``c.ExportApp.plugin_class``), so a plain ``nbgrader export`` writes it.  Same file name,
columns, rows and values as nbgrader 0.9.6's ``CsvExportPlugin`` (a student without a
submission scores 0, scores after the late penalty), with two differences: the file is
written by the ``csv`` module, so a comma or a quote in a name no longer shifts the columns
(stock joins fields with ``","``), and every text field a spreadsheet would read as a formula
(a student id ``=1+2*3``, a name ``@SUM(9+9)``) is neutralised with a leading ``'``
(``spreadsheet_safe``).  Numbers stay numbers.

Two columns follow stock's, so that a late submission is plain to see and to sort (the term's due dates and
extensions: ``course_kit/term/``): ``seconds_late``, how long after the student's own due date it was
submitted (nbgrader's ``total_seconds_late``, extension included; 0 on time, empty without a submission), and
``extension_seconds``, how far the student's due date was moved (empty without one).  The late penalty itself
is stock's column, already subtracted in ``score``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins import CsvExportPlugin

from course_kit.exporters.spreadsheet_safe import spreadsheet_cell

COLUMNS = ["assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email",
           "raw_score", "late_submission_penalty", "score", "max_score",  # stock's, in stock's order
           "seconds_late", "extension_seconds"]


class SpreadsheetSafeCsvExportPlugin(CsvExportPlugin):
    """Stock grades.csv, written with the csv module and with formula-looking text neutralised."""

    def export(self, gradebook: Gradebook) -> None:
        dest = self.to or "grades.csv"
        self.log.info("Exporting grades to %s", dest)
        with open(dest, "w", newline="", encoding="utf-8") as fh:
            out = csv.writer(fh)
            out.writerow(COLUMNS)
            for row in self._rows(gradebook):
                out.writerow(spreadsheet_cell(row[column]) for column in COLUMNS)

    def _rows(self, gradebook: Gradebook) -> Iterator[dict[str, object]]:
        """Stock's rows: every assignment x every student (or those asked for), in the gradebook's order."""
        students = [str(s) for s in self.student]
        assignments = [str(a) for a in self.assignment]
        for assignment in gradebook.assignments:
            if assignments and assignment.name not in assignments:
                continue
            for student in gradebook.students:
                if students and student.id not in students:
                    continue
                row: dict[str, object] = {
                    "assignment": assignment.name, "duedate": assignment.duedate, "student_id": student.id,
                    "last_name": student.last_name, "first_name": student.first_name, "email": student.email,
                    "max_score": assignment.max_score,
                }
                try:
                    submission = gradebook.find_submission(assignment.name, student.id)
                except MissingEntry:
                    row |= {"timestamp": None, "raw_score": 0.0, "late_submission_penalty": 0.0, "score": 0.0,
                            "seconds_late": None, "extension_seconds": None}
                else:
                    penalty = submission.late_submission_penalty
                    row |= {"timestamp": submission.timestamp, "raw_score": submission.score,
                            "late_submission_penalty": penalty, "score": max(0.0, submission.score - penalty),
                            "seconds_late": submission.total_seconds_late,
                            "extension_seconds": (submission.extension.total_seconds() if submission.extension
                                                  is not None else None)}
                yield row
