"""A grading run killed half way (kill -9) and run again grades every student exactly once.

Three students of ps1; the grader process is SIGKILLed while the second one's
notebook is running, as an OOM kill or a power cut would.  Nothing of that
notebook may keep running, and the rerun must grade the students the first run
had not finished, leave the others alone, and leave one submission per student
in the gradebook.  Submitted files are never modified along the way.  With one
worker the first student is done when the second runs; with two, whoever the
first run finished is left alone.

A grading worker killed mid-notebook (the instructor's process lives on) loses
nobody: Dask runs that student's task again on a worker, and the run ends with
every student graded once.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import REPO, auto_scores, course_env, make_command, processes_matching
from course_kit.instructor import Course, copy_course
from course_kit.instructor.grade_class import EXIT_OK, is_graded, main
from course_kit.instructor.samples import build_submission, read_sample

ASSIGNMENT = "ps1_naive_loss"
# Killed while this one runs: it starts a marker process, then sleeps long enough to be caught mid-notebook.
SLOW = '# %% [before sigmoid]\nimport subprocess, time\n_marker = subprocess.Popen(["sleep", "97"])\ntime.sleep(4)\n'


def _tree_digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _markers() -> list[str]:
    return processes_matching("sleep 97")


def _class_of_three(root: Path) -> tuple[Course, Path]:
    """a_first (all right), b_slow (all right, slow, with a marker process), c_last (partly right), collected."""
    course = Course(copy_course(REPO, root / "course", [ASSIGNMENT]))
    course.release(ASSIGNMENT)
    release, source = course.release_notebook(ASSIGNMENT), course.source_notebook(ASSIGNMENT)
    (root / "b_slow.py").write_text(SLOW)
    library = REPO / "samples" / ASSIGNMENT
    for student, sample_file in [("a_first", library / "reference.py"), ("b_slow", root / "b_slow.py"),
                                 ("c_last", library / "partially_right.py")]:
        sample = read_sample(sample_file, library)
        course.submit(student, ASSIGNMENT, {release.name: build_submission(release, source, sample)})
    course.collect(ASSIGNMENT)
    return course, release


@pytest.fixture(scope="module")
def killed_runs_tmp() -> Iterator[Path]:
    """The killed runs' TMPDIR, removed afterwards: a process killed with -9 leaves its temporary folders (kernel
    folders, private gradebook copies) behind, which would pile up in the machine's /tmp at every run of the suite.
    Short, because kernels put their ipc sockets there; traversable, because a root grader's sandbox enters it."""
    folder = Path(tempfile.mkdtemp(prefix="ck-killed-", dir="/tmp"))
    folder.chmod(0o711)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _start_grading(course: Course, jobs: int, tmp: Path) -> subprocess.Popen:
    """The instructor's command on ``jobs`` local workers, once b_slow's notebook runs."""
    run = subprocess.Popen(
        [sys.executable, "-m", "course_kit.instructor.grade_class", ASSIGNMENT,
         "--course-dir", str(course.course_dir), "--jobs", str(jobs)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
        env={**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
             "TMPDIR": str(tmp)},
    )
    deadline = time.monotonic() + 300
    while not _markers() and time.monotonic() < deadline and run.poll() is None:
        time.sleep(0.1)
    return run


@pytest.fixture(scope="module", params=[1, 2], ids=["one worker", "two workers"])
def interrupted(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, killed_runs_tmp: Path):
    course, release = _class_of_three(tmp_path_factory.mktemp("interrupted"))
    submitted = _tree_digest(course.course_dir / "submitted")
    run = _start_grading(course, jobs=request.param, tmp=killed_runs_tmp)
    run.kill()  # SIGKILL, to the grader process only: its workers and their kernels must go down with it
    output = run.communicate(timeout=120)[0]
    done = {s for s in ("a_first", "b_slow", "c_last") if is_graded(course, ASSIGNMENT, s)}
    assert "b_slow" not in done and _fully_autograded(course).get("b_slow") is not True, f"not mid-b_slow:\n{output}"
    if request.param == 1:
        assert done == {"a_first"}, f"one worker: a_first should be graded and c_last not started:\n{output}"
    graded_at = {s: (course.course_dir / "autograded" / s / ASSIGNMENT / release.name).stat().st_mtime_ns
                 for s in done}
    return course, release.name, submitted, graded_at


def test_a_killed_run_leaves_one_folder_only_its_user_can_read(interrupted, killed_runs_tmp: Path):
    """What the README says a run killed with -9 leaves in the temporary folder: its own ``ck-run-*`` folder
    (the kernels' folders, private gradebook copies, Dask's scratch space inside), mode 0700, and nothing else."""
    left = sorted(killed_runs_tmp.iterdir())
    assert left, "the killed run left nothing: was it killed before it made its folder?"
    for path in left:
        assert path.name.startswith("ck-run-") and path.is_dir() and not path.is_symlink(), left
        assert stat.S_IMODE(path.stat().st_mode) == 0o700, oct(path.stat().st_mode)


def _fully_autograded(course: Course) -> dict[str, bool]:
    """Student -> whether every test cell has its autograded score in the gradebook."""
    return {student: None not in cells.values() for student, cells in auto_scores(course, ASSIGNMENT).items()}


def test_nothing_of_the_killed_notebook_keeps_running(interrupted):
    deadline = time.monotonic() + 15
    while _markers() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not _markers()


def test_rerun_grades_each_student_exactly_once(interrupted, capsys):
    course, notebook, submitted, graded_at = interrupted
    assert main([ASSIGNMENT, "--course-dir", str(course.course_dir)]) == EXIT_OK
    out = capsys.readouterr().out
    already = {line.split()[0] for line in out.splitlines() if "(already graded)" in line}
    assert already == set(graded_at), out
    for student, mtime in graded_at.items():  # not graded a second time
        assert (course.course_dir / "autograded" / student / ASSIGNMENT / notebook).stat().st_mtime_ns == mtime

    scores = {student: course.score(ASSIGNMENT, student) for student in auto_scores(course, ASSIGNMENT)}
    assert sorted(scores) == ["a_first", "b_slow", "c_last"]  # one submission each in the gradebook
    assert _fully_autograded(course) == {"a_first": True, "b_slow": True, "c_last": True}
    assert scores["a_first"] == scores["b_slow"] == (7.0, 7.0)
    assert 0 < scores["c_last"][0] < 7.0
    for student in scores:
        assert (course.course_dir / "autograded" / student / ASSIGNMENT / notebook).exists()

    # Submitted files were never modified, by either run.
    assert _tree_digest(course.course_dir / "submitted") == submitted


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def _worker_running_a_marker(grader: int) -> int:
    """The grader's child (a Dask worker process) from which a running marker process descends."""
    for marker in map(int, _markers()):
        pid = marker
        while pid > 1 and _parent(pid) != grader:
            pid = _parent(pid)
        if pid > 1:
            return pid
    raise AssertionError(f"no marker process descends from the grader {grader}")


def test_a_worker_killed_mid_notebook_loses_no_student(tmp_path, killed_runs_tmp):
    course, release = _class_of_three(tmp_path)
    run = _start_grading(course, jobs=2, tmp=killed_runs_tmp)
    assert run.poll() is None, run.communicate(timeout=600)[0]
    os.kill(_worker_running_a_marker(run.pid), signal.SIGKILL)
    output = run.communicate(timeout=600)[0]
    assert run.returncode == EXIT_OK, output
    lines = re.findall(r"^  (a_first|b_slow|c_last) ", output, flags=re.MULTILINE)
    assert sorted(lines) == ["a_first", "b_slow", "c_last"], output  # one line each: nobody lost, nobody twice
    assert _fully_autograded(course) == {"a_first": True, "b_slow": True, "c_last": True}
    assert course.score(ASSIGNMENT, "b_slow") == (7.0, 7.0)
    assert not list((course.course_dir / "autograded").glob("*/*.grading"))


@pytest.mark.parametrize("jobs", [1, 2], ids=["one worker", "two workers"])
def test_ctrl_c_stops_make_grade_with_one_line_and_leaves_nothing(tmp_path, jobs):
    """Ctrl-C at the terminal during ``make grade`` (SIGINT to its whole process group, workers included, mid-way
    through b_slow's notebook): one line says how many are graded and to run again, no worker's traceback, and
    the run's own TMPDIR is left empty; grade_class exits 130, and make, stopped by the same SIGINT, says
    "Interrupt" and dies of it.  The rerun grades the rest."""
    course, _ = _class_of_three(tmp_path)
    run_tmp = Path(tempfile.mkdtemp(prefix="ck-int-", dir="/tmp"))  # short: kernels put ipc sockets below it
    run_tmp.chmod(0o711)
    try:
        # An instructor whose Dask configuration names a temporary-directory: the run's scratch stays in its own
        # folder all the same (the scheduler's went there, and its dask-scratch-space stayed).
        env = course_env(TMPDIR=str(run_tmp), DASK_TEMPORARY_DIRECTORY=str(run_tmp / "dask-configured"))
        make = subprocess.Popen(make_command("grade", f"A={ASSIGNMENT}", f"J={jobs}"), cwd=course.course_dir,
                                env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, start_new_session=True)
        slow = course.course_dir / "autograded" / "b_slow" / ASSIGNMENT  # nbgrader makes it as b_slow's run starts
        deadline = time.monotonic() + 300
        while not slow.exists() and make.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert make.poll() is None and slow.exists(), make.communicate(timeout=300)[0]
        os.killpg(make.pid, signal.SIGINT)
        output = make.communicate(timeout=300)[0]
        deadline = time.monotonic() + 120  # make waits for its recipe; the group's last process may still be ending
        while _group_alive(make.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _group_alive(make.pid), "a process of the interrupted run lives on"
        assert make.returncode == -signal.SIGINT, output
        said = [line for line in output.splitlines() if line.startswith("Interrupted")]
        assert len(said) == 1 and f"run make grade A={ASSIGNMENT} again to grade the rest" in said[0], output
        assert "Traceback" not in output and "KeyboardInterrupt" not in output and "ERROR" not in output, output
        assert sorted(os.listdir(run_tmp)) == [], "the interrupted run left files in its TMPDIR"
    finally:
        shutil.rmtree(run_tmp, ignore_errors=True)
    assert not is_graded(course, ASSIGNMENT, "b_slow")
    assert main([ASSIGNMENT, "--course-dir", str(course.course_dir), "--jobs", "1"]) == EXIT_OK
    assert all(is_graded(course, ASSIGNMENT, s) for s in ("a_first", "b_slow", "c_last"))


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True
