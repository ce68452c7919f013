"""The Canvas export is what Canvas's gradebook import reads (course_kit/exporters/canvas.py).

Canvas's importer (canvas-lms app/models/gradebook_importer.rb) wants: a header starting
Student, ID, with SIS User ID and SIS Login ID between them and Section last of the student
columns; a row whose first cell holds "Points Possible"; then one row per student, one cell per
assignment column.  A small gradebook is built with nbgrader's own API; the same export then
runs on the suite's graded class, against the stock grades.csv.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from course_kit.exporters import CanvasExportPlugin, export_canvas_csv
from course_kit.instructor import Course

STUDENT_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


def _grade(gb: Gradebook, cell: str, assignment: str, student: str, score: float) -> None:
    grade = gb.find_grade(cell, "nb", assignment, student)
    grade.auto_score, grade.needs_manual_grade = score, False
    gb.db.commit()


@pytest.fixture(scope="module")
def small_class(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """ps1: 7 autograded points; ps2: 4 autograded + 3 by hand (the derivation).  Read only: built once.

    nbgrader's Gradebook runs `alembic` by name: the venv's bin/ is put on PATH for this module's tests only."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
        yield _build_small_class(tmp_path_factory)


def _build_small_class(tmp_path_factory: pytest.TempPathFactory) -> str:
    db_url = f"sqlite:///{tmp_path_factory.mktemp('canvas') / 'gradebook.db'}"
    with Gradebook(db_url, "from_logits") as gb:
        for assignment, due in [("ps1_naive_loss", "2026-10-01 12:00:00"), ("ps2_stable_loss", "2026-10-15 12:00:00")]:
            gb.add_assignment(assignment, duedate=due)
            gb.add_notebook("nb", assignment)
        gb.add_grade_cell("test_a", "nb", "ps1_naive_loss", max_score=7, cell_type="code")
        gb.add_grade_cell("test_b", "nb", "ps2_stable_loss", max_score=4, cell_type="code")
        gb.add_grade_cell("derivation", "nb", "ps2_stable_loss", max_score=3, cell_type="markdown")
        gb.add_student("ada", first_name="Ada", last_name="Lovelace", email="ada@uni.edu", lms_user_id="1001")
        gb.add_student("bob")  # no names, no Canvas id: found by SIS Login ID only
        gb.add_student("cy", first_name="Cy", last_name="Young, Jr.")  # a comma in the name: quoted
        for student in ["ada", "bob", "cy"]:
            gb.add_submission("ps1_naive_loss", student)
        _grade(gb, "test_a", "ps1_naive_loss", "ada", 7)
        _grade(gb, "test_a", "ps1_naive_loss", "bob", 5)
        _grade(gb, "test_a", "ps1_naive_loss", "cy", 2.5)
        gb.find_submission_notebook("nb", "ps1_naive_loss", "cy").late_submission_penalty = 1.0
        gb.add_submission("ps2_stable_loss", "ada")  # graded by hand too
        _grade(gb, "test_b", "ps2_stable_loss", "ada", 4)
        derivation = gb.find_grade("derivation", "nb", "ps2_stable_loss", "ada")
        derivation.manual_score, derivation.needs_manual_grade = 2, False
        gb.add_submission("ps2_stable_loss", "bob")  # derivation not graded yet
        _grade(gb, "test_b", "ps2_stable_loss", "bob", 3)
        gb.db.commit()
    return db_url


def _read(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def test_layout_is_canvas_import(small_class, tmp_path):
    rows = _read(export_canvas_csv(small_class, "from_logits", tmp_path / "canvas.csv"))
    header, points, *students = rows
    late = ["ps1_naive_loss seconds late", "ps2_stable_loss seconds late"]  # both have a due date
    assert header == STUDENT_COLUMNS + ["ps1_naive_loss", "ps2_stable_loss"] + late
    assert "Points Possible" in points[0] and points[1:5] == ["", "", "", ""], points
    assert points[5:] == ["7", "7", "(read only)", "(read only)"]
    assert all(len(row) == len(header) for row in rows), rows
    by_login = {row[3]: row for row in students}
    # Scores after the late penalty; a missing submission is 0; a grade by hand still missing is blank.  Seconds
    # late: 0 for a submission without a time, blank without a submission.
    assert by_login["ada"] == ["Lovelace, Ada", "1001", "", "ada", "", "7", "6", "0", "0"]
    assert by_login["bob"] == ["bob", "", "", "bob", "", "5", "", "0", "0"]
    assert by_login["cy"] == ["Young, Jr., Cy", "", "", "cy", "", "1.5", "0", "0", ""]


def test_canvas_ids_section_and_filters(small_class, tmp_path):
    dest = tmp_path / "canvas.csv"
    with Gradebook(small_class, "from_logits") as gb:
        CanvasExportPlugin(
            to=str(dest), section="CS 101-02", sis_login_id="email", student=["ada"], assignment=["ps2_stable_loss"],
            canvas_assignment_ids={"ps2_stable_loss": "4242"},
        ).export(gb)
    header, points, *students = _read(dest)
    assert header == STUDENT_COLUMNS + ["ps2_stable_loss (4242)", "ps2_stable_loss seconds late"]
    assert points[5:] == ["7", "(read only)"]
    assert students == [["Lovelace, Ada", "1001", "", "ada@uni.edu", "CS 101-02", "6", "0"]]


def test_nbgrader_export_command_takes_the_plugin(small_class, tmp_path):
    """The documented command line, through nbgrader's own ExportApp."""
    nbgrader = Path(sys.executable).parent / "nbgrader"
    run = subprocess.run(
        [str(nbgrader), "export", "--exporter=course_kit.exporters.CanvasExportPlugin", "--to=canvas_grades.csv",
         f"--db={small_class}", "--course=from_logits"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "bob/ps2_stable_loss" in run.stderr, "the missing grade by hand is not named"
    header, points, *students = _read(tmp_path / "canvas_grades.csv")
    assert header[:5] == STUDENT_COLUMNS and len(students) == 3


def test_graded_class_matches_stock_grades_csv(course: Course, graded, tmp_path):
    """On the suite's graded ps1 class: each Canvas cell is the stock grades.csv score of that student."""
    results = graded("ps1_naive_loss")
    stock = course.export_grades(tmp_path / "grades.csv")
    with stock.open(newline="") as fh:
        stock_rows = [r for r in csv.DictReader(fh) if r["assignment"] == "ps1_naive_loss"]
    dest = tmp_path / "canvas.csv"
    with Gradebook(course.api.coursedir.db_url, course.course_id) as gb:
        CanvasExportPlugin(config=course.config, to=str(dest), assignment=["ps1_naive_loss"]).export(gb)
    header, points, *students = _read(dest)
    assert header == STUDENT_COLUMNS + ["ps1_naive_loss"]
    assert float(points[5]) == float(stock_rows[0]["max_score"])
    canvas = {row[3]: row[5] for row in students}
    assert set(canvas) == {r["student_id"] for r in stock_rows}
    with Gradebook(course.api.coursedir.db_url, course.course_id) as gb:
        by_hand = {s.student.id for s in gb.find_assignment("ps1_naive_loss").submissions if s.needs_manual_grade}
    for row in stock_rows:
        student = row["student_id"]
        if student in by_hand:
            assert canvas[student] == "", f"{student}: a grade by hand is missing, yet Canvas gets {canvas[student]}"
        else:
            expected = pytest.approx(float(row["score"]), abs=1e-9)  # 10 digits: 4.55, not 4.550000000000001
            assert float(canvas[student]) == expected, f"{student}: {canvas[student]} != {row['score']}"
    graded_ok = [name for name, r in results.items() if r.success and name not in by_hand]
    assert graded_ok and all(float(canvas[name]) == pytest.approx(results[name].total, abs=1e-9) for name in graded_ok)
