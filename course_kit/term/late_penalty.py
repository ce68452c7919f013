"""The late penalty: a share of the assignment's points for each day (or part of a day) late, capped.

    c.AssignLatePenalties.plugin_class = "course_kit.term.LatePenalty"
    c.LatePenalty.percent_per_day = 10      # of the notebook's points possible, per started day late
    c.LatePenalty.max_percent = 50          # never more than this in all
    c.LatePenalty.grace_minutes = 15        # a submission this little late is not penalised

It is one of nbgrader's late-submission plugins: nbgrader's ``AssignLatePenalties`` calls it at autograde with
the seconds past the student's due date (extension included: ``SubmittedAssignment.total_seconds_late``), stores
what it returns as the notebook's ``late_submission_penalty`` (capped at the notebook's score), and every export
subtracts it.  The penalty is a share of the points *possible*, as Canvas's late policies deduct, not of the
score: a derivation graded by hand after autograde then leaves the penalty right (only a penalty nbgrader capped
at a partial score stays at that cap until the student is graded again, ``make grade ... FORCE=1``).
A day is 24 hours from the due date; 1 second past it (after the grace) is one day late.
"""

from __future__ import annotations

import math

from nbgrader.plugins import LateSubmissionPlugin
from traitlets import Float

DAY_SECONDS = 24 * 60 * 60


class LatePenalty(LateSubmissionPlugin):
    percent_per_day = Float(
        10.0, min=0.0, max=100.0,
        help="Percent of the notebook's points possible taken off for each started day (24 h) past the due date.",
    ).tag(config=True)
    max_percent = Float(
        100.0, min=0.0, max=100.0,
        help="The most a late submission loses in all, in percent of the notebook's points possible.",
    ).tag(config=True)
    grace_minutes = Float(
        0.0, min=0.0,
        help="A submission at most this many minutes past the due date is not penalised (it still counts as late "
        "in the gradebook and the exports' seconds_late).",
    ).tag(config=True)

    def days_late(self, total_seconds_late: float) -> int:
        """Started days past the due date, 0 within the grace."""
        if total_seconds_late <= self.grace_minutes * 60:
            return 0
        return math.ceil(total_seconds_late / DAY_SECONDS)

    def fraction(self, total_seconds_late: float) -> float:
        """The share of the points possible taken off."""
        return min(self.max_percent, self.percent_per_day * self.days_late(total_seconds_late)) / 100.0

    def penalty(self, max_score: float, total_seconds_late: float) -> float:
        return self.fraction(total_seconds_late) * max_score

    def late_submission_penalty(self, student_id: str, score: float, total_seconds_late: float) -> float:
        # nbgrader passes the score, not the points possible: its AssignLatePenalties (our parent) holds the
        # notebook it is assessing, in its open gradebook.
        parent = self.parent
        notebook = parent.gradebook.find_submission_notebook(parent.notebook_id, parent.assignment_id, student_id)
        penalty = self.penalty(notebook.max_score, total_seconds_late)
        self.log.info("%s is %d day(s) late: penalty %.4g of %.4g points", student_id,
                      self.days_late(total_seconds_late), penalty, notebook.max_score)
        return penalty
