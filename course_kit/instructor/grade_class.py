"""Autograde a class for one assignment, and say which submissions need the instructor's look.

    python -m course_kit.instructor.grade_class ps1_naive_loss [--course-dir .] [--student alice ...] [--force]
                                                    [--jobs N | --scheduler tcp://host:8786]

For each student with a ``submitted/<student>/<assignment>`` folder: check the
files (``submission_checks``), autograde with the course's own configuration
(confinement, hidden graders), then read each notebook's grading record
(``course_kit.grading.record``) and the gradebook.  Students are graded side
by side on Dask workers (``course_kit.parallel``: one process per core by
default, within memory), and this process alone writes the gradebook.  One
line per student, then the count of submissions that need a look, each with
its reason (a cell still to grade by hand is one).  Exit status: 0 when every submission was graded
with nothing to look at, 1 when some need a look, 2 when grading could not run
at all (e.g. confinement is unavailable).

Graded means: a valid record for each notebook, of the submission as it stands,
agreeing with the gradebook.  Interrupted runs: nbgrader writes a sanitized
copy of the notebook into ``autograded/`` before it runs it, so an existing
notebook there does not mean graded, and bare ``nbgrader autograde`` skips a
student whose grading was cut off.  This command marks each student's grading
as in progress (``autograded/<student>/<assignment>.grading``) until the
gradebook has it; a run killed half way is simply run again, and grades
exactly the students it had not finished.  After an interrupted bare
``nbgrader autograde``, use ``--force``.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from course_kit.confinement import notebook_cgroup
from course_kit.confinement.confined_kernel import REFUSAL
from course_kit.grading.record import GradingRecord, RecordError, read_record, record_path, submission_digest
from course_kit.instructor.course import Course, SubmissionGrades
from course_kit.instructor.submission_checks import check_submission
from course_kit.instructor.submission_gate import read_refusal, refusal_path

EXIT_OK, EXIT_NEEDS_A_LOOK, EXIT_CANNOT_GRADE = 0, 1, 2


@dataclass
class StudentResult:
    """What grading one student's submission gave: plain data, so it can come back from another process."""

    student: str
    score: tuple[float, float] | None = None  # (score, max) from the gradebook; None: not graded
    problems: list[str] = field(default_factory=list)
    regraded: bool = False  # graded in this run (False: already graded, left alone)
    records: list[GradingRecord] = field(default_factory=list)  # one per graded notebook
    to_grade_by_hand: list[str] = field(default_factory=list)  # grade_ids with no score yet

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


def graded_submission(course: Course, assignment: str, student: str) -> GradedSubmission | None:
    """This submission's grading records and gradebook entry, or None if it is not graded: a run was cut off
    while grading it, a notebook has no valid record, the submission changed since, or the gradebook
    disagrees with a record."""
    if in_progress_marker(course, assignment, student).exists():
        return None
    graded = course.course_dir / "autograded" / student / assignment
    notebooks = sorted(p.stem for p in (course.course_dir / "source" / assignment).glob("*.ipynb"))
    try:
        records = [read_record(record_path(graded, nb), assignment, student, nb) for nb in notebooks]
    except RecordError:
        return None
    submitted = course.course_dir / "submitted" / student / assignment
    if not records or any(r.submission_sha256 != submission_digest(submitted) for r in records):
        return None
    grades = course.grades(assignment, student)
    if grades is None or any(grades.auto.get((r.notebook, c.grade_id)) != c.score for r in records for c in r.cells):
        return None
    return GradedSubmission(records, grades)


def is_graded(course: Course, assignment: str, student: str) -> bool:
    """Graded to the end, after the last change to the submission (see ``graded_submission``)."""
    return graded_submission(course, assignment, student) is not None


def grade_student(course: Course, assignment: str, student: str, force: bool = False) -> StudentResult:
    """Check, then autograde (unless already graded) one student's submission; what it gave."""
    result = StudentResult(student)
    source_dir = course.course_dir / "source" / assignment
    sources = {p.name: nbformat.read(p, as_version=4) for p in source_dir.glob("*.ipynb")}
    checks = check_submission(course.course_dir / "submitted" / student / assignment, sources)
    result.problems += [problem.message for problem in checks]
    if any(problem.unsafe for problem in checks):
        return result  # never handed to nbgrader, which would follow its links
    if force or not is_graded(course, assignment, student):
        marker = start_grading(course, assignment, student)
        outcome = course.autograde(assignment, student)  # force=True: a half-graded folder is redone
        marker.unlink()
        result.regraded = True
        log = outcome.get("log", "") or ""
        if REFUSAL in log:
            raise CannotGrade(_last_error(log, "ConfinementError: "))
        refused = autograde_refusal(course, assignment, student)
        result.problems += refused
        if not outcome["success"] and not refused and not any(problem.blocking for problem in checks):
            result.problems.append(f"nbgrader could not grade it: {_last_error(log)}")
    return read_back(course, assignment, result)


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


def start_grading(course: Course, assignment: str, student: str) -> Path:
    """Mark this student's grading as in progress and drop the last grading's records; the marker."""
    marker = in_progress_marker(course, assignment, student)
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.touch()
    for stale in marker.parent.glob(f"{assignment}.*.record.json"):
        stale.unlink()  # a record speaks for one grading only
    refusal_path(marker.parent / assignment).unlink(missing_ok=True)  # and so does a refusal
    return marker


def read_back(course: Course, assignment: str, result: StudentResult) -> StudentResult:
    """Fill ``result`` from the records and the gradebook, once the submission is graded to the end."""
    graded = graded_submission(course, assignment, result.student)
    if graded is not None:
        result.records = graded.records
        result.score = graded.grades.score, graded.grades.max_score
        result.to_grade_by_hand = graded.grades.ungraded
        result.problems += [problem for record in result.records for problem in record_problems(record)]
    return result



# nbgrader's own closing lines, which say only that something went wrong.
_GENERIC = ("There was an error processing", "Please see the the above traceback", "Traceback")


def _last_error(log: str, marker: str = "") -> str:
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


_WARNED: set[str] = set()


def grade_class(course: Course, assignment: str, students: list[str] | None = None,
                force: bool = False, echo=print, jobs: int | None = None,
                scheduler: str | None = None) -> list[StudentResult]:
    """Grade on Dask workers (``course_kit.parallel``): ``jobs`` local processes, or the cluster at ``scheduler``."""
    from course_kit.parallel.class_grading import grade_in_parallel  # it builds on this module

    folder = course.course_dir / "submitted"
    everyone = sorted(p.parent.name for p in folder.glob(f"*/{assignment}") if p.is_dir())
    warning = _memory_cap_warning(course)
    if warning and warning not in _WARNED:  # once per process: the demo grades three assignments in a row
        _WARNED.add(warning)
        print(warning, file=sys.stderr)
    results = grade_in_parallel(course, assignment, students or everyone, force, echo, jobs, scheduler)
    looks = sum(r.needs_a_look for r in results)
    echo(f"{assignment}: {len(results)} submissions, {len(results) - looks} graded with nothing to look at, "
         f"{looks} need a look")
    return results


def _memory_cap_warning(course: Course) -> str | None:
    """Why notebooks will not get a memory cap of their own here (e.g. an ordinary user, no cgroup), or None."""
    manager = course.config.get("ConfinedKernelManager", {})
    if manager.get("notebook_memory_limit_mb", 1) <= 0 or manager.get("allow_unconfined", False):
        return None
    problem = notebook_cgroup.available()
    if problem is None:
        return None
    return (f"WARNING: No per-notebook memory cap here ({problem}). Each process of a notebook is still capped "
            "(ConfinedKernelManager.process_data_limit_mb), but a notebook that starts many processes can use that "
            "many times over. Grade as root, or in a cgroup v2 with the memory controller delegated, to cap it.")


def _line(result: StudentResult) -> str:
    score = "not graded" if result.score is None else f"{result.score[0]:g} / {result.score[1]:g}"
    problems = list(result.problems)
    if result.to_grade_by_hand:
        cells = result.to_grade_by_hand
        problems.append(f"{len(cells)} cell{'s' if len(cells) != 1 else ''} to grade by hand: {', '.join(cells)}")
    flag = "  NEEDS A LOOK: " + "; ".join(problems) if result.needs_a_look else ""
    fresh = "" if result.regraded or result.score is None else " (already graded)"
    return f"  {result.student:<24} {score:<12}{fresh}{flag}"


def main(argv: list[str] | None = None) -> int:
    warnings.filterwarnings("ignore", message=".*not in session.*")  # nbgrader 0.9.6 vs SQLAlchemy 2
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("assignment")
    parser.add_argument("--course-dir", type=Path, default=Path.cwd(), help="the course root (default: here)")
    parser.add_argument("--student", action="append", help="only these students (default: every submission)")
    parser.add_argument("--force", action="store_true", help="regrade students that are already graded")
    parser.add_argument("--jobs", "-j", type=int, help="Dask worker processes (default: one per core, within memory)")
    parser.add_argument("--scheduler", help="grade on this Dask cluster (tcp://host:8786) instead of local workers")
    args = parser.parse_args(argv)
    known = sorted(p.name for p in (args.course_dir / "source").glob("*") if p.is_dir())
    if args.assignment not in known:  # a typo would otherwise grade "0 submissions" and exit 0
        print(f"No assignment {args.assignment!r} in {args.course_dir / 'source'}; this course has: "
              f"{', '.join(known) or 'none'}", file=sys.stderr)
        return EXIT_CANNOT_GRADE
    course = Course(args.course_dir)
    try:
        results = grade_class(course, args.assignment, args.student, args.force, jobs=args.jobs,
                              scheduler=args.scheduler)
    except CannotGrade as error:
        print(f"Cannot autograde: {error}", file=sys.stderr)
        return EXIT_CANNOT_GRADE
    return EXIT_NEEDS_A_LOOK if any(r.needs_a_look for r in results) else EXIT_OK


if __name__ == "__main__":
    # Run the imported module's main, so that this process has one CannotGrade class, the one the workers' code raises.
    from course_kit.instructor.grade_class import main as module_main

    sys.exit(module_main())
