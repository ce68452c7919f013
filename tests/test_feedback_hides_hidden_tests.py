"""Feedback shows each check's score but never a hidden test's source.

Stock nbgrader copies the restored test cells, hidden regions included, into
the feedback HTML it sends to students. This course strips them; the
instructor's autograded copy keeps them.
"""

import html
import re

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from conftest import REPO
from course_kit.instructor import Course, copy_course

SECRET = "hidden_case_that_students_must_not_see"


def _meta(**fields):
    return {"nbgrader": {"schema_version": 3, "locked": not fields.get("solution", False), **fields}}


def _ordinary_assignment() -> nbformat.NotebookNode:
    nb = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    nb.cells = [
        new_code_cell("def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION",
                      metadata=_meta(grade=False, solution=True, grade_id="double")),
        new_code_cell(
            f"assert double(1) == 2\n### BEGIN HIDDEN TESTS\n{SECRET} = 20\nassert double(10) == {SECRET}\n"
            "### END HIDDEN TESTS",
            metadata=_meta(grade=True, solution=False, points=1, grade_id="test_double"),
        ),
    ]
    return nb


def test_feedback_strips_hidden_tests(tmp_path):
    course_dir = copy_course(REPO, tmp_path / "course", assignments=[])
    (course_dir / "source" / "plain").mkdir(parents=True)
    nbformat.write(_ordinary_assignment(), course_dir / "source" / "plain" / "plain.ipynb")
    course = Course(course_dir)
    course.release("plain")
    nb = nbformat.read(course.release_notebook("plain"), as_version=4)
    nb.cells[0].source = "def double(x):\n    return x + x"
    course.submit("ada", "plain", {"plain.ipynb": nb})
    course.collect("plain")
    assert course.autograde("plain", "ada")["success"]
    assert course.score("plain", "ada") == (1.0, 1.0)
    log = course.api.generate_feedback("plain", force=True)["log"]
    assert "not recognized" not in log, log  # no configuration warning from the kit's own feedback steps

    assert SECRET in (course_dir / "autograded" / "ada" / "plain" / "plain.ipynb").read_text()
    page = (course_dir / "feedback" / "ada" / "plain" / "plain.html").read_text()
    text = html.unescape(re.sub(r"<[^>]+>", "", page))  # the syntax highlighter splits code into spans
    assert "assert double(1) == 2" in text and "Score" in text  # the page shows the test cell, so it was looked at
    # Nothing of the hidden region: its input (10), its expected value's name, its assertion, its markers.
    assert SECRET not in page
    for hidden in ["double(10)", "assert double(10) ==", "HIDDEN TESTS"]:
        assert hidden not in text, hidden
