"""Due dates and extensions from the configuration into the gradebook, where nbgrader and every view read them.

nbgrader measures lateness from the gradebook (``Assignment.duedate``, ``SubmittedAssignment.extension``,
``total_seconds_late``), so the configured dates (``TermDates``) must be there before its ``AssignLatePenalties``
runs.  ``ApplyTermDates`` writes them at every autograde, just before it, whichever way autograde is started
(``make grade``, plain ``nbgrader autograde``, formgrader's button); ``apply_term_dates`` writes them for a
whole course (``make dates``).  An assignment named in ``TermDates.due_dates`` gets exactly its configured
due date and extensions (a student no longer listed loses an extension); others are left as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from nbformat import NotebookNode
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import NbGraderPreprocessor

from course_kit.term.dates import TermDates


@dataclass
class DateChange:
    """A graded submission whose due date or extension changed: its late penalty is the one of the old dates
    until it is graded again."""

    assignment: str
    student: str
    was: datetime | None  # the student's due date (extension included) it was graded against
    now: datetime | None


def apply_term_dates(gradebook: Gradebook, dates: TermDates, assignments: list[str],
                     only: tuple[str, str] | None = None) -> list[DateChange]:
    """Write the configured due dates and extensions into ``gradebook`` (for every assignment, or only the
    (assignment, student) of ``only``); return the graded submissions whose due date changed."""
    changes: list[DateChange] = []
    for assignment, (due, extended) in dates.resolved(assignments).items():
        if only and only[0] != assignment:
            continue
        try:
            record = gradebook.find_assignment(assignment)
        except MissingEntry:
            continue  # not generated yet (make release): nothing to date, nobody to grade
        submissions = record.submissions
        if only:
            submissions = [s for s in submissions if s.student_id == only[1]]
        before = {s.student_id: s.duedate for s in submissions}
        record.duedate = due
        for submission in submissions:
            submission.extension = extended.get(submission.student_id)
            graded = any(g.auto_score is not None for n in submission.notebooks for g in n.grades)
            if graded and before[submission.student_id] != submission.duedate:
                changes.append(DateChange(assignment, submission.student_id, before[submission.student_id],
                                          submission.duedate))
    gradebook.db.commit()
    return changes


class ApplyTermDates(NbGraderPreprocessor):
    """Autograde step, before ``AssignLatePenalties``: the submission's due date and extension as configured."""

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        info = resources["nbgrader"]
        dates = TermDates(parent=self)
        if info["assignment"] in dates.due_dates:
            # Every configured entry is checked (a mistake stops grading, loudly); which names are the course's
            # assignments is `make dates`'s check, against source/.
            with Gradebook(info["db_url"], self._course_id()) as gradebook:
                apply_term_dates(gradebook, dates, list(dates.due_dates), only=(info["assignment"], info["student"]))
        return nb, resources

    def _course_id(self) -> str:
        """The converter's course (preprocessor -> exporter -> converter)."""
        owner = self.parent
        while owner is not None and not hasattr(owner, "coursedir"):
            owner = owner.parent
        return owner.coursedir.course_id if owner is not None else "default_course"
