"""Grading a class on Dask workers gives what nbgrader's own one-student-at-a-time autograde gives.

A small ps1 class is graded three ways in one course: student by student in
this process (``grade_student``: nbgrader writes the gradebook itself), by
``grade_class`` on two local worker processes, and through a real Dask
cluster started here from the command line with TLS (``dask scheduler`` and
two ``dask worker`` processes on localhost).  Between runs every submission is
removed from the gradebook, so the workers' runs must write it all again.
Every field autograde writes must come out the same, and the feedback too; and
each submission is graded in the grading record's sense (its records, written
on the worker, agree with the gradebook the one writer filled in).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import dask
import pytest
from distributed import Client, LocalCluster
from nbgrader.api import Gradebook

from conftest import REPO
from course_kit.instructor import Course, copy_course
from course_kit.instructor.grade_class import EXIT_CANNOT_GRADE, grade_class, grade_student, is_graded
from course_kit.instructor.grade_class import main as grade_class_main
from course_kit.instructor.samples import build_submission, read_sample
from course_kit.parallel.class_grading import share_snapshot
from course_kit.parallel.cluster_security import CredentialFiles, write_credentials

ASSIGNMENT = "ps1_naive_loss"
STUDENTS = ["errors", "float32_upcast", "partially_right", "reference"]


def gradebook_rows(course: Course) -> dict[str, object]:
    """Every field of every submission of the assignment, by student, notebook and cell name (no ids)."""
    rows: dict[str, object] = {}
    with Gradebook(course.api.coursedir.db_url, course.course_id) as gradebook:
        for submission in gradebook.find_assignment(ASSIGNMENT).submissions:
            rows[submission.student_id] = {
                "timestamp": submission.timestamp,
                "extension": submission.extension,
                "notebooks": {
                    notebook.name: {
                        "flagged": notebook.flagged,
                        "late_submission_penalty": notebook.late_submission_penalty,
                        "grades": {g.name: (g.auto_score, g.manual_score, g.extra_credit, g.needs_manual_grade)
                                   for g in notebook.grades},
                        "comments": {c.name: (c.auto_comment, c.manual_comment) for c in notebook.comments},
                    }
                    for notebook in submission.notebooks
                },
            }
    return rows


def feedback_of(course: Course) -> dict[str, bytes]:
    course.generate_feedback(ASSIGNMENT)
    folder = course.course_dir / "feedback"
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def forget_grading(course: Course) -> None:
    """As if the class had never been graded: no submission in the gradebook, no autograded or feedback folder."""
    with Gradebook(course.api.coursedir.db_url, course.course_id) as gradebook:
        for student in STUDENTS:
            gradebook.remove_submission(ASSIGNMENT, student)
    for folder in ("autograded", "feedback"):
        shutil.rmtree(course.course_dir / folder, ignore_errors=True)


@pytest.fixture(scope="module")
def one_by_one(tmp_path_factory: pytest.TempPathFactory):
    """The class graded student by student, in this process: the gradebook and feedback nbgrader itself writes."""
    course = Course(copy_course(REPO, tmp_path_factory.mktemp("parallel") / "course", [ASSIGNMENT]))
    course.release(ASSIGNMENT)
    release, source = course.release_notebook(ASSIGNMENT), course.source_notebook(ASSIGNMENT)
    for student in STUDENTS:
        sample = read_sample(REPO / "samples" / ASSIGNMENT / f"{student}.py")
        course.submit(student, ASSIGNMENT, {release.name: build_submission(release, source, sample)})
    course.collect(ASSIGNMENT)
    scores = {}
    for student in STUDENTS:
        result = grade_student(course, ASSIGNMENT, student)
        assert result.score is not None and result.records
        scores[student] = record_scores(result)
    rows = gradebook_rows(course)
    assert sorted(rows) == STUDENTS and rows["reference"]["timestamp"] is not None
    return course, rows, feedback_of(course), scores


def record_scores(result) -> list[tuple[str, str, float]]:
    """(notebook, grade_id, score) of every test cell in a result's grading records."""
    return [(record.notebook, cell.grade_id, cell.score) for record in result.records for cell in record.cells]


def assert_graded_as_one_by_one(course: Course, results, scores) -> None:
    """Every student graded in the record's sense, with the records and score the in-process run gave."""
    assert all(is_graded(course, ASSIGNMENT, student) for student in STUDENTS)
    assert {r.student: record_scores(r) for r in results} == scores


def test_two_local_workers_write_what_nbgrader_writes(one_by_one, capsys):
    course, rows, feedback, scores = one_by_one
    forget_grading(course)
    results = grade_class(course, ASSIGNMENT, force=True, jobs=2)
    assert [r.student for r in results] == STUDENTS and all(r.regraded for r in results)
    assert_graded_as_one_by_one(course, results, scores)
    assert gradebook_rows(course) == rows
    assert feedback_of(course) == feedback
    err = capsys.readouterr().err
    assert "2 local worker processes" in err
    # Every worker's notebooks after its first ran in spare kernels (warm_kernels): same scores, same feedback.
    warm = int(re.search(r"Warm kernels: (\d+) notebook\(s\) of 4 student", err)[1])
    assert warm >= len(STUDENTS) - 2, err
    assert not list((course.course_dir / "autograded").glob("*/*.grading"))  # every marker gone


def _scheduler_address(scheduler_file: Path, scheduler: subprocess.Popen, limit_s: float = 120) -> str:
    """The address the scheduler bound (port 0: its own choice, so no other process can take it first), from the
    file it writes once listening; RuntimeError if it exits or writes none within ``limit_s``."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if scheduler.poll() is not None:
            raise RuntimeError(f"the scheduler exited with {scheduler.returncode}")
        try:
            return json.loads(scheduler_file.read_text())["address"]
        except (OSError, ValueError, KeyError):  # not written yet, or half written
            time.sleep(0.2)
    raise RuntimeError(f"the scheduler wrote no {scheduler_file} within {limit_s} s")


@pytest.fixture
def dask_cluster(tmp_path: Path) -> Iterator[tuple[str, CredentialFiles]]:
    """A scheduler and two workers, each its own ``dask`` command, on localhost, started with TLS as the README
    says (a key and certificate from ``cluster_security``, HTTP servers without routes); all stopped at the end."""
    dask_command = str(Path(sys.executable).parent / "dask")
    credentials = write_credentials(tmp_path / "tls")
    scheduler_file = tmp_path / "scheduler.json"
    silent = {"DASK_DISTRIBUTED__SCHEDULER__HTTP__ROUTES": "[]", "DASK_DISTRIBUTED__WORKER__HTTP__ROUTES": "[]"}
    # The workers' own TMPDIR (short: kernels' ipc paths): a worker stopped by a signal leaves its private folder.
    workers_tmp = Path(tempfile.mkdtemp(prefix="ck-dw-", dir="/tmp"))
    logs = []
    processes = []
    def start(name: str, command: list[str]) -> subprocess.Popen:
        logs.append((tmp_path / f"{name}.log").open("w"))
        processes.append(subprocess.Popen([dask_command, *command, *credentials.cli_options()], stdout=logs[-1],
                                          stderr=subprocess.STDOUT,
                                          env={**os.environ, **silent, "TMPDIR": str(workers_tmp)}))
        return processes[-1]

    try:
        scheduler = start("scheduler", ["scheduler", "--host", "tls://127.0.0.1", "--port", "0", "--no-dashboard",
                                        "--scheduler-file", str(scheduler_file)])
        address = _scheduler_address(scheduler_file, scheduler)
        for i in range(2):
            start(f"worker{i}", ["worker", address, "--host", "127.0.0.1", "--nthreads", "1", "--no-dashboard",
                                 "--local-directory", str(tmp_path / f"worker{i}")])
        with dask.config.set(credentials.dask_config()), Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=60)
        yield address, credentials
    finally:
        for process in reversed(processes):
            process.terminate()
        deadline = time.monotonic() + 20
        for process in processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=60)
        for log in logs:
            log.close()
        shutil.rmtree(workers_tmp, ignore_errors=True)


def test_a_dask_cluster_of_command_line_workers_writes_what_nbgrader_writes(one_by_one, dask_cluster, capsys):
    course, rows, feedback, scores = one_by_one
    address, credentials = dask_cluster
    forget_grading(course)
    # The client's credentials from Dask's own configuration, as DASK_DISTRIBUTED__COMM__TLS__* would set them.
    with dask.config.set(credentials.dask_config()):
        results = grade_class(course, ASSIGNMENT, force=True, scheduler=address)
    assert all(r.score is not None and r.regraded for r in results), results
    assert_graded_as_one_by_one(course, results, scores)
    assert gradebook_rows(course) == rows
    assert feedback_of(course) == feedback
    assert address in capsys.readouterr().err


def test_a_cluster_without_tls_or_without_credentials_is_refused_before_grading(one_by_one, capsys):
    """A plain tcp:// scheduler is never connected to: make grade exits 2 and says how to start a TLS cluster; a
    tls:// one without this client's key is refused the same way.  Nothing is graded (no marker, no process)."""
    course, *_ = one_by_one
    for scheduler in ["tcp://127.0.0.1:8786", "tls://127.0.0.1:8786"]:
        assert grade_class_main([ASSIGNMENT, "--course-dir", str(course.course_dir), "--force",
                                 "--scheduler", scheduler]) == EXIT_CANNOT_GRADE
        err = capsys.readouterr().err
        assert err.startswith("Cannot autograde: ") and "dask scheduler --tls-ca-file" in err, err
        assert "dask worker tls://" in err and "--tls-cert" in err and "--tls-key" in err, err
        assert not list((course.course_dir / "autograded").glob("*/*.grading"))


def test_two_runs_on_one_cluster_do_not_share_a_snapshot():
    """Two grading runs of one course on one cluster (two assignments at once) scatter the same gradebook bytes:
    the first run to finish must not take the other's snapshot with it."""
    snapshot = b"the same gradebook, twice"
    with LocalCluster(n_workers=1, processes=False, dashboard_address=None) as cluster, \
            Client(cluster) as second:
        with Client(cluster) as first:
            first_share = share_snapshot(first, snapshot)
            second_share = share_snapshot(second, snapshot)
            assert first_share.key != second_share.key
        # The first run's client is gone, and its data with it; the second's task still gets its snapshot.
        assert second.submit(len, second_share).result(timeout=30) == len(snapshot)
