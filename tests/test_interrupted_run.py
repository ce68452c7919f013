"""A grading run killed half way (kill -9) and run again grades every student exactly once.

Three students of ps1; the grader process is SIGKILLed while the second one's
notebook is running, as an OOM kill or a power cut would.  Nothing of that
notebook may keep running, and the rerun must grade the second and third
students, leave the first alone, and leave one submission per student in the
gradebook.  Submitted files are never modified along the way.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, auto_scores, processes_matching
from course_kit.instructor import Course, copy_course
from course_kit.instructor.grade_class import EXIT_OK, main
from course_kit.instructor.samples import build_submission, read_sample

ASSIGNMENT = "ps1_naive_loss"
# Killed while this one runs: it starts a marker process, then sleeps long enough to be caught mid-notebook.
SLOW = '# %% [before sigmoid]\nimport subprocess, time\n_marker = subprocess.Popen(["sleep", "97"])\ntime.sleep(4)\n'


def _tree_digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _markers() -> list[str]:
    return processes_matching("sleep 97")


@pytest.fixture(scope="module")
def interrupted(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("interrupted")
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
    submitted = _tree_digest(course.course_dir / "submitted")

    first = course.course_dir / "autograded" / "a_first" / ASSIGNMENT / release.name
    run = subprocess.Popen(
        [sys.executable, "-m", "course_kit.instructor.grade_class", ASSIGNMENT, "--course-dir", str(course.course_dir)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
        env={**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"},
    )
    deadline = time.monotonic() + 120
    while not _markers() and time.monotonic() < deadline and run.poll() is None:
        time.sleep(0.1)
    run.kill()  # SIGKILL, to the grader process only: its kernel must go down with it
    output = run.communicate()[0]
    assert _fully_autograded(course) == {"a_first": True, "b_slow": False}, f"not killed mid-b_slow:\n{output}"
    first_graded_at = first.stat().st_mtime_ns
    return course, release.name, submitted, first_graded_at


def _fully_autograded(course: Course) -> dict[str, bool]:
    """Student -> whether every test cell has its autograded score in the gradebook."""
    return {student: None not in cells.values() for student, cells in auto_scores(course, ASSIGNMENT).items()}


def test_nothing_of_the_killed_notebook_keeps_running(interrupted):
    deadline = time.monotonic() + 15
    while _markers() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not _markers()


def test_rerun_grades_each_student_exactly_once(interrupted, capsys):
    course, notebook, submitted, first_graded_at = interrupted
    assert main([ASSIGNMENT, "--course-dir", str(course.course_dir)]) == EXIT_OK
    out = capsys.readouterr().out
    assert "a_first" in out and out.count("(already graded)") == 1, out
    first = course.course_dir / "autograded" / "a_first" / ASSIGNMENT / notebook
    assert first.stat().st_mtime_ns == first_graded_at  # not graded a second time

    scores = {student: course.score(ASSIGNMENT, student) for student in auto_scores(course, ASSIGNMENT)}
    assert sorted(scores) == ["a_first", "b_slow", "c_last"]  # one submission each in the gradebook
    assert _fully_autograded(course) == {"a_first": True, "b_slow": True, "c_last": True}
    assert scores["a_first"] == scores["b_slow"] == (7.0, 7.0)
    assert 0 < scores["c_last"][0] < 7.0
    for student in scores:
        assert (course.course_dir / "autograded" / student / ASSIGNMENT / notebook).exists()

    # Submitted files were never modified, by either run.
    assert _tree_digest(course.course_dir / "submitted") == submitted
