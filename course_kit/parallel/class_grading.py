"""Grade a class on Dask workers, with one writer of the gradebook: the instructor's process.

For each student, in the instructor's process: check the submission's files
(an unsafe one never reaches nbgrader), and skip it when already graded (as
``grade_class`` does).  Every other student is one task
(``worker_task.autograde_on_worker``): a worker runs nbgrader's autograde
against a private copy of the gradebook taken now, and returns what it wrote
there.  As each task comes back, this process writes that submission into the
real gradebook (``submission_record.write_submission``), removes the student's
``.grading`` marker, reads the score back, and prints the student's line.

The marker is set before the task is sent and removed only once the gradebook
has the student, so a run killed at any point (the instructor's process, a
worker, the machine) leaves every unfinished student marked, and the next run
grades exactly those.  A student whose task the cluster gave up on (its worker
died ``allowed-failures`` times) keeps the marker and needs a look.
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import nbformat
from distributed import Client, Future, as_completed
from distributed.security import Security

from course_kit.grading import hand_grades
from course_kit.grading.private_temp import private_temp
from course_kit.instructor import Course
from course_kit.instructor.class_run import (
    CannotGrade,
    StudentResult,
    autograde_refusal,
    graded_or_why,
    in_progress_marker,
    last_error,
    newer_waiting,
    read_back,
    start_grading,
)
from course_kit.instructor.class_run import student_line as _line
from course_kit.instructor.submission_checks import check_submission
from course_kit.parallel.cluster import dask_client, worker_count
from course_kit.parallel.progress import Progress
from course_kit.parallel.submission_record import write_submission
from course_kit.parallel.worker_task import SQLITE, Autograded, autograde_on_worker


def grade_in_parallel(course: Course, assignment: str, students: list[str], force: bool = False,
                      echo: Callable[[str], object] = print, jobs: int | None = None,
                      scheduler: str | None = None, security: Security | None = None) -> list[StudentResult]:
    """Each student's result, in the order given; ``CannotGrade`` when the confinement refuses to run anyone.

    Everything the run makes in temporary folders (here and in the local workers) lies in one 0700 folder."""
    results = {student: StudentResult(student) for student in students}
    for student, when in newer_waiting(course, assignment).items():  # "(already graded)" says it is not the last
        if student in results:
            results[student].newer_waiting = when
    source_dir = course.course_dir / "source" / assignment
    sources = {p.name: nbformat.read(p, as_version=4) for p in source_dir.glob("*.ipynb")}
    progress = Progress(len(students), echo)
    blocking: dict[str, bool] = {}
    try:
        for student in students:
            checks = check_submission(course.course_dir / "submitted" / student / assignment, sources)
            results[student].problems += [problem.message for problem in checks]
            if any(problem.unsafe for problem in checks):
                progress.finished(_line(results[student]))  # never handed to nbgrader, which would follow its links
            elif force or isinstance(graded := graded_or_why(course, assignment, student), str):
                blocking[student] = any(problem.blocking for problem in checks)
                results[student].regraded_because = "" if force else graded
            else:
                progress.finished(_line(read_back(course, assignment, results[student])))
        if blocking:
            with private_temp():
                _grade_on_cluster(course, assignment, results, blocking, progress, jobs, scheduler, security)
    finally:
        progress.close()
    return [results[student] for student in students]


def _grade_on_cluster(course: Course, assignment: str, results: dict[str, StudentResult],
                      blocking: dict[str, bool], progress: Progress, jobs: int | None, scheduler: str | None,
                      security: Security | None) -> None:
    workers = min(worker_count(course.config, jobs), len(blocking))
    where = scheduler or f"{workers} local worker process{'es' if workers > 1 else ''}"
    print(f"Grading {len(blocking)} submission(s) of {assignment} on {where}", file=sys.stderr, flush=True)
    db_url = course.api.coursedir.db_url
    warm = graded = 0
    with dask_client(workers, scheduler, security) as client:
        snapshot = gradebook_snapshot(db_url)
        shared = share_snapshot(client, snapshot) if snapshot is not None else None
        futures: dict[Future, str] = {}
        # Before any write of this run: what a person had graded.
        by_hand = hand_grades.hand_graded_class(db_url, course.course_id, assignment, list(blocking))
        for student in blocking:
            start_grading(course, assignment, student)  # the worker's pipeline writes the new records
            future = client.submit(autograde_on_worker, str(course.course_dir), assignment, student, shared,
                                   key=f"autograde-{assignment}-{student}-{uuid.uuid4().hex[:8]}")
            futures[future] = student
        for future in as_completed(futures):
            result = results[futures[future]]
            try:
                outcome: Autograded = future.result()
            except Exception as error:  # KilledWorker, or the task's own failure: that student only
                result.problems.append(f"the grading worker failed on it ({type(error).__name__}: {error}); "
                                       "run again to grade it")
                progress.finished(_line(result))
                continue
            if outcome.refused:
                for pending in futures:
                    pending.cancel()
                raise CannotGrade(last_error(outcome.log, "ConfinementError: "))
            writing = time.perf_counter()
            _write(course, assignment, outcome, result, blocking[result.student], by_hand[result.student])
            result.timings.update(autograde_s=round(outcome.seconds, 3),
                                  writer_s=round(time.perf_counter() - writing, 3))
            progress.finished(_line(result))
            graded, warm = graded + 1, warm + outcome.warm_kernels
    # Each worker's first notebook starts its kernel cold; the others should find theirs started and warmed.
    print(f"Warm kernels: {warm} notebook(s) of {graded} student(s) ran in a kernel started while the one "
          "before was graded", file=sys.stderr, flush=True)


def _write(course: Course, assignment: str, outcome: Autograded, result: StudentResult, blocking: bool,
           by_hand: set[tuple[str, str]]) -> None:
    """The one writer: this student's autograde into the real gradebook, then the marker goes.

    The worker's pipeline already wrote each notebook's grading record into ``autograded/``, with the scores
    of its private gradebook; only once the real gradebook holds the same scores does the marker go, so
    "graded" (a record agreeing with the gradebook, no marker) is never true of a half-written submission.
    Cells graded by hand (``by_hand``) stay graded where the answer is the one graded (``hand_grades``)."""
    if outcome.record is not None or outcome.success:
        student, course_dir, db_url = result.student, course.course_dir, course.api.coursedir.db_url
        graded_now = hand_grades.graded_answers(course_dir, assignment, student)
        keep, again = hand_grades.still_graded(by_hand, hand_grades.read_answers(course_dir, assignment, student),
                                               graded_now)
        if outcome.record is not None:
            write_submission(db_url, course.course_id, outcome.record, keep)
        else:  # a gradebook the worker wrote itself (PostgreSQL)
            hand_grades.keep_hand_grades(db_url, course.course_id, assignment, student, keep)
        hand_grades.remember_answers(course_dir, assignment, student, graded_now)
        result.problems += list(again.values())
    in_progress_marker(course, assignment, result.student).unlink(missing_ok=True)
    result.regraded = True
    refused = autograde_refusal(course, assignment, result.student)  # became unsafe after this process's check
    result.problems += refused
    if not outcome.success and not refused and not blocking:
        result.problems.append(f"nbgrader could not grade it: {last_error(outcome.log)}")
    read_back(course, assignment, result)


def share_snapshot(client: Client, snapshot: bytes) -> Future:
    """The snapshot on every worker, under a key of this run's own.

    Scattered data is keyed by its content by default: two runs on one cluster with the same gradebook (two
    assignments of a course graded at once) then share one key, which each run releases when it ends.  Once,
    in the tests, every task of the run still going was cancelled ("FutureCancelledError: ... already
    forgotten") when the other ended; a key per run leaves the two nothing to share."""
    return client.scatter(snapshot, broadcast=True, hash=False)


def gradebook_snapshot(db_url: str) -> bytes | None:
    """A consistent copy of a SQLite gradebook (sqlite3's online backup), as bytes; None for another database."""
    if not db_url.startswith(SQLITE):
        return None
    with tempfile.TemporaryDirectory(prefix="course-kit-snapshot-") as scratch:
        copy = Path(scratch) / "gradebook.db"
        with closing(sqlite3.connect(db_url.removeprefix(SQLITE))) as source, closing(sqlite3.connect(copy)) as dest:
            source.backup(dest)
        return copy.read_bytes()
