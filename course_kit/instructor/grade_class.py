"""Autograde a class for one assignment, and say which submissions need the instructor's look.

    python -m course_kit.instructor.grade_class ps1_naive_loss [--course-dir .] [--student alice ...] [--force]
                                                    [--jobs N | --scheduler tls://host:8786 [--tls-dir D]] [--no-wait]

For each student with a ``submitted/<student>/<assignment>`` folder: check the
files (``submission_checks``), autograde with the course's own configuration
(confinement, hidden graders), then read each notebook's grading record
(``course_kit.grading.record``) and the gradebook.  Students are graded side
by side on Dask workers (``course_kit.parallel``: one process per core by
default, within memory), and this process alone writes the gradebook.  One
line per student, then the count of submissions that need a look, each with
its reason (a cell still to grade by hand is one), then the submissions collect refused
(``course_kit/exchange/refusals.py``), then where each student first lost points (their grading records)
and the class's counts as ``make status`` gives them (``course_kit.instructor.status``); with nothing
collected, how many submissions wait in the exchange.  Exit status: 0 when every submission was graded
with nothing to look at, 1 when some need a look, collect refused some, or some wait in the exchange
uncollected, 2 when grading could not run at all (e.g. confinement is unavailable), 3 when another run
holds the course and ``--no-wait`` was given, 130 when Ctrl-C stopped it (one line says how many are
graded; the local workers ignore SIGINT, so only this process answers it and closes the cluster).

One run per course at a time (``run_lock``): a second one says whose run it
waits for, and waits.  A regrade keeps each hand grade whose answer did not
change (``course_kit.grading.hand_grades``).

Graded means: a valid record for each notebook, of the submission as it stands,
with its graded notebook beside it, agreeing with the gradebook
(``class_run.graded_or_why``; where one is missing the student is graded again
and the line says why).  Interrupted runs: nbgrader writes a sanitized
copy of the notebook into ``autograded/`` before it runs it, so an existing
notebook there does not mean graded, and bare ``nbgrader autograde`` skips a
student whose grading was cut off.  This command marks each student's grading
as in progress (``autograded/<student>/<assignment>.grading``) until the
gradebook has it; a run killed half way is simply run again, and grades
exactly the students it had not finished.  After an interrupted bare
``nbgrader autograde``, use ``--force``.

A standing cluster (``--scheduler``) must speak TLS: its address is
``tls://``, and this process's key and certificate come from ``--tls-dir``
(ca.pem, cert.pem, key.pem) or Dask's configuration (``distributed.comm.tls.*``);
a plain ``tcp://`` address is refused with the commands that start a TLS one.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import nbformat

from course_kit.confinement import notebook_cgroup
from course_kit.confinement.confined_kernel import REFUSAL
from course_kit.exchange.refusals import refusal_lines
from course_kit.grading import hand_grades
from course_kit.instructor.class_run import (  # noqa: F401  (is_graded, read_back: this module's API too)
    EXIT_BUSY,
    EXIT_CANNOT_GRADE,
    EXIT_INTERRUPTED,
    EXIT_NEEDS_A_LOOK,
    EXIT_OK,
    CannotGrade,
    StudentResult,
    autograde_refusal,
    first_lost_check,
    graded_or_why,
    is_graded,
    last_error,
    read_back,
    start_grading,
)
from course_kit.instructor.course import Course, unknown_assignment
from course_kit.instructor.run_lock import CourseBusy, grading_lock
from course_kit.instructor.status import COLLECTED, GRADED, PENDING, WAITING, ClassStatus, class_status, count_line
from course_kit.instructor.submission_checks import check_submission
from course_kit.parallel.cluster_security import InsecureCluster, Security, standing_security


def grade_student(course: Course, assignment: str, student: str, force: bool = False) -> StudentResult:
    """Check, then autograde (unless already graded) one student's submission; what it gave.

    In this process, against the real gradebook (nbgrader writes it), hand grades kept as ``grade_class`` keeps
    them; it takes no course lock: its caller (a test, a script) runs it alone."""
    result = StudentResult(student)
    source_dir = course.course_dir / "source" / assignment
    sources = {p.name: nbformat.read(p, as_version=4) for p in source_dir.glob("*.ipynb")}
    checks = check_submission(course.course_dir / "submitted" / student / assignment, sources)
    result.problems += [problem.message for problem in checks]
    if any(problem.unsafe for problem in checks):
        return result  # never handed to nbgrader, which would follow its links
    graded = graded_or_why(course, assignment, student)
    if force or isinstance(graded, str):
        result.regraded_because = graded if isinstance(graded, str) else ""
        db_url, course_id = course.api.coursedir.db_url, course.course_id
        by_hand = hand_grades.hand_graded(db_url, course_id, assignment, student)
        marker = start_grading(course, assignment, student)  # keeps the answers graded by hand
        graded_then = hand_grades.read_answers(course.course_dir, assignment, student)
        outcome = course.autograde(assignment, student)  # force=True: a half-graded folder is redone
        if outcome["success"]:  # nbgrader wrote the gradebook itself: give back what its regrade took
            graded_now = hand_grades.graded_answers(course.course_dir, assignment, student)
            keep, again = hand_grades.still_graded(by_hand, graded_then, graded_now)
            hand_grades.keep_hand_grades(db_url, course_id, assignment, student, keep)
            hand_grades.remember_answers(course.course_dir, assignment, student, graded_now)
            result.problems += list(again.values())
        marker.unlink()
        result.regraded = True
        log = outcome.get("log", "") or ""
        if REFUSAL in log:
            raise CannotGrade(last_error(log, "ConfinementError: "))
        refused = autograde_refusal(course, assignment, student)
        result.problems += refused
        if not outcome["success"] and not refused and not any(problem.blocking for problem in checks):
            result.problems.append(f"nbgrader could not grade it: {last_error(log)}")
    return read_back(course, assignment, result)
_WARNED: set[str] = set()


def grade_class(course: Course, assignment: str, students: list[str] | None = None,
                force: bool = False, echo=print, jobs: int | None = None,
                scheduler: str | None = None, security: Security | None = None,
                wait: bool = True) -> list[StudentResult]:
    """Grade on Dask workers (``course_kit.parallel``): ``jobs`` local processes, or the TLS cluster at
    ``scheduler`` (``security``: this client's credentials; default: Dask's configuration).

    One run per course at a time (``run_lock``): if another holds the course, say whose, then wait for it, or
    (``wait=False``) raise ``CourseBusy``."""
    with grading_lock(course.course_dir, assignment, wait=wait):
        return _grade_class(course, assignment, students, force, echo, jobs, scheduler, security)


def _grade_class(course: Course, assignment: str, students: list[str] | None, force: bool, echo,
                 jobs: int | None, scheduler: str | None, security: Security | None) -> list[StudentResult]:
    from course_kit.parallel.class_grading import grade_in_parallel  # the Dask path, imported only when used

    folder = course.course_dir / "submitted"
    everyone = sorted(p.parent.name for p in folder.glob(f"*/{assignment}") if p.is_dir())
    warning = _memory_cap_warning(course)
    if warning and warning not in _WARNED:  # once per process: the demo grades three assignments in a row
        _WARNED.add(warning)
        print(warning, file=sys.stderr)
    results = grade_in_parallel(course, assignment, students or everyone, force, echo, jobs, scheduler, security)
    looks = sum(r.needs_a_look for r in results)
    if results:  # none: main says what waits in the exchange instead (summary_lines)
        echo(f"{assignment}: {len(results)} submissions, {len(results) - looks} graded with nothing to look at, "
             f"{looks} need a look")
    for line in refusal_lines(course.course_dir, assignment):  # written by collect (VettedCollect)
        echo(f"  {line}")
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


def main(argv: list[str] | None = None) -> int:
    warnings.filterwarnings("ignore", message=".*not in session.*")  # nbgrader 0.9.6 vs SQLAlchemy 2
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("assignment")
    parser.add_argument("--course-dir", type=Path, default=Path.cwd(), help="the course root (default: here)")
    parser.add_argument("--student", action="append", help="only these students (default: every submission)")
    parser.add_argument("--force", action="store_true", help="regrade students that are already graded")
    parser.add_argument("--jobs", "-j", type=int, help="Dask worker processes (default: one per core, within memory)")
    parser.add_argument("--scheduler", help="grade on this TLS Dask cluster (tls://host:8786) instead of local workers")
    parser.add_argument("--tls-dir", type=Path, help="with --scheduler: the folder of this client's ca.pem, cert.pem "
                                                     "and key.pem (default: Dask's distributed.comm.tls.* settings)")
    parser.add_argument("--no-wait", action="store_true",
                        help=f"if another grading run holds this course, say whose and exit {EXIT_BUSY} "
                             "instead of waiting for it")
    args = parser.parse_args(argv)
    security = None
    if args.scheduler:
        try:  # before anything is graded: a cluster without TLS is never connected to
            security = standing_security(args.scheduler, args.tls_dir)
        except InsecureCluster as error:
            print(f"Cannot autograde: {error}", file=sys.stderr)
            return EXIT_CANNOT_GRADE
    unknown = unknown_assignment(args.course_dir, args.assignment)
    if unknown:  # a typo would otherwise grade "0 submissions" and exit 0
        print(unknown, file=sys.stderr)
        return EXIT_CANNOT_GRADE
    with _second_ctrl_c_stops_at_once():
        try:
            return _grade_and_report(args, security)
        except KeyboardInterrupt:  # Ctrl-C: the cluster is down, the temporaries gone; say where the class stands
            print(_interrupted_line(args.course_dir, args.assignment), file=sys.stderr, flush=True)
            return EXIT_INTERRUPTED


def _grade_and_report(args: argparse.Namespace, security: Security | None) -> int:
    course = Course(args.course_dir)
    try:
        results = grade_class(course, args.assignment, args.student, args.force, jobs=args.jobs,
                              scheduler=args.scheduler, security=security, wait=not args.no_wait)
    except CannotGrade as error:
        print(f"Cannot autograde: {error}", file=sys.stderr)
        return EXIT_CANNOT_GRADE
    except CourseBusy as error:
        print(f"Not grading: {error}; run again once it has finished, or without --no-wait to wait for it",
              file=sys.stderr)
        return EXIT_BUSY
    status = class_status(course, args.assignment)
    for line in summary_lines(results, status):
        print(line)
    refused = refusal_lines(course.course_dir, args.assignment)
    uncollected = status.counts[WAITING]  # handed in, never collected: nobody has graded them
    return EXIT_NEEDS_A_LOOK if any(r.needs_a_look for r in results) or refused or uncollected else EXIT_OK


def _interrupted_line(course_dir: Path, assignment: str) -> str:
    """One line after Ctrl-C: how many collected submissions are graded now, and that a rerun grades the rest."""
    again = f"run make grade A={assignment} again to grade the rest"
    try:
        counts = class_status(Course(course_dir), assignment).counts
    except Exception as error:  # noqa: BLE001  (whatever it is, the one line must still be printed)
        return f"Interrupted: {again} (where the class stands could not be read: {type(error).__name__})"
    graded = counts[GRADED] + counts[PENDING]
    collected = graded + counts[COLLECTED]
    return f"Interrupted: {graded} of {collected} collected submissions of {assignment} are graded; {again}" \
        if graded < collected else f"Interrupted: every collected submission of {assignment} is graded"


@contextmanager
def _second_ctrl_c_stops_at_once() -> Iterator[None]:
    """The first Ctrl-C stops the run cleanly (KeyboardInterrupt: the cluster is closed, the temporary folder
    removed); a second one, while that runs, exits at once (its ``ck-run-*`` folder may stay, as after -9)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def first(signum: int, frame: object) -> None:
        signal.signal(signal.SIGINT, at_once)
        raise KeyboardInterrupt

    def at_once(signum: int, frame: object) -> None:
        print("Interrupted again: stopped at once; run make grade again", file=sys.stderr, flush=True)
        os._exit(EXIT_INTERRUPTED)

    previous = signal.signal(signal.SIGINT, first)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def summary_lines(results: list[StudentResult], status: ClassStatus) -> list[str]:
    """The end of ``make grade``: what waits in the exchange when nothing was collected, where each student of
    the run first lost points (their grading records), and the class's counts as ``make status`` gives them."""
    lines = []
    waiting = status.counts[WAITING]
    if not results:
        lines.append(f"{waiting} submission{'s' if waiting != 1 else ''} waiting in the exchange: run nbgrader "
                     f"collect {status.assignment}" if waiting else
                     f"{status.assignment}: no submission collected, and none waiting in the exchange")
    elif waiting:
        lines.append(f"{waiting} more waiting in the exchange, not collected: run nbgrader collect {status.assignment}")
    lost = [(r.student, first_lost_check(r.records)) for r in results]
    if any(check for _, check in lost):
        lines.append("First lost check (grading record):")
        # "- name:", not a student line's "  name  score": scripts and readers pick those by their first word.
        lines += [f"  - {student}: {check}" for student, check in lost if check]
    return [*lines, count_line(status)]


if __name__ == "__main__":
    # Run the imported module's main, so that this process has one CannotGrade class, the one the workers' code raises.
    from course_kit.instructor.grade_class import main as module_main

    sys.exit(module_main())
