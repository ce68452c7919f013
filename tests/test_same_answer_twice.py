"""Autograding the same submission twice gives identical scores and identical feedback.

Regrades, in the session's graded course, one student per assignment whose
work loses points (so the feedback carries failure messages with numbers),
the Keras one included: its training is seeded, so its accuracy and every
report line must come out the same.
"""

from __future__ import annotations

import pytest

TWICE = [
    ("ps1_naive_loss", "partially_right"),
    ("ps2_stable_loss", "partially_right"),
    ("ps3_keras_from_logits", "untrained"),
]


def _feedback(course, assignment: str, student: str) -> dict[str, bytes]:
    course.generate_feedback(assignment, student)
    folder = course.course_dir / "feedback" / student / assignment
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.html"))}


@pytest.mark.parametrize(("assignment", "student"), TWICE)
def test_second_autograde_changes_nothing(graded, course, assignment, student):
    first = graded(assignment)[student]
    assert first.success and first.total < first.max_total
    feedback = _feedback(course, assignment, student)
    assert feedback

    outcome = course.autograde(assignment, student)  # force=True: graded again from scratch
    assert outcome["success"], outcome.get("log", "")[-2000:]
    assert course.score(assignment, student) == (first.total, first.max_total)
    again = {c.grade_id: c for c in course.cell_results(assignment, student)}
    assert {k: (c.score, c.report) for k, c in again.items()} == {
        k: (c.score, c.report) for k, c in first.cells.items()
    }
    assert _feedback(course, assignment, student) == feedback
