"""What nbgrader's autograde wrote to the gradebook about one submission, as plain data, and its one writer.

A worker autogrades against a private copy of the gradebook (nbgrader's
SQLite takes one writer at a time), then reads back the rows autograde wrote
for that submission (nbgrader 0.9.6, ``converters/autograde.py`` and the
preprocessors it runs):

- ``init_assignment``: the student (``update_or_create_student``), the
  submission with its timestamp (``update_or_create_submission``), and, for a
  notebook of the assignment that was not submitted, ``auto_score = 0`` and
  ``needs_manual_grade = False`` on each of its grades;
- ``SaveAutoGrades``: each grade's ``auto_score`` and ``needs_manual_grade``,
  each comment's ``auto_comment``;
- ``ApplyTermDates`` (``course_kit/term/``): the assignment's due date and the
  submission's extension, as the term's settings give them;
- ``AssignLatePenalties``: each notebook's ``late_submission_penalty``.

``write_submission`` replays exactly those fields into the real gradebook,
in the instructor's process.  Fields autograde never touches (manual scores,
extra credit, flags) are left as the instructor set them, and so is the
"graded" status of a cell graded by hand whose answer did not change
(``keep``, decided by ``course_kit.grading.hand_grades``), where nbgrader's
autograde would ask for a new look at every one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from nbgrader.api import Gradebook, MissingEntry


@dataclass
class NotebookRecord:
    late_submission_penalty: float | None
    grades: dict[str, tuple[float | None, bool]] = field(default_factory=dict)  # name -> (auto score, needs manual)
    comments: dict[str, str | None] = field(default_factory=dict)  # name -> auto comment


@dataclass
class SubmissionRecord:
    assignment: str
    student: str
    timestamp: datetime | None
    notebooks: dict[str, NotebookRecord] = field(default_factory=dict)
    duedate: datetime | None = None  # the assignment's, and the student's extension: what the penalty measured
    extension: timedelta | None = None


def read_submission(db_url: str, course_id: str, assignment: str, student: str) -> SubmissionRecord | None:
    """The submission's autograde fields in the gradebook at ``db_url``; None when autograde never created it."""
    with Gradebook(db_url, course_id) as gradebook:
        try:
            submission = gradebook.find_submission(assignment, student)
        except MissingEntry:
            return None
        record = SubmissionRecord(assignment, student, submission.timestamp, duedate=submission.assignment.duedate,
                                  extension=submission.extension)
        for notebook in submission.notebooks:
            record.notebooks[notebook.name] = NotebookRecord(
                notebook.late_submission_penalty,
                {g.name: (g.auto_score, g.needs_manual_grade) for g in notebook.grades},
                {c.name: c.auto_comment for c in notebook.comments},
            )
        return record


def write_submission(db_url: str, course_id: str, record: SubmissionRecord,
                     keep: set[tuple[str, str]] = frozenset()) -> None:
    """Put ``record`` in the gradebook at ``db_url``, as nbgrader's autograde would have (one transaction), but
    leave each (notebook, grade_id) of ``keep`` graded: hand-graded, and the answer it graded unchanged."""
    with Gradebook(db_url, course_id) as gradebook:
        gradebook.update_or_create_student(record.student)
        kwargs = {"timestamp": record.timestamp} if record.timestamp else {}
        submission = gradebook.update_or_create_submission(record.assignment, record.student, **kwargs)
        if record.duedate is not None:  # None: the gradebook's own (set by nbgrader db assignment add --duedate)
            submission.assignment.duedate = record.duedate
            submission.extension = record.extension
        for notebook in submission.notebooks:
            saved = record.notebooks.get(notebook.name)
            if saved is None:
                continue
            notebook.late_submission_penalty = saved.late_submission_penalty
            for grade in notebook.grades:
                if grade.name in saved.grades:
                    grade.auto_score, grade.needs_manual_grade = saved.grades[grade.name]
                    if (notebook.name, grade.name) in keep:
                        grade.needs_manual_grade = False
            for comment in notebook.comments:
                if comment.name in saved.comments:
                    comment.auto_comment = saved.comments[comment.name]
        gradebook.db.commit()
