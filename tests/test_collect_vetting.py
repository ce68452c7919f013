"""What collect refuses, and what it still takes, folder by folder (course_kit/exchange/vetted_collect.py).

Faster than the two-user play of test_shared_exchange.py: the student here is the Unix user running the test
(root or not), whose folders in the course's own exchange are truly theirs.  nbgrader's collect runs in-process
with the course's configuration.  Stock nbgrader 0.9.6 takes the newest-named folder whatever it holds and
stops the whole collect on a folder whose time it cannot read or that is not a folder.
"""

from __future__ import annotations

import os
import pwd
from datetime import UTC, datetime, timedelta
from pathlib import Path

import nbformat
import pytest

from course_kit.exchange import read_refusals, refusals_path
from course_kit.instructor import Course, copy_course

REPO = Path(__file__).resolve().parents[1]
ASSIGNMENT = "ps1_naive_loss"
ME = pwd.getpwuid(os.geteuid()).pw_name


@pytest.fixture
def course(tmp_path: Path) -> Course:
    course_dir = copy_course(REPO, tmp_path / "course", [])
    (course_dir / "exchange" / "from_logits" / "inbound").mkdir(parents=True)  # as release_assignment makes it
    return Course(course_dir)


def _inbound(course: Course) -> Path:
    return course.course_dir / "exchange" / course.course_id / "inbound"


def _hand_in(course: Course, student: str, when: datetime | str, note: str, suffix: str = "r4nd0m") -> str:
    """A submission folder as nbgrader submit makes it: the notebook, timestamp.txt."""
    stamp = when if isinstance(when, str) else when.strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    name = f"{student}+{ASSIGNMENT}+{stamp}+{suffix}"
    folder = _inbound(course) / name
    folder.mkdir()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(note)])
    nbformat.write(nb, folder / "naive_loss.ipynb")
    (folder / "timestamp.txt").write_text(stamp)
    return name


def _collect(course: Course, *student: str) -> dict:
    """`nbgrader collect` under the course's own configuration (owners checked)."""
    result = course.api.collect(ASSIGNMENT) if not student else _collect_one(course, student[0])
    assert result["success"], result.get("error") or result.get("log")
    return result


def _collect_one(course: Course, student: str) -> dict:
    course.api.coursedir.student_id = student  # what `nbgrader collect --student=<id>` sets
    try:
        return course.api.collect(ASSIGNMENT)
    finally:
        course.api.coursedir.student_id = ""


def _collected_note(course: Course, student: str) -> str:
    nb = nbformat.read(course.course_dir / "submitted" / student / ASSIGNMENT / "naive_loss.ipynb", as_version=4)
    return nb.cells[0].source


def _reasons(course: Course) -> dict[str, str]:
    return {r.folder: r.reason for r in read_refusals(refusals_path(course.course_dir, ASSIGNMENT))}


def test_newest_acceptable_submission_wins(course: Course) -> None:
    now = datetime.now(UTC)
    _hand_in(course, ME, now - timedelta(hours=2), "first")
    _hand_in(course, ME, now - timedelta(hours=1), "second")
    future = _hand_in(course, ME, now + timedelta(days=3), "from the future")
    unreadable = _hand_in(course, ME, "yesterday-ish", "no time")
    not_a_folder = f"{ME}+{ASSIGNMENT}+{now:%Y-%m-%d %H:%M:%S.%f} UTC+file"
    (_inbound(course) / not_a_folder).write_text("")
    result = _collect(course)
    assert _collected_note(course, ME) == "second", "a refused folder shadowed the newest acceptable one"
    reasons = _reasons(course)
    assert set(reasons) == {future, unreadable, not_a_folder}, reasons
    assert "in the future" in reasons[future]
    assert "cannot be read" in reasons[unreadable]
    assert "not a folder" in reasons[not_a_folder]
    assert "Not collected" in result["log"]


def test_ids_owners_and_a_collect_of_one_student(course: Course) -> None:
    now = datetime.now(UTC)
    mine = _hand_in(course, ME, now, "mine")
    dotted = _hand_in(course, "..", now, "a path, not a name")
    formula = _hand_in(course, "@SUM(9+9)", now, "a formula")
    ghost = _hand_in(course, "ck-exch-no-such-user", now, "nobody's")
    _collect(course)
    assert sorted(os.listdir(course.course_dir / "submitted")) == [ME]
    reasons = _reasons(course)
    assert set(reasons) == {dotted, formula, ghost} and mine not in reasons
    assert "not a plain login name" in reasons[dotted] and "not a plain login name" in reasons[formula]
    assert "no Unix user is named ck-exch-no-such-user" in reasons[ghost]
    # A collect of one student replaces that student's refusals only.
    late = _hand_in(course, ME, now + timedelta(days=1), "late, from the future", suffix="again")
    _collect(course, ME)
    assert set(_reasons(course)) == {dotted, formula, ghost, late}
    assert _collected_note(course, ME) == "mine"


def test_without_owner_match_the_other_checks_stay(course: Course) -> None:
    """require_owner_match = False (no per-student Unix users): an id without an account is taken, a bad id or
    a future date still is not."""
    now = datetime.now(UTC)
    _hand_in(course, "ck-exch-no-such-user", now, "hub user")
    formula = _hand_in(course, "=1+2*3", now, "a formula")
    future = _hand_in(course, "ck-exch-no-such-user", now + timedelta(days=1), "from the future")
    relaxed = Course(course.course_dir)
    relaxed.api.config.VettedCollect.require_owner_match = False
    result = relaxed.api.collect(ASSIGNMENT)
    assert result["success"], result.get("log")
    assert sorted(os.listdir(course.course_dir / "submitted")) == ["ck-exch-no-such-user"]
    assert _collected_note(course, "ck-exch-no-such-user") == "hub user"
    assert set(_reasons(course)) == {formula, future}
    assert "require_owner_match is off" in result["log"]
