"""The gradebook as a CSV that Canvas's gradebook import takes.

    nbgrader export --exporter=course_kit.exporters.CanvasExportPlugin --to=canvas_grades.csv

Canvas's documented layout ("How do I import grades in the Gradebook?", Canvas
Instructor Guide, https://community.canvaslms.com/t5/Instructor-Guide/How-do-I-import-grades-in-the-Gradebook/ta-p/807)
is the one its own gradebook export writes: a header of ``Student``, ``ID``,
``SIS User ID``, ``SIS Login ID``, ``Section``, then one column per
assignment; a ``Points Possible`` row under the header; one row per student.
Canvas's importer (canvas-lms, ``app/models/gradebook_importer.rb``) reads it so:

- the header must start ``Student``, ``ID`` and end its student columns with
  ``Section``; ``SIS User ID`` and ``SIS Login ID`` sit between them;
- a student is found by ``ID`` (Canvas's user id), else ``SIS User ID``, else
  ``SIS Login ID``, else by name (``First Last`` or ``Last, First``);
- an assignment column titled ``name (12345)`` updates Canvas assignment 12345;
  any other title updates the assignment of that exact title or creates one,
  whose points possible come from the ``Points Possible`` row;
- a blank cell leaves that grade as it is.

Here the nbgrader student id is the ``SIS Login ID`` (the login students use
on JupyterHub is usually the institution's), the gradebook's ``lms_user_id``
is the ``ID``, and a score is nbgrader's (after any late penalty, as in the
stock ``grades.csv``).  Two choices differ from ``grades.csv`` on purpose: a
submission that still needs a grade by hand (ps2's derivation) is left blank,
with a warning, so that an LMS never shows a partial total as final; a student
with no submission gets 0, as in ``grades.csv``.  As in the kit's ``grades.csv``, a text
field a spreadsheet would read as a formula (a student id ``=1+2*3`` in ``Student`` and
``SIS Login ID``) gets a leading ``'`` (``spreadsheet_safe``); scores are numbers and stay so.
"""

from __future__ import annotations

import csv
from pathlib import Path

from nbgrader.api import Assignment, Gradebook, MissingEntry, Student
from nbgrader.plugins import ExportPlugin
from traitlets import Bool, Dict, Enum, Unicode
from traitlets.config import Config

from course_kit.exporters.spreadsheet_safe import spreadsheet_text

STUDENT_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
POINTS_POSSIBLE = "    Points Possible"  # as Canvas's own export writes it; the importer matches /Points Possible/
READ_ONLY = "(read only)"  # a Points Possible cell: Canvas's importer leaves the column out (/read\s+only/)
SECONDS_LATE = "{} seconds late"


class CanvasExportPlugin(ExportPlugin):
    """Writes the gradebook as a Canvas gradebook-import CSV (default ``canvas_grades.csv``)."""

    section = Unicode("", help="Canvas section written for every student (Canvas needs the column, not a value).").tag(
        config=True
    )
    sis_login_id = Enum(
        ["student_id", "email", "none"],
        default_value="student_id",
        help="The SIS Login ID column: the nbgrader student id (default), the student's email, or nothing.",
    ).tag(config=True)
    canvas_assignment_ids = Dict(
        key_trait=Unicode(),
        value_trait=Unicode(),
        help="Canvas assignment id of each nbgrader assignment, e.g. {'ps1_naive_loss': '12345'}: its column is then "
        "titled 'ps1_naive_loss (12345)' and updates that Canvas assignment whatever its title there.",
    ).tag(config=True)
    late_columns = Bool(
        True,
        help="After the scores, a read-only column '<assignment> seconds late' for each assignment with a due date.",
    ).tag(config=True)

    def export(self, gradebook: Gradebook) -> None:
        dest = Path(self.to or "canvas_grades.csv")
        assignments = [a for a in gradebook.assignments if not self.assignment or a.name in self.assignment]
        students = [s for s in gradebook.students if not self.student or s.id in self.student]
        self.log.info("Exporting %d students x %d assignments for Canvas to %s", len(students), len(assignments), dest)
        dated = [a for a in assignments if a.duedate is not None] if self.late_columns else []
        pending: list[str] = []
        with dest.open("w", newline="", encoding="utf-8") as fh:
            out = csv.writer(fh)
            out.writerow(STUDENT_COLUMNS + [spreadsheet_text(self._title(a)) for a in assignments]
                         + [spreadsheet_text(SECONDS_LATE.format(a.name)) for a in dated])
            out.writerow([POINTS_POSSIBLE, "", "", "", ""] + [_number(a.max_score) for a in assignments]
                         + [READ_ONLY for _ in dated])
            for student in students:
                scores = [self._score(gradebook, a, student, pending) for a in assignments]
                late = [_seconds_late(gradebook, a, student) for a in dated]
                out.writerow([spreadsheet_text(text) for text in self._identity(student)] + scores + late)
        if pending:
            self.log.warning(
                "Left blank (a grade by hand is still missing; Canvas keeps what it has): %s", ", ".join(pending)
            )

    def _title(self, assignment: Assignment) -> str:
        canvas_id = self.canvas_assignment_ids.get(assignment.name)
        return f"{assignment.name} ({canvas_id})" if canvas_id else assignment.name

    def _identity(self, student: Student) -> list[str]:
        first, last = student.first_name or "", student.last_name or ""
        name = f"{last}, {first}" if first and last else (first or last or student.id)
        login = {"student_id": student.id, "email": student.email or "", "none": ""}[self.sis_login_id]
        return [name, student.lms_user_id or "", "", login, self.section]

    def _score(self, gradebook: Gradebook, assignment: Assignment, student: Student, pending: list[str]) -> str:
        try:
            submission = gradebook.find_submission(assignment.name, student.id)
        except MissingEntry:
            return "0"
        if submission.needs_manual_grade:
            pending.append(f"{student.id}/{assignment.name}")
            return ""
        return _number(max(0.0, submission.score - (submission.late_submission_penalty or 0.0)))


def _seconds_late(gradebook: Gradebook, assignment: Assignment, student: Student) -> str:
    try:
        submission = gradebook.find_submission(assignment.name, student.id)
    except MissingEntry:
        return ""
    return _number(submission.total_seconds_late)


def _number(value: float) -> str:
    """7.0 -> '7', 2.5 -> '2.5' (Canvas reads either; whole points read better)."""
    return f"{value:.10g}"


def export_canvas_csv(db_url: str, course_id: str, to: Path, config: Config | None = None) -> Path:
    """What ``nbgrader export --exporter=course_kit.exporters.CanvasExportPlugin --to=<to>`` writes."""
    with Gradebook(db_url, course_id) as gradebook:
        CanvasExportPlugin(config=config or Config(), to=str(to)).export(gradebook)
    return to
