"""A regrade keeps the hand grades, unless the answer graded by hand changed (course_kit/grading/hand_grades.py).

nbgrader's SaveAutoGrades sets ``needs_manual_grade`` back to true on every cell with a manual score at each
autograde, so ``make grade FORCE=1`` (the guide's advice after changing a limit) sent ps2's hand-graded
derivation back to formgrader while ``make grade`` said nothing needed a look and the Canvas export left ps2
blank.  Here one ps2 student is graded, her derivation graded by hand through nbgrader's Gradebook API as
formgrader does it, then regraded: ``make grade``, the gradebook formgrader reads, grades.csv and the Canvas
CSV must all say graded, with her full total.  Then her derivation changes and she is graded again: all of
them must now ask for a new look, and ``make grade`` says why.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook

from conftest import REPO
from course_kit.exporters import export_canvas_csv
from course_kit.instructor import Course, copy_course
from course_kit.instructor.grade_class import EXIT_NEEDS_A_LOOK, EXIT_OK, grade_student, main
from course_kit.instructor.samples import build_submission, read_sample

ASSIGNMENT = "ps2_stable_loss"
STUDENT = "ada"


def _grade(course: Course, capsys, *options: str) -> tuple[int, str]:
    status = main([ASSIGNMENT, "--course-dir", str(course.course_dir), "--jobs", "1", *options])
    return status, capsys.readouterr().out


def _derivation(course: Course):
    """(manual score, needs_manual_grade) of her derivation, and her submission's flag, as formgrader reads them."""
    with Gradebook(course.api.coursedir.db_url, course.course_id) as gradebook:
        grade = gradebook.find_grade("derivation", "stable_loss", ASSIGNMENT, STUDENT)
        submission = gradebook.find_submission(ASSIGNMENT, STUDENT)
        return grade.manual_score, grade.needs_manual_grade, submission.needs_manual_grade


def _exports(course: Course, tmp_path: Path) -> tuple[str, str]:
    """Her ps2 score in grades.csv (nbgrader export) and in the Canvas CSV."""
    with course.export_grades(tmp_path / "grades.csv").open(newline="") as fh:
        rows = csv.DictReader(fh)
        (stock,) = [r["score"] for r in rows if (r["assignment"], r["student_id"]) == (ASSIGNMENT, STUDENT)]
    with export_canvas_csv(course.api.coursedir.db_url, course.course_id, tmp_path / "canvas.csv").open() as fh:
        header, _points, *rows = list(csv.reader(fh))
    (canvas,) = [row[header.index(ASSIGNMENT)] for row in rows if row[3] == STUDENT]
    return stock, canvas


def test_a_regrade_keeps_a_hand_grade_until_the_answer_changes(tmp_path, capsys):
    course = Course(copy_course(REPO, tmp_path / "course", [ASSIGNMENT]))
    course.release(ASSIGNMENT)
    release, source = course.release_notebook(ASSIGNMENT), course.source_notebook(ASSIGNMENT)
    sample = read_sample(REPO / "samples" / ASSIGNMENT / "reference.py")
    course.submit(STUDENT, ASSIGNMENT, {release.name: build_submission(release, source, sample)})
    course.collect(ASSIGNMENT)

    status, out = _grade(course, capsys)
    assert status == EXIT_NEEDS_A_LOOK and "1 cell to grade by hand: derivation" in out, out
    full = course.score(ASSIGNMENT, STUDENT)[1]

    # Hand grading, as formgrader saves it (nbgrader's formgrader GradeHandler.put).
    with Gradebook(course.api.coursedir.db_url, course.course_id) as gradebook:
        grade = gradebook.find_grade("derivation", "stable_loss", ASSIGNMENT, STUDENT)
        grade.manual_score, grade.needs_manual_grade = grade.max_score, False
        gradebook.db.commit()

    status, out = _grade(course, capsys, "--force")  # e.g. after changing a limit
    assert status == EXIT_OK, out
    assert re.search(rf"^  {STUDENT} +{full:g} / {full:g}\s*$", out, re.M) and "0 need a look" in out, out
    assert _derivation(course) == (3.0, False, False)
    stock, canvas = _exports(course, tmp_path)
    assert (float(stock), canvas) == (full, f"{full:g}"), "both exports: her full total"

    # The in-process path (nbgrader writes the real gradebook itself) keeps it too.
    result = grade_student(course, ASSIGNMENT, STUDENT, force=True)
    assert result.regraded and not result.needs_a_look, result
    assert _derivation(course) == (3.0, False, False)

    # Her derivation changes (a resubmission): the grade given to the old one no longer stands.
    submitted = course.course_dir / "submitted" / STUDENT / ASSIGNMENT / release.name
    notebook = nbformat.read(submitted, as_version=4)
    (cell,) = [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "derivation"]
    cell.source += "\n\nOn second thought, the sign of the exponent flips for negative logits."
    nbformat.write(notebook, submitted)
    status, out = _grade(course, capsys)
    assert status == EXIT_NEEDS_A_LOOK, out
    line = next(line for line in out.splitlines() if line.startswith(f"  {STUDENT} "))
    assert "derivation changed since it was hand-graded" in line and "to grade by hand: derivation" in line, out
    assert "1 need a look" in out, out
    assert _derivation(course) == (3.0, True, True)  # formgrader lists it again; the old score waits beside it
    stock, canvas = _exports(course, tmp_path)
    assert canvas == "", "Canvas must not get a total whose hand grade is pending"
