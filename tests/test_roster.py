"""The roster import (course_kit/instructor/roster.py, ``make roster FILE=...``) into a real gradebook.

A roster puts names, emails and LMS ids in the gradebook through nbgrader's own API: formgrader then shows
"Lovelace, Ada" rather than "None, None", and the Canvas export has Canvas's user id.  Imported again, with a
change, it updates and never removes anyone, naming who is in the gradebook but not on the roster.  A bad file
is refused whole, with the line at fault.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from conftest import REPO
from course_kit.exporters import export_canvas_csv
from course_kit.instructor import Course, copy_course
from course_kit.instructor.roster import EXIT_BAD_ROSTER, EXIT_OK, main

ROSTER = """id,first_name,last_name,email,lms_user_id
ada,Ada,Lovelace,ada@uni.edu,1001
bob,Bob,"Smith, Jr.",bob@uni.edu,1002
cy,Cy,Young,,1003
"""


@pytest.fixture
def course(tmp_path: Path) -> Course:
    return Course(copy_course(REPO, tmp_path / "course", ["ps1_naive_loss"]))


def _import(course: Course, tmp_path: Path, text: str | bytes, capsys) -> tuple[int, str, str]:
    roster = tmp_path / "roster.csv"
    roster.write_bytes(text if isinstance(text, bytes) else text.encode())
    status = main([str(roster), "--course-dir", str(course.course_dir)])
    out = capsys.readouterr()
    return status, out.out, out.err


def _students(course: Course) -> dict[str, tuple]:
    with Gradebook(course.api.coursedir.db_url, course.course_id) as gradebook:
        return {s.id: (s.first_name, s.last_name, s.email, s.lms_user_id) for s in gradebook.students}


def test_roster_import_names_students_and_updates_without_removing(course, tmp_path, capsys):
    status, out, err = _import(course, tmp_path, ROSTER, capsys)
    assert status == EXIT_OK, err
    assert "3 added, 0 updated, 0 unchanged" in out, out
    assert _students(course) == {
        "ada": ("Ada", "Lovelace", "ada@uni.edu", "1001"),
        "bob": ("Bob", "Smith, Jr.", "bob@uni.edu", "1002"),
        "cy": ("Cy", "Young", None, "1003"),  # an empty cell is no email, not ""
    }
    # The Canvas export: names as Canvas sorts them, Canvas's user id in ID.
    with export_canvas_csv(course.api.coursedir.db_url, course.course_id, tmp_path / "canvas.csv").open() as fh:
        _header, _points, *rows = list(csv.reader(fh))
    assert {row[3]: (row[0], row[1]) for row in rows} == {
        "ada": ("Lovelace, Ada", "1001"), "bob": ("Smith, Jr., Bob", "1002"), "cy": ("Young, Cy", "1003")}

    status, out, _ = _import(course, tmp_path, ROSTER, capsys)  # the same file again: nothing changes
    assert status == EXIT_OK and "0 added, 0 updated, 3 unchanged" in out, out

    # bob hands in ps1, then drops out of the next roster; cy's email arrives; dee joins.
    with Gradebook(course.api.coursedir.db_url, course.course_id) as gradebook:
        gradebook.add_assignment("ps1_naive_loss")
        gradebook.add_submission("ps1_naive_loss", "bob")
    later = "id,email\nada,ada@uni.edu\ncy,cy@uni.edu\ndee,dee@uni.edu\n"  # columns it lacks stay as they are
    status, out, _ = _import(course, tmp_path, later, capsys)
    assert status == EXIT_OK
    assert "1 added, 1 updated, 1 unchanged" in out and "updated  cy: email" in out, out
    assert "bob  (submitted ps1_naive_loss)" in out, out
    students = _students(course)
    assert students["bob"] == ("Bob", "Smith, Jr.", "bob@uni.edu", "1002"), "a student not on the roster stays"
    assert students["cy"] == ("Cy", "Young", "cy@uni.edu", "1003")
    assert students["dee"] == (None, None, "dee@uni.edu", None)
    with Gradebook(course.api.coursedir.db_url, course.course_id) as gradebook:
        assert gradebook.find_submission("ps1_naive_loss", "bob") is not None


BAD_ROSTERS = {
    "empty": (b"", "the file is empty"),
    "only spaces": (b" \n\n", "the file is empty"),
    "header only": (b"id,first_name\n", "no students below the header"),
    "no id column": (b"login,first_name\nada,Ada\n", "line 1: no 'id' column"),
    "misspelt column": (b"id,lms_userid\nada,1001\n", "line 1: unknown column(s) 'lms_userid'"),
    "duplicate id": (b"id,first_name\nada,Ada\nbob,Bob\nada,Ann\n", "line 4: id 'ada' is on line 2 already"),
    "formula id": (b"id,first_name\nada,Ada\n=1+2*3,Eve\n", "line 3: id '=1+2*3' is not a plain login name"),
    "path id": (b"id\nada\n../bob\n", "line 3: id '../bob' is not a plain login name"),
    "empty id": (b"id,first_name\n,Ada\n", "line 2: the id is empty"),
    "short line": (b"id,first_name,last_name\nada,Ada\n", "line 2: 2 fields, the header has 3"),
    "latin-1": ("id,last_name\nada,Lovelace\nmo,M\u00fcller\n".encode("latin-1"), "line 3: byte 0xfc is not UTF-8"),
    "unclosed quote": (b'id,first_name\nada,"Ada\n', "not CSV"),
}


@pytest.mark.parametrize("case", sorted(BAD_ROSTERS))
def test_a_bad_roster_is_refused_whole_naming_the_line(course, tmp_path, capsys, case):
    text, message = BAD_ROSTERS[case]
    status, out, err = _import(course, tmp_path, text, capsys)
    assert status == EXIT_BAD_ROSTER, out
    assert message in err, err
    assert _students(course) == {}, "a refused roster writes nobody, not even its good lines"


def test_a_byte_order_mark_and_blank_lines_are_fine(course, tmp_path, capsys):
    status, _, err = _import(course, tmp_path, "\ufeffid,first_name\r\nada,Ada\r\n\r\n".encode(), capsys)
    assert status == EXIT_OK, err
    assert _students(course) == {"ada": ("Ada", None, None, None)}
