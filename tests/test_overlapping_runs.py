"""Two grading runs on one course never overlap: the second waits for the first (or, asked not to, refuses).

Before the course lock (``course_kit/instructor/run_lock.py``), a second ``make grade`` started while the
first ran deleted the first one's graded folders under it: every student was left with a grading record and
no graded notebook, which the next run counted as graded.  Here two real ``grade_class`` processes run on one
ps1 class.  The first is held mid-class deterministically: one student's notebook starts ``sleep`` with a
command line of its own and waits for it, and the test ends that process only once the second run has said
whom it waits for.  Then nothing may be lost: each student's graded notebook, record and gradebook score are
there and agree.  A record whose graded notebook was deleted is graded again, and the line says why; a run
killed with -9 while it holds the lock does not block the next one (the kernel drops a ``flock`` with its
process); and through ``make``, the tool's own exit status is named on the last line.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import REPO, processes_matching
from course_kit.grading.record import read_record, record_path
from course_kit.instructor import Course, copy_course
from course_kit.instructor.grade_class import EXIT_BUSY, EXIT_CANNOT_GRADE, EXIT_OK, is_graded, main
from course_kit.instructor.run_lock import grading_lock, holder_of
from course_kit.instructor.samples import build_submission, read_sample

ASSIGNMENT = "ps1_naive_loss"
HOLD = "sleep 7391"  # the held notebook's process: its whole command line, unique to this module
# A cell before sigmoid that waits for that process: the run holding the course cannot finish until it ends.
HELD = f'# %% [before sigmoid]\nimport subprocess\nsubprocess.run({HOLD.split()!r})\n'
CELL_TIMEOUT_S = 300  # this course's cell timeout: the held cell must outlast the second run's start
SETTINGS = f"\nc.NotebookStopRules.timeout = {CELL_TIMEOUT_S}\nc.NotebookStopRules.notebook_time_limit = 900\n"


def _class(root: Path, students: dict[str, Path]) -> Course:
    course_dir = copy_course(REPO, root / "course", [ASSIGNMENT])
    with (course_dir / "nbgrader_config.py").open("a") as config:
        config.write(SETTINGS)
    course = Course(course_dir)
    course.release(ASSIGNMENT)
    release, source = course.release_notebook(ASSIGNMENT), course.source_notebook(ASSIGNMENT)
    library = REPO / "samples" / ASSIGNMENT
    for student, sample_file in students.items():
        sample = read_sample(sample_file, library)
        course.submit(student, ASSIGNMENT, {release.name: build_submission(release, source, sample)})
    course.collect(ASSIGNMENT)
    return course


@pytest.fixture
def held_sample(tmp_path: Path) -> Path:
    (tmp_path / "held.py").write_text(HELD)
    return tmp_path / "held.py"


@pytest.fixture
def run_tmp() -> Iterator[Path]:
    """The runs' TMPDIR, removed afterwards (a run killed with -9 leaves its temporary folders); short, for the
    kernels' sockets; traversable, for a root grader's sandbox."""
    folder = Path(tempfile.mkdtemp(prefix="ck-overlap-", dir="/tmp"))
    folder.chmod(0o711)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _start(course: Course, log: Path, tmp: Path, *options: str) -> subprocess.Popen:
    """The instructor's command, its output (stdout and stderr) into ``log``: a full pipe would stall it."""
    with log.open("w") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "course_kit.instructor.grade_class", ASSIGNMENT,
             "--course-dir", str(course.course_dir), "--jobs", "1", *options],
            stdout=out, stderr=subprocess.STDOUT, text=True, start_new_session=True,
            env={**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
                 "TMPDIR": str(tmp)},
        )


def _until(condition, what: str, runs: list[subprocess.Popen], logs: list[Path]) -> None:
    """Poll ``condition`` until true; fail, saying ``what`` and the runs' output, past the cell timeout or if a run
    ended first."""
    deadline = time.monotonic() + CELL_TIMEOUT_S
    while not condition():
        if time.monotonic() > deadline or any(run.poll() is not None for run in runs):
            output = "\n".join(log.read_text() for log in logs)
            for run in runs:
                run.kill()
            pytest.fail(f"never {what}:\n{output}")
        time.sleep(0.1)


def _release_held(runs: list[subprocess.Popen]) -> None:
    """End every held notebook's process as it appears, until the runs have finished."""
    deadline = time.monotonic() + 4 * CELL_TIMEOUT_S
    while any(run.poll() is None for run in runs):
        for pid in processes_matching(HOLD):
            try:
                os.kill(int(pid), signal.SIGKILL)
            except ProcessLookupError:
                pass
        if time.monotonic() > deadline:
            for run in runs:
                run.kill()
            pytest.fail("the runs did not finish")
        time.sleep(0.2)


def _holds(course: Course, run: subprocess.Popen) -> bool:
    holder = holder_of(course.course_dir)
    return holder is not None and holder.pid == run.pid and bool(processes_matching(HOLD))


def _nothing_lost(course: Course, students: list[str]) -> None:
    """Each student's graded notebook, record and gradebook score are there and agree."""
    for student in students:
        graded = course.course_dir / "autograded" / student / ASSIGNMENT
        assert (graded / "naive_loss.ipynb").is_file(), student
        record = read_record(record_path(graded, "naive_loss"), ASSIGNMENT, student, "naive_loss")
        assert course.score(ASSIGNMENT, student) == (record.score, 7.0) == (7.0, 7.0), student
        assert is_graded(course, ASSIGNMENT, student), student


def test_a_second_run_waits_for_the_first_and_nothing_is_lost(tmp_path, held_sample, run_tmp, capsys):
    library = REPO / "samples" / ASSIGNMENT
    course = _class(tmp_path, {"a_held": held_sample, "b_ref": library / "reference.py"})
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    first = _start(course, first_log, run_tmp)
    _until(lambda: _holds(course, first), "held the course mid-class", [first], [first_log])

    # Asked not to wait, a run refuses at once and names the holder.
    assert main([ASSIGNMENT, "--course-dir", str(course.course_dir), "--no-wait"]) == EXIT_BUSY
    err = capsys.readouterr().err
    assert f"pid {first.pid} " in err and f"on {ASSIGNMENT}" in err and "Not grading" in err, err

    second = _start(course, second_log, run_tmp, "--force")
    _until(lambda: "waiting for the run of" in second_log.read_text(), "said it waits", [first, second],
           [first_log, second_log])
    assert _holds(course, first)  # the first run still holds the course: the second has not started grading
    _release_held([first, second])
    first_out, second_out = first_log.read_text(), second_log.read_text()
    assert (first.returncode, second.returncode) == (EXIT_OK, EXIT_OK), f"{first_out}\n---\n{second_out}"
    waiting = re.search(rf"waiting for the run of \S+ pid {first.pid} started \S+ on {ASSIGNMENT}", second_out)
    assert waiting, second_out
    assert second_out.count("(already graded)") == 0, second_out  # FORCE: the second regraded everyone
    _nothing_lost(course, ["a_held", "b_ref"])

    # A record whose graded notebook is gone does not count as graded: that student alone is graded again.
    shutil.rmtree(course.course_dir / "autograded" / "b_ref" / ASSIGNMENT)
    third_log = tmp_path / "third.log"
    third = _start(course, third_log, run_tmp)
    _release_held([third])
    out = third_log.read_text()
    assert third.returncode == EXIT_OK, out
    assert re.search(r"^  b_ref .*graded again: its record is there but its graded notebook", out, re.M), out
    assert re.search(r"^  a_held .*\(already graded\)", out, re.M), out
    _nothing_lost(course, ["a_held", "b_ref"])


def test_a_run_killed_while_it_holds_the_course_does_not_block_the_next(tmp_path, held_sample, run_tmp):
    course = _class(tmp_path, {"a_held": held_sample})
    killed_log, next_log = tmp_path / "killed.log", tmp_path / "next.log"
    killed = _start(course, killed_log, run_tmp)
    _until(lambda: _holds(course, killed), "held the course mid-class", [killed], [killed_log])
    killed.kill()  # SIGKILL: no chance to let go of anything itself
    killed.wait(timeout=60)

    after = _start(course, next_log, run_tmp, "--no-wait")  # would exit EXIT_BUSY were the course still held
    _release_held([after])
    out = next_log.read_text()
    assert after.returncode == EXIT_OK, out
    assert "waiting for" not in out and "Not grading" not in out, out
    _nothing_lost(course, ["a_held"])


@pytest.fixture
def course_with_make(tmp_path: Path) -> Path:
    """A course copy whose ``.venv`` is the clone's: the Makefile's recipe runs there as in a clone."""
    course_dir = copy_course(REPO, tmp_path / "course", [ASSIGNMENT])
    venv = Path(sys.executable).parent.parent
    if not (venv / ".installed").exists():
        pytest.skip(f"{venv} was not built by `make setup`: the Makefile's recipe needs its stamp")
    (course_dir / ".venv").symlink_to(venv)
    return course_dir


def _make_grade(course_dir: Path, *variables: str) -> subprocess.CompletedProcess:
    # -o: never remake the venv from here, whatever its stamp's age.
    return subprocess.run(["make", "-s", "-f", str(REPO / "Makefile"), "-o", ".venv/.installed", "grade", *variables],
                          cwd=course_dir, capture_output=True, text=True, timeout=300)


def test_make_grade_names_the_tools_exit_status(course_with_make):
    run = _make_grade(course_with_make, "A=no_such_assignment")
    assert run.returncode == 2, run  # make's own status for any failed recipe
    assert f"grade_class exit status {EXIT_CANNOT_GRADE}: grading could not run" in run.stdout, run

    with grading_lock(course_with_make, ASSIGNMENT):  # this test holds the course
        run = _make_grade(course_with_make, f"A={ASSIGNMENT}", "NOWAIT=1")
    assert run.returncode == 2, run
    assert "held by the run of" in run.stderr and f"pid {os.getpid()} " in run.stderr, run
    assert f"grade_class exit status {EXIT_BUSY}: another grading run holds the course" in run.stdout, run
