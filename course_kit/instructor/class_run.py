"""A class run's state, shared by ``grade_class`` and the Dask path (``course_kit.parallel.class_grading``).

What one run knows of each student and how it tells it: the result
(``StudentResult``), the in-progress marker
(``autograded/<student>/<assignment>.grading``), whether a submission is
graded and, if it is not but was before, why (``graded_or_why``), the line
printed per student, and the exit codes.  Both modules import it, so neither
imports the other's private helpers.

Graded means: no in-progress marker; for each notebook of the assignment, a
valid grading record of the submission as it stands and the graded notebook
beside it; and the gradebook agreeing with the records.  Where one is missing
(a run that overlapped another deleted the graded folder, someone tidied
``autograded/``), the student is graded again and the line says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from traitlets import TraitError

from course_kit.exchange.waiting import in_exchange
from course_kit.grading.hand_grades import remember_before_regrade
from course_kit.grading.record import GradingRecord, RecordError, read_record, record_path, submission_digest
from course_kit.instructor.course import Course, SubmissionGrades
from course_kit.instructor.submission_gate import read_refusal, refusal_path

# Exit status of grade_class (README, docs/instructor_guide.md; `make grade` reports it, see the Makefile).
EXIT_OK, EXIT_NEEDS_A_LOOK, EXIT_CANNOT_GRADE, EXIT_BUSY = 0, 1, 2, 3
EXIT_INTERRUPTED = 130  # Ctrl-C: 128 + SIGINT, as a shell reports a command that SIGINT stopped


@dataclass
class StudentResult:
    """What grading one student's submission gave: plain data, so it can come back from another process."""

    student: str
    score: tuple[float, float] | None = None  # (score, max) from the gradebook; None: not graded
    problems: list[str] = field(default_factory=list)
    regraded: bool = False  # graded in this run (False: already graded, left alone)
    records: list[GradingRecord] = field(default_factory=list)  # one per graded notebook
    to_grade_by_hand: list[str] = field(default_factory=list)  # grade_ids the gradebook says need a person
    regraded_because: str = ""  # graded before, but no longer counted as graded: why it was graded again
    # Seconds of this run: "autograde_s" (nbgrader's autograde on the worker), "writer_s" (this process writing
    # it into the gradebook and reading it back); the per-notebook parts are in each record's timings.
    timings: dict[str, float] = field(default_factory=dict)
    late_penalty: float = 0.0  # the gradebook's, which both exports subtract from ``score``
    newer_waiting: str = ""  # a newer submission waits in the exchange, not collected: when it was submitted

    @property
    def needs_a_look(self) -> bool:
        return self.score is None or bool(self.problems) or bool(self.to_grade_by_hand)


class CannotGrade(RuntimeError):
    """Grading cannot run at all (every student would fail the same way)."""


def in_progress_marker(course: Course, assignment: str, student: str) -> Path:
    """Exists while this student's grading runs (beside the kernel's folder, out of its sight)."""
    return course.course_dir / "autograded" / student / f"{assignment}.grading"


@dataclass
class GradedSubmission:
    records: list[GradingRecord]  # one per notebook
    grades: SubmissionGrades  # the gradebook's, read once


_UNREAD = object()


def graded_or_why(course: Course, assignment: str, student: str,
                  grades: SubmissionGrades | None | object = _UNREAD) -> GradedSubmission | str:
    """This submission's grading records and gradebook entry; else why it does not count as graded ("" when
    it was never graded): a run was cut off while grading it, a notebook has no valid record or no graded
    notebook, the submission changed since, or the gradebook disagrees with a record.  ``grades``: the
    gradebook's entry when the caller read the class at once (None: no submission), else it is read here."""
    if in_progress_marker(course, assignment, student).exists():
        return "a run was cut off while grading it"
    graded = course.course_dir / "autograded" / student / assignment
    notebooks = sorted(p.stem for p in (course.course_dir / "source" / assignment).glob("*.ipynb"))
    try:
        records = [read_record(record_path(graded, nb), assignment, student, nb) for nb in notebooks]
    except RecordError as error:
        return f"its grading record is unusable ({error})" if graded.exists() or _any_record(graded) else ""
    missing = [nb for nb in notebooks if not (graded / f"{nb}.ipynb").is_file()]
    if missing:
        return f"its record is there but its graded notebook autograded/{student}/{assignment}/{missing[0]}.ipynb " \
               "is not"
    submitted = course.course_dir / "submitted" / student / assignment
    if not records or any(r.submission_sha256 != submission_digest(submitted) for r in records):
        return "the submission changed since it was graded"
    if grades is _UNREAD:
        grades = course.grades(assignment, student)
    if not isinstance(grades, SubmissionGrades):
        return "the gradebook has no submission for its record"
    if any(grades.auto.get((r.notebook, c.grade_id)) != c.score for r in records for c in r.cells):
        return "the gradebook disagrees with its grading record"
    return GradedSubmission(records, grades)


def _any_record(graded: Path) -> bool:
    return any(graded.parent.glob(f"{graded.name}.*.record.json"))


def graded_submission(course: Course, assignment: str, student: str) -> GradedSubmission | None:
    """This submission's grading records and gradebook entry, or None if it is not graded (``graded_or_why``)."""
    graded = graded_or_why(course, assignment, student)
    return graded if isinstance(graded, GradedSubmission) else None


def is_graded(course: Course, assignment: str, student: str) -> bool:
    """Graded to the end, after the last change to the submission (see ``graded_or_why``)."""
    return graded_submission(course, assignment, student) is not None


def newer_waiting(course: Course, assignment: str) -> dict[str, str]:
    """Student -> the time of a submission newer than the collected one that waits in the exchange (``{}`` when
    the exchange cannot be read: grading goes on without the news)."""
    try:
        exchange = in_exchange(course.config, course.course_dir, assignment)
    except (OSError, TraitError):
        return {}
    return {student: waiting.submitted_at or "" for student, waiting in exchange.waiting.items()
            if waiting.folder and waiting.after_collected}


def start_grading(course: Course, assignment: str, student: str) -> Path:
    """Mark this student's grading as in progress and drop the last grading's records; the marker.

    The answers that were graded by hand are kept first (``hand_grades``), while the graded notebook is there."""
    marker = in_progress_marker(course, assignment, student)
    marker.parent.mkdir(parents=True, exist_ok=True)
    remember_before_regrade(course.course_dir, assignment, student)
    marker.touch()
    for stale in marker.parent.glob(f"{assignment}.*.record.json"):
        stale.unlink()  # a record speaks for one grading only
    refusal_path(marker.parent / assignment).unlink(missing_ok=True)  # and so does a refusal
    return marker


def autograde_refusal(course: Course, assignment: str, student: str) -> list[str]:
    """Why autograde's own gate (``submission_gate``) refused this submission as it stands; [] if it did not.
    ``make grade`` refuses an unsafe folder before any worker sees it; the gate also catches one that became
    unsafe after that check."""
    graded = course.course_dir / "autograded" / student / assignment
    refusal = read_refusal(refusal_path(graded), assignment, student)
    submitted = course.course_dir / "submitted" / student / assignment
    if refusal is None or refusal.submission_sha256 != submission_digest(submitted):
        return []
    return refusal.problems


def read_back(course: Course, assignment: str, result: StudentResult) -> StudentResult:
    """Fill ``result`` from the records and the gradebook, once the submission is graded to the end."""
    graded = graded_submission(course, assignment, result.student)
    if graded is not None:
        result.records = graded.records
        result.score = graded.grades.score, graded.grades.max_score
        result.late_penalty = graded.grades.late_penalty
        result.to_grade_by_hand = graded.grades.ungraded
        result.problems += [problem for record in result.records for problem in record_problems(record)]
    return result


# nbgrader's own closing lines, which say only that something went wrong.
_GENERIC = ("There was an error processing", "Please see the the above traceback", "Traceback")


def last_error(log: str, marker: str = "") -> str:
    """What went wrong, from nbgrader's log: the text after ``marker`` when given and found, else the first
    ERROR line that says more than nbgrader's generic ones."""
    if marker and marker in log:
        return log[log.rindex(marker) + len(marker):].splitlines()[0][:500]
    errors = [line.strip() for line in log.splitlines() if "ERROR" in line]
    specific = [line for line in errors if not any(generic in line for generic in _GENERIC)]
    return ((specific or errors or log.strip().splitlines() or ["no log"])[0])[:300]


def record_problems(record: GradingRecord) -> list[str]:
    """What the instructor should look at in one notebook's run: a stopped or dead kernel, cells cut off by
    the timeout, things planted in its working folder, outputs cut."""
    name = f"{record.notebook}.ipynb"
    problems: list[str] = []
    if record.left_behind:
        problems.append(f"{name}: the notebook planted in its working folder "
                        f"{'; '.join(record.left_behind)} (ignored, but it was trying something)")
    if record.outputs_cut:
        problems.append(f"{name}: {record.outputs_cut} outputs were cut, too large for the grader")
    if record.widget_messages_dropped:
        problems.append(f"{name}: {record.widget_messages_dropped} widget (comm) messages were dropped, "
                        "past the output budget")
    kernel = record.kernel
    if not kernel.ran_to_the_end:
        problems.append(f"{name}: {kernel.sentence}")
    elif kernel.timed_out_cells:
        problems.append(f"{name}: cell(s) {', '.join(map(str, kernel.timed_out_cells))} ran past the cell timeout "
                        "and were interrupted")
    return problems


def first_lost_check(records: list[GradingRecord]) -> str | None:
    """Where the submission first lost points: "<cell>: <check>: <its message's first line>", from the grading
    records (the cells in notebook order, the first failed check that carries points); None: it lost none."""
    for record in records:
        for cell in record.cells:
            if cell.score >= cell.max_score:
                continue
            failed = [check for check in cell.checks if not check.passed]
            check = next((c for c in failed if c.weight), failed[0] if failed else None)
            if check is None:
                return f"{cell.grade_id}: {cell.score:g} / {cell.max_score:g}"
            detail = check.message.splitlines()[0] if check.message else ""
            return f"{cell.grade_id}: {check.name}" + (f": {detail}" if detail else "")
    return None


def student_line(result: StudentResult) -> str:
    score = "not graded" if result.score is None else f"{result.score[0]:g} / {result.score[1]:g}"
    if result.score is not None and result.late_penalty:  # the exports' score, so that the two never disagree
        score += f" (late: -{result.late_penalty:g} = {result.score[0] - result.late_penalty:g})"
    problems = list(result.problems)
    if result.to_grade_by_hand:
        cells = result.to_grade_by_hand
        # Pending, not failed: the gradebook counts an ungraded cell as 0, so say what the score leaves out.
        problems.append(f"{len(cells)} cell{'s' if len(cells) != 1 else ''} to grade by hand: {', '.join(cells)} "
                        "(not graded yet: the score is the autograded cells' so far)")
    flag = "  NEEDS A LOOK: " + "; ".join(problems) if result.needs_a_look else ""
    fresh = "" if result.regraded or result.score is None else " (already graded)"
    if result.newer_waiting:  # graded, but not what the student handed in last
        fresh += f" (a newer submission of {result.newer_waiting} waits in the exchange: nbgrader collect --update)"
    again = f" (graded again: {result.regraded_because})" if result.regraded and result.regraded_because else ""
    return f"  {result.student:<24} {score:<12}{fresh}{again}{flag}"
