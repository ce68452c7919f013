"""`python -m course_kit.instructor.grade_class`: its exit status and what it says needs the instructor's look.

Exit status 2 when it cannot grade anyone at all; 1 while a submission needs a look, which includes a cell
that only a person can grade and nobody has yet.
"""

from __future__ import annotations

import json

from nbgrader.api import Gradebook

from conftest import REPO
from course_kit.instructor import Course, copy_course
from course_kit.instructor.grade_class import EXIT_CANNOT_GRADE, EXIT_NEEDS_A_LOOK, EXIT_OK, grade_student, main
from course_kit.instructor.samples import build_submission, read_sample

ASSIGNMENT = "ps1_naive_loss"


def test_without_confinement_nobody_is_graded_and_the_run_says_why(tmp_path, capsys):
    course_dir = copy_course(REPO, tmp_path / "course", [ASSIGNMENT])
    with (course_dir / "nbgrader_config.py").open("a") as config:
        config.write('\nc.ConfinedKernelManager.bwrap_path = "/nonexistent/bwrap"\n')
    course = Course(course_dir)
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


def test_a_cell_left_to_grade_by_hand_needs_a_look_until_it_is_graded(tmp_path, capsys):
    """ps2's derivation is graded by hand: until it has a score, the submission is not done."""
    assignment = "ps2_stable_loss"
    course = Course(copy_course(REPO, tmp_path / "course", [assignment]))
    course.release(assignment)
    release, source = course.release_notebook(assignment), course.source_notebook(assignment)
    sample = read_sample(REPO / "samples" / assignment / "reference.py")
    # A submission may hold any file, a record under the record's own name too: it stays in her folder.
    forged = json.dumps({"schema_version": 1, "assignment": assignment, "student": "ada", "cells": []}).encode()
    course.submit("ada", assignment, {release.name: build_submission(release, source, sample),
                                      f"{assignment}.{source.stem}.record.json": forged})
    course.collect(assignment)

    assert main([assignment, "--course-dir", str(course.course_dir)]) == EXIT_NEEDS_A_LOOK
    out = capsys.readouterr().out
    assert "ada" in out and "1 cell to grade by hand: derivation (not graded yet" in out, out
    assert "1 need a look" in out, out
    result = grade_student(course, assignment, "ada")
    assert not result.regraded and result.to_grade_by_hand == ["derivation"] and not result.problems
    (record,) = result.records
    assert record.score == 13.0 and record.kernel.outcome == "finished"  # every autograded cell, full marks

    with Gradebook(course.api.coursedir.db_url, course.course_id) as gradebook:
        grade = gradebook.find_grade("derivation", source.stem, assignment, "ada")
        grade.manual_score, grade.needs_manual_grade = 2.0, False  # as formgrader saves a hand grade
        gradebook.db.commit()
    assert main([assignment, "--course-dir", str(course.course_dir)]) == EXIT_OK
    out = capsys.readouterr().out
    assert "15 / 16" in out and "(already graded)" in out and "0 need a look" in out, out


def test_the_memory_cap_warning_is_printed_once_per_process(tmp_path, capsys, monkeypatch):
    """The demo grades three assignments in one process: an ordinary user read the same warning three times."""
    from types import SimpleNamespace

    import course_kit.parallel.class_grading as class_grading
    from course_kit.instructor import grade_class as module

    monkeypatch.setattr(module, "_WARNED", set(), raising=False)
    monkeypatch.setattr(module, "_memory_cap_warning", lambda course: "WARNING: No per-notebook memory cap here (test)")
    monkeypatch.setattr(class_grading, "grade_in_parallel", lambda *args: [])
    course = SimpleNamespace(course_dir=tmp_path)
    for assignment in ("ps1_naive_loss", "ps2_stable_loss", "ps3_keras_from_logits"):
        module.grade_class(course, assignment, echo=lambda line: None)
    assert capsys.readouterr().err.count("No per-notebook memory cap") == 1
