"""Where one assignment stands, per student: ``make status A=<assignment>``.

    python -m course_kit.instructor.status ps2_stable_loss [--course-dir .] [--json]

One line per student, then the count of students in each state.  The states,
furthest first (``STATES``): graded (score / max), hand grading pending (the
cells), collected (not graded yet, or no longer: why), waiting in the exchange
(submitted, not collected), refused (by collect or by autograde's submission
gate, with the reason), nothing submitted (on the gradebook's roster, nothing
handed in).  Beside the state: a newer submission waiting in the exchange
after the one collected; the feedback generated and whether it was released,
and whether it is for the submission as collected now or a superseded one;
lateness as nbgrader's gradebook has it (``SubmittedAssignment``:
``total_seconds_late`` past the due date plus the student's extension, the
late penalty), so what is shown is what the exports apply; and the first
check that lost points (from the grading record).

``--json`` prints the same as data (``ClassStatus``, ``schema_version`` 1):
scripts read that, never the text.  Everything comes from the kit's one model
of a class run (``class_run``: markers, grading records, ``graded_or_why``), the
gradebook (read once, in one session), the exchange (``course_kit.exchange.
waiting``), ``feedback/`` and the refusal records.  It only reads: it takes no
lock, and may run beside ``make grade`` (a student being graded shows as
collected, "a run was cut off while grading it", until the run has them).
``make grade`` ends with the same counts (``count_line``).
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.utils import notebook_hash

from course_kit.confinement.private_folder import open_regular_file
from course_kit.exchange.refusals import RefusalsError, read_refusals, refusals_path
from course_kit.exchange.waiting import Exchange, collected_at, in_exchange, utc_text
from course_kit.instructor.class_run import (
    GradedSubmission,
    autograde_refusal,
    first_lost_check,
    graded_or_why,
    record_problems,
)
from course_kit.instructor.course import Course, SubmissionGrades, submission_grades, unknown_assignment

SCHEMA_VERSION = 1
GRADED, PENDING, COLLECTED, WAITING, REFUSED, NOTHING = (
    "graded", "hand grading pending", "collected", "waiting in the exchange", "refused", "nothing submitted")
STATES = (GRADED, PENDING, COLLECTED, WAITING, REFUSED, NOTHING)  # furthest first
# Counted beside the states (a student may be in several):
NEWER_WAITING, LATE, FEEDBACK_RELEASED, FEEDBACK_UNRELEASED, FEEDBACK_SUPERSEDED = (
    "newer submission waiting", "late", "feedback released", "feedback not released", "feedback superseded")
FLAGS = (NEWER_WAITING, LATE, FEEDBACK_RELEASED, FEEDBACK_UNRELEASED, FEEDBACK_SUPERSEDED)


@dataclass
class Feedback:
    submitted_at: str | None  # the submission it was generated from (its timestamp.txt)
    current: bool  # generated from the submission as collected now (False: a superseded one)
    released: bool  # every notebook's HTML is in the exchange, as generated


@dataclass
class Late:
    seconds_late: float  # nbgrader's SubmittedAssignment.total_seconds_late (past the due date + extension)
    duedate: str | None  # the student's due date, extension included (UTC)
    extension_s: float | None  # the student's extension (None: none)
    penalty: float  # nbgrader's late_submission_penalty (points taken off)


@dataclass
class StudentStatus:
    student: str
    state: str  # one of STATES
    score: float | None = None
    max_score: float | None = None
    to_grade_by_hand: list[str] = field(default_factory=list)  # grade_ids still to grade in formgrader
    not_graded_because: str = ""  # collected: why it does not count as graded ("" : never graded)
    collected_at: str | None = None  # the collected submission's time (UTC)
    newer_waiting: str | None = None  # a submission newer than the collected one waits in the exchange: its time
    waiting_since: str | None = None  # state WAITING: the time of the submission collect would take
    refused: list[str] = field(default_factory=list)  # why collect or autograde's gate refused a submission
    feedback: Feedback | None = None
    late: Late | None = None
    first_lost_check: str | None = None
    problems: list[str] = field(default_factory=list)  # what the grading records say needs a look

    @property
    def flags(self) -> list[str]:
        flags = [NEWER_WAITING] if self.newer_waiting else []
        if self.late is not None and self.late.seconds_late > 0:
            flags.append(LATE)
        if self.feedback is not None:
            flags.append(FEEDBACK_RELEASED if self.feedback.released else FEEDBACK_UNRELEASED)
            if not self.feedback.current:
                flags.append(FEEDBACK_SUPERSEDED)
        return flags

    def line(self) -> str:
        """One line for a terminal."""
        if self.state in (GRADED, PENDING):
            what = f"{self.state} {self.score:g} / {self.max_score:g}"
            if self.to_grade_by_hand:
                what += f" (to grade by hand: {', '.join(self.to_grade_by_hand)})"
        elif self.state == COLLECTED:
            what = f"collected {self.collected_at or ''}, not graded" + (
                f" ({self.not_graded_because})" if self.not_graded_because else "")
        elif self.state == WAITING:
            what = f"waiting in the exchange (submitted {self.waiting_since}): run nbgrader collect"
        else:
            what = self.state
        parts = [what]
        if self.newer_waiting:
            parts.append(f"NEWER SUBMISSION WAITING ({self.newer_waiting}): nbgrader collect --update, then grade")
        if self.late is not None and self.late.seconds_late > 0:
            extension = f", extension {_duration(self.late.extension_s)}" if self.late.extension_s else ""
            penalty = f", penalty {self.late.penalty:g}" if self.late.penalty else ""
            parts.append(f"late by {_duration(self.late.seconds_late)} (due {self.late.duedate}{extension}{penalty})")
        if self.feedback is not None:
            released = "released" if self.feedback.released else "generated, not released"
            whose = "" if self.feedback.current else f", for a superseded submission ({self.feedback.submitted_at})"
            parts.append(f"feedback {released}{whose}")
        parts += [f"refused: {reason}" for reason in self.refused]
        if self.first_lost_check:
            parts.append(f"first lost: {self.first_lost_check}")
        name = self.student if self.student.isprintable() else ascii(self.student)
        return f"  {name:<24} " + "; ".join(parts)


@dataclass
class ClassStatus:
    assignment: str
    duedate: str | None  # the assignment's due date in the gradebook (UTC), before extensions
    students: list[StudentStatus]
    counts: dict[str, int]  # every state and flag, zeros included
    exchange_error: str = ""  # why the exchange's inbound/ could not be read
    refusals_error: str = ""  # why collect's refusal record could not be read
    schema_version: int = SCHEMA_VERSION

    def to_json(self) -> dict:
        data = asdict(self)
        for student, entry in zip(self.students, data["students"], strict=True):
            entry["flags"] = student.flags
        return data


def _duration(seconds: float | None) -> str:
    return str(timedelta(seconds=round(seconds or 0)))


@dataclass
class _Gradebook:
    """The gradebook's view of the assignment, read in one session."""

    roster: list[str]
    duedate: str | None
    grades: dict[str, SubmissionGrades]
    late: dict[str, Late]


def _read_gradebook(course: Course, assignment: str) -> _Gradebook:
    with Gradebook(course.api.coursedir.db_url, course.course_id) as gradebook:
        roster = sorted(student.id for student in gradebook.students)
        try:
            found = gradebook.find_assignment(assignment)
        except MissingEntry:
            return _Gradebook(roster, None, {}, {})
        grades, late = {}, {}
        for submission in found.submissions:
            grades[submission.student_id] = submission_grades(submission)
            extension = submission.extension.total_seconds() if submission.extension is not None else None
            if found.duedate is None:
                continue  # no due date: nothing is late
            late[submission.student_id] = Late(submission.total_seconds_late, utc_text(submission.duedate),
                                               extension, submission.late_submission_penalty or 0.0)
        return _Gradebook(roster, utc_text(found.duedate), grades, late)


def _feedback(course: Course, assignment: str, student: str, exchange_root: Path) -> Feedback | None:
    """The feedback generated for ``student`` (``feedback/<student>/<assignment>/``), or None if there is none."""
    coursedir = course.api.coursedir
    folder = Path(coursedir.format_path(coursedir.feedback_directory, student, assignment))
    pages = sorted(folder.glob("*.html"))
    if not pages:
        return None
    stamp, secret = _small_text(folder / "timestamp.txt"), _small_text(folder / "submission_secret.txt")
    submitted = Path(coursedir.format_path(coursedir.submitted_directory, student, assignment))
    current = stamp is not None and stamp == _small_text(submitted / "timestamp.txt") \
        and secret == _small_text(submitted / "submission_secret.txt")
    released = bool(secret) and all(
        _same_bytes(page, exchange_root / course.course_id / "feedback" /
                    f"{notebook_hash(secret=secret, notebook_id=page.stem)}.html") for page in pages)
    return Feedback(stamp, current, released)


def _small_text(path: Path) -> str | None:
    try:
        with open_regular_file(path) as file:
            return file.read(4096).decode().strip()
    except (OSError, UnicodeDecodeError):
        return None


def _same_bytes(mine: Path, released: Path) -> bool:
    try:
        with open_regular_file(mine) as a, open_regular_file(released) as b:
            while True:
                x, y = a.read(2**20), b.read(2**20)
                if x != y:
                    return False
                if not x:
                    return True
    except OSError:
        return False


def class_status(course: Course, assignment: str) -> ClassStatus:
    """Where ``assignment`` stands for every student the course knows of (module docstring)."""
    book = _read_gradebook(course, assignment)
    exchange: Exchange = in_exchange(course.config, course.course_dir, assignment)
    refused_at_collect: dict[str, list[str]] = {}
    refusals_error = ""
    try:
        for refusal in read_refusals(refusals_path(course.course_dir, assignment)):
            refused_at_collect.setdefault(refusal.student_id, []).append(f"at collect: {refusal.line()}")
    except RefusalsError as error:
        refusals_error = str(error)
    submitted = course.course_dir / "submitted"
    collected = {p.parent.name for p in submitted.glob(f"*/{assignment}") if p.is_dir() and not p.is_symlink()}
    students = sorted(set(book.roster) | collected | set(exchange.waiting) | set(refused_at_collect))
    exchange_root = exchange.inbound.parent.parent
    result = []
    for student in students:
        status = _student(course, assignment, student, student in collected, book, exchange, exchange_root)
        status.refused = refused_at_collect.get(student, []) + status.refused
        if status.state == NOTHING and status.refused:
            status.state = REFUSED
        result.append(status)
    counts = dict.fromkeys(STATES + FLAGS, 0)
    for status in result:
        counts[status.state] += 1
        for flag in status.flags:
            counts[flag] += 1
    return ClassStatus(assignment, book.duedate, result, counts, exchange.error, refusals_error)


def _student(course: Course, assignment: str, student: str, collected: bool, book: _Gradebook,
             exchange: Exchange, exchange_root: Path) -> StudentStatus:
    status = StudentStatus(student, NOTHING)
    waiting = exchange.waiting.get(student)
    if waiting is not None:
        status.refused += [f"collect will refuse {reason}" for reason in waiting.would_refuse]
    if not collected:
        if waiting is not None and waiting.folder:
            status.state, status.waiting_since = WAITING, waiting.submitted_at
        return status
    if waiting is not None and waiting.folder and waiting.after_collected:
        status.newer_waiting = waiting.submitted_at
    status.collected_at = utc_text(collected_at(course.course_dir, assignment, student))
    status.late = book.late.get(student)
    status.feedback = _feedback(course, assignment, student, exchange_root)
    gate = autograde_refusal(course, assignment, student)
    if gate:
        status.state, status.refused = REFUSED, status.refused + [f"by the submission gate: {p}" for p in gate]
        return status
    graded = graded_or_why(course, assignment, student, book.grades.get(student))
    if not isinstance(graded, GradedSubmission):
        status.state, status.not_graded_because = COLLECTED, graded
        return status
    status.score, status.max_score = graded.grades.score, graded.grades.max_score
    status.to_grade_by_hand = graded.grades.ungraded
    status.state = PENDING if graded.grades.ungraded else GRADED
    status.first_lost_check = first_lost_check(graded.records)
    status.problems = [problem for record in graded.records for problem in record_problems(record)]
    return status


def count_line(status: ClassStatus) -> str:
    """The counts, in words: the states (furthest first), then what is counted beside them; zeros left out."""
    states = ", ".join(f"{status.counts[s]} {s}" for s in STATES if status.counts[s])
    flags = ", ".join(f"{status.counts[f]} {f}" for f in FLAGS if status.counts[f])
    total = len(status.students)
    line = f"{status.assignment}: {total} student{'s' if total != 1 else ''}: {states or 'none'}"
    return line + (f"; {flags}" if flags else "")


def report(status: ClassStatus) -> list[str]:
    """What ``make status`` prints."""
    due = f" (due {status.duedate})" if status.duedate else ""
    lines = [f"{status.assignment}{due}:"] + [student.line() for student in status.students]
    lines += [f"  exchange: {error}" for error in (status.exchange_error,) if error]
    lines += [f"  collect's refusals: {error}" for error in (status.refusals_error,) if error]
    return lines + [count_line(status)]


def main(argv: list[str] | None = None) -> int:
    warnings.filterwarnings("ignore", message=".*not in session.*")  # nbgrader 0.9.6 vs SQLAlchemy 2
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("assignment")
    parser.add_argument("--course-dir", type=Path, default=Path.cwd(), help="the course root (default: here)")
    parser.add_argument("--json", action="store_true", help="print the status as JSON data (schema_version 1)")
    args = parser.parse_args(argv)
    unknown = unknown_assignment(args.course_dir, args.assignment)
    if unknown:
        print(unknown, file=sys.stderr)
        return 2
    status = class_status(Course(args.course_dir), args.assignment)
    if args.json:
        json.dump(status.to_json(), sys.stdout, indent=1)
        print()
    else:
        print("\n".join(report(status)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
