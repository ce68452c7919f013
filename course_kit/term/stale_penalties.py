"""Graded submissions whose late penalty is not the one the gradebook's dates and the configured rule give now.

nbgrader computes a late penalty only at autograde.  After a due date or an extension changes, a graded
submission keeps its old penalty until it is graded again; which ones is a comparison, not a memory of the last
change: ``make dates`` run twice must still name a student it named once and who was not regraded since.  The
penalty expected is what nbgrader's own ``AssignLatePenalties`` would store today (its plugin, its cap at the
notebook's score), for the submission's ``total_seconds_late`` as the gradebook has it now.
"""

from __future__ import annotations

from dataclasses import dataclass

from nbgrader.api import Gradebook
from nbgrader.preprocessors import AssignLatePenalties
from traitlets.config import Config


@dataclass
class StalePenalty:
    assignment: str
    student: str
    notebook: str
    stored: float  # the penalty in the gradebook
    expected: float  # the penalty the current dates and rule give


def stale_penalties(gradebook: Gradebook, config: Config, assignments: list[str]) -> list[StalePenalty]:
    step = AssignLatePenalties(config=config)
    step.gradebook = gradebook  # what the plugin reads (course_kit.term.LatePenalty finds the points possible there)
    stale: list[StalePenalty] = []
    for assignment in assignments:
        try:
            record = gradebook.find_assignment(assignment)
        except Exception:  # noqa: BLE001 - MissingEntry: not generated yet, nothing graded
            continue
        step.assignment_id = assignment
        for submission in record.submissions:
            for notebook in submission.notebooks:
                if all(g.auto_score is None for g in notebook.grades):
                    continue  # collected, never autograded: it gets the current dates when it is
                step.notebook_id = notebook.name
                step.init_plugin()
                expected = 0.0
                if submission.total_seconds_late > 0:
                    penalty = step.plugin_inst.late_submission_penalty(submission.student_id, notebook.score,
                                                                       submission.total_seconds_late)
                    expected = 0.0 if penalty is None else step._check_late_penalty(notebook, penalty)
                stored = notebook.late_submission_penalty or 0.0
                if abs(stored - expected) > 1e-9:
                    stale.append(StalePenalty(assignment, submission.student_id, notebook.name, stored, expected))
    return stale
