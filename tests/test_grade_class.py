"""`python -m course_kit.grade_class` stops with exit status 2 when it cannot grade anyone at all."""

from __future__ import annotations

from conftest import REPO
from course_kit.grade_class import EXIT_CANNOT_GRADE, main
from course_kit.instructor import ClassRun, copy_course
from course_kit.samples import build_submission, read_sample

ASSIGNMENT = "ps1_naive_loss"


def test_without_confinement_nobody_is_graded_and_the_run_says_why(tmp_path, capsys):
    course_dir = copy_course(REPO, tmp_path / "course", [ASSIGNMENT])
    with (course_dir / "nbgrader_config.py").open("a") as config:
        config.write('\nc.ConfinedKernelManager.bwrap_path = "/nonexistent/bwrap"\n')
    course = ClassRun(course_dir)
    course.release(ASSIGNMENT)
    release, source = course.release_notebook(ASSIGNMENT), course.source_notebook(ASSIGNMENT)
    for student in ("alice", "bob"):
        sample = read_sample(REPO / "samples" / ASSIGNMENT / "reference.py")
        course.submit(student, ASSIGNMENT, {release.name: build_submission(release, source, sample)})
    course.collect(ASSIGNMENT)

    assert main([ASSIGNMENT, "--course-dir", str(course_dir)]) == EXIT_CANNOT_GRADE
    err = capsys.readouterr().err
    assert "Cannot autograde" in err and "bubblewrap not found" in err, err
    assert course.score(ASSIGNMENT, "bob") is None  # stopped at the first student: nothing half-done for bob


def test_an_unknown_assignment_is_named_with_the_known_ones(tmp_path, capsys):
    course_dir = copy_course(REPO, tmp_path / "course", [ASSIGNMENT])
    assert main(["ps1", "--course-dir", str(course_dir)]) == EXIT_CANNOT_GRADE
    err = capsys.readouterr().err
    assert "No assignment 'ps1'" in err and ASSIGNMENT in err, err
