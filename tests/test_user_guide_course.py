"""An assignment written the ordinary nbgrader way grades as on stock nbgrader.

nbgrader ships its user guide's example course (source/ps1, and the
submissions of bitdiddle and hacker).  Graded under this course's
configuration, where ps1 has no pytest graders, the scores must equal those
of stock nbgrader: 1.5 and 3.0 of 13.
"""

import shutil
from pathlib import Path

import nbgrader
from nbgrader.api import Gradebook

from conftest import REPO
from course_kit.instructor import Course, copy_course

USER_GUIDE = Path(nbgrader.__file__).parent / "docs" / "source" / "user_guide"
STOCK_CONFIG = """c = get_config()
c.CourseDirectory.course_id = "example"
c.CourseDirectory.root = {root!r}
"""


def _grade_user_guide(course_dir: Path) -> dict[str, tuple[float, float]]:
    shutil.copytree(USER_GUIDE / "source" / "ps1", course_dir / "source" / "ps1")
    for student in ["bitdiddle", "hacker"]:
        shutil.copytree(USER_GUIDE / "submitted" / student / "ps1", course_dir / "submitted" / student / "ps1")
    course = Course(course_dir)
    with Gradebook(course.api.coursedir.db_url, course.course_id) as gradebook:
        gradebook.update_or_create_assignment("ps1", duedate="2015-02-02 17:00:00 UTC")
    assert course.api.generate_assignment("ps1")["success"]
    scores = {}
    for student in ["bitdiddle", "hacker"]:
        result = course.autograde("ps1", student)
        assert result["success"], result.get("log")
        scores[student] = course.score("ps1", student)
    return scores


def test_user_guide_course_grades_as_on_stock_nbgrader(tmp_path):
    stock_dir = tmp_path / "stock"
    stock_dir.mkdir()
    (stock_dir / "nbgrader_config.py").write_text(STOCK_CONFIG.format(root=str(stock_dir)))
    stock = _grade_user_guide(stock_dir)

    ours = _grade_user_guide(copy_course(REPO, tmp_path / "ours", assignments=[]))

    assert ours == stock
    assert ours == {"bitdiddle": (1.5, 13.0), "hacker": (3.0, 13.0)}
