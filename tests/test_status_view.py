"""``make status``: where an assignment stands per student, through a whole loop, as an instructor runs it.

ps2 (its derivation is graded by hand), with a due date an hour ago in the gradebook, and three students on
the roster: alice and bob hand in through the course's exchange (nbgrader's own submit), carol nothing.  The
instructor's commands are the real ones (``nbgrader`` and ``make`` in the course root): release, ``make grade``
before anything is collected, collect alice only, grade, collect bob, grade, grade the derivations by hand
(the gradebook API, as formgrader saves), generate and release feedback, an extension for bob, then alice
hands in again after grading and is collected with ``--update``.  After each step ``make status JSON=1``'s
states are checked, and its text lines (``make status``'s module, run here); ``make grade`` says what waits
in the exchange, each student's first lost check and the same counts.  No nbgrader command prints a
warning about the kit's own configuration.

The students are played by this process (``Course.submit``): their folders in ``inbound/`` are not theirs,
so the course collects as on a server where students have no Unix accounts
(``c.VettedCollect.require_owner_match = False`` in ``local_config.py``, docs/instructor_guide.md).
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook

from conftest import REPO, TEST_SETTINGS, VENV, course_env, make_command
from course_kit.instructor import Course, copy_course
from course_kit.instructor.samples import build_submission, read_sample
from course_kit.instructor.status import (
    COLLECTED,
    FEEDBACK_RELEASED,
    FEEDBACK_SUPERSEDED,
    GRADED,
    LATE,
    NEWER_WAITING,
    NOTHING,
    PENDING,
    WAITING,
)
from course_kit.instructor.status import main as status_main

ASSIGNMENT = "ps2_stable_loss"
LIBRARY = REPO / "samples" / ASSIGNMENT


def _nbgrader(course_dir: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    run = subprocess.run([str(VENV / "bin" / "nbgrader"), *argv], cwd=course_dir, env=course_env(),
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, f"nbgrader {' '.join(argv)} failed:\n{run.stdout}\n{run.stderr}"
    # The kit's own settings must not make nbgrader warn (`display_data_priority` not recognized, ...).
    assert "not recognized" not in run.stderr and "Config option" not in run.stderr, run.stderr
    return run


def _make(course_dir: Path, target: str, *variables: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(make_command(target, f"A={ASSIGNMENT}", *variables), cwd=course_dir, env=course_env(),
                          capture_output=True, text=True, timeout=900)


def _status(course_dir: Path) -> tuple[dict[str, dict], dict[str, int], dict[str, str]]:
    """make status JSON=1's students (by name) and counts, and make status's line of each student."""
    data = _make(course_dir, "status", "JSON=1")
    assert data.returncode == 0, data
    parsed = json.loads(data.stdout)
    assert parsed["schema_version"] == 1
    out = io.StringIO()  # the text in this process: a make and an interpreter fewer per look
    with contextlib.redirect_stdout(out):
        assert status_main([ASSIGNMENT, "--course-dir", str(course_dir)]) == 0
    text = out.getvalue()
    lines = {m[1]: m[2] for m in re.finditer(r"^  (\S+) +(.*)$", text, re.M)}
    students = {s["student"]: s for s in parsed["students"]}
    assert set(lines) == set(students), text
    counts_line = text.strip().splitlines()[-1]
    for state, count in parsed["counts"].items():  # the text's counts are the data's
        assert (f"{count} {state}" in counts_line) == (count > 0), (state, counts_line)
    return students, parsed["counts"], lines


def _states(students: dict[str, dict]) -> dict[str, str]:
    return {name: s["state"] for name, s in students.items()}


def test_status_through_a_whole_loop(tmp_path: Path) -> None:
    course_dir = copy_course(REPO, tmp_path / "course", [ASSIGNMENT])
    with (course_dir / "nbgrader_config.py").open("a") as config:
        config.write(TEST_SETTINGS)
    (course_dir / "local_config.py").write_text("c = get_config()\nc.VettedCollect.require_owner_match = False\n")
    _nbgrader(course_dir, "generate_assignment", ASSIGNMENT, "--force")  # make release
    _nbgrader(course_dir, "release_assignment", ASSIGNMENT)
    course = Course(course_dir)
    db_url, course_id = course.api.coursedir.db_url, course.course_id
    with Gradebook(db_url, course_id) as gradebook:  # nbgrader's own fields: the roster, the due date
        for student in ("alice", "bob", "carol"):
            gradebook.update_or_create_student(student)
        gradebook.update_or_create_assignment(ASSIGNMENT, duedate=datetime.now(UTC).replace(tzinfo=None)
                                              - timedelta(hours=1))
    release, source = course.release_notebook(ASSIGNMENT), course.source_notebook(ASSIGNMENT)

    def hand_in(student: str, sample: str, note: str = "") -> None:
        notebook = build_submission(release, source, read_sample(LIBRARY / f"{sample}.py", LIBRARY))
        if note:
            notebook.cells.append(nbformat.v4.new_markdown_cell(note))
        course.submit(student, ASSIGNMENT, {release.name: notebook})

    hand_in("alice", "reference")
    hand_in("bob", "partially_right")

    # Handed in, nothing collected: make grade says so rather than "0 submissions", and needs a look.
    students, counts, lines = _status(course_dir)
    assert _states(students) == {"alice": WAITING, "bob": WAITING, "carol": NOTHING}
    assert counts[WAITING] == 2 and counts[NOTHING] == 1
    assert "waiting in the exchange (submitted " in lines["alice"] and lines["carol"] == NOTHING, lines
    grade = _make(course_dir, "grade")
    assert grade.returncode == 2, grade  # make's own status for a failed recipe; the tool's is named
    assert "2 submissions waiting in the exchange: run nbgrader collect ps2_stable_loss" in grade.stdout, grade
    assert "0 submissions" not in grade.stdout and "grade_class exit status 1" in grade.stdout, grade

    # alice collected and graded (her derivation waits for a person); bob still in the exchange.
    _nbgrader(course_dir, "collect", ASSIGNMENT, "--student=alice")
    grade = _make(course_dir, "grade", "J=1")
    assert "grade_class exit status 1" in grade.stdout, grade
    assert "1 more waiting in the exchange, not collected" in grade.stdout, grade
    assert grade.stdout.strip().splitlines()[-2].startswith(f"{ASSIGNMENT}: 3 students: "), grade.stdout
    students, counts, lines = _status(course_dir)
    assert _states(students) == {"alice": PENDING, "bob": WAITING, "carol": NOTHING}
    alice = students["alice"]
    assert (alice["score"], alice["max_score"], alice["to_grade_by_hand"]) == (13.0, 16.0, ["derivation"])
    assert alice["first_lost_check"] is None and LATE in alice["flags"] and alice["late"]["seconds_late"] > 3000
    assert lines["alice"].startswith("hand grading pending 13 / 16 (to grade by hand: derivation)"), lines
    assert "late by " in lines["alice"], lines

    # bob collected and graded: his first lost check, from his grading record, ends make grade.
    _nbgrader(course_dir, "collect", ASSIGNMENT)
    grade = _make(course_dir, "grade", "J=1")
    lost = re.search(r"^First lost check \(grading record\):\n((?:  .*\n)+)", grade.stdout, re.M)
    assert lost and re.search(r"^  - bob: test_softmax: ", lost[1], re.M) and "alice" not in lost[1], grade.stdout
    assert re.search(r"^  alice .*\(already graded\)", grade.stdout, re.M), grade.stdout
    students, counts, lines = _status(course_dir)
    assert _states(students) == {"alice": PENDING, "bob": PENDING, "carol": NOTHING}
    assert students["bob"]["first_lost_check"].startswith("test_softmax: ") and students["bob"]["score"] < 13
    assert "first lost: test_softmax: " in lines["bob"], lines

    # The derivations graded by hand (as formgrader saves a score), then the feedback out.
    with Gradebook(db_url, course_id) as gradebook:
        for student in ("alice", "bob"):
            grade_cell = gradebook.find_grade("derivation", source.stem, ASSIGNMENT, student)
            grade_cell.manual_score, grade_cell.needs_manual_grade = 3.0, False
        gradebook.db.commit()
    students, counts, lines = _status(course_dir)
    assert _states(students) == {"alice": GRADED, "bob": GRADED, "carol": NOTHING}
    assert lines["alice"].startswith("graded 16 / 16"), lines
    _nbgrader(course_dir, "generate_feedback", ASSIGNMENT)
    _nbgrader(course_dir, "release_feedback", ASSIGNMENT)
    students, counts, lines = _status(course_dir)
    assert counts[FEEDBACK_RELEASED] == 2 and counts[FEEDBACK_SUPERSEDED] == 0, counts
    assert students["alice"]["feedback"]["current"] and "feedback released" in lines["alice"], lines

    # An extension: bob is no longer late (nbgrader's total_seconds_late counts it); alice still is.
    with Gradebook(db_url, course_id) as gradebook:
        gradebook.grant_extension(ASSIGNMENT, "bob", days=1)
    students, counts, lines = _status(course_dir)
    assert LATE not in students["bob"]["flags"] and "late" not in lines["bob"], lines
    assert counts[LATE] == 1 and LATE in students["alice"]["flags"]

    # alice hands in again after grading: the newer one waits, and both commands say so.
    hand_in("alice", "reference", note="Handed in again.")
    students, counts, lines = _status(course_dir)
    assert students["alice"]["state"] == GRADED and NEWER_WAITING in students["alice"]["flags"], students["alice"]
    assert "NEWER SUBMISSION WAITING" in lines["alice"] and counts[NEWER_WAITING] == 1, lines
    grade = _make(course_dir, "grade", "J=1")
    assert grade.returncode == 0, grade
    assert re.search(r"^  alice .*\(already graded\) \(a newer submission of .* waits in the exchange",
                     grade.stdout, re.M), grade.stdout

    # Collected with --update: not graded any more, and her feedback is for the submission it replaced.
    _nbgrader(course_dir, "collect", "--update", ASSIGNMENT)
    students, counts, lines = _status(course_dir)
    alice = students["alice"]
    assert alice["state"] == COLLECTED and alice["not_graded_because"] == "the submission changed since it was graded"
    assert FEEDBACK_SUPERSEDED in alice["flags"] and not alice["feedback"]["current"], alice
    assert "for a superseded submission" in lines["alice"] and NEWER_WAITING not in alice["flags"], lines
