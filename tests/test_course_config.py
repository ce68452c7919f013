"""The shipped configuration loads, and puts the graders into nbgrader's autograde pipeline.

nbgrader only logs a broken config file and goes on with its defaults, which
would silently grade in the student's kernel: this test is the guard.
"""

from nbgrader.preprocessors import Execute, SaveAutoGrades

from conftest import REPO
from course_kit.config import load_course_config
from course_kit.preprocessors import ExecuteWithGraders, WriteGraderScores


def test_config_loads_and_swaps_in_the_graders():
    config = load_course_config(REPO)
    pipeline = config.Autograde.autograde_preprocessors
    assert ExecuteWithGraders in pipeline and Execute not in pipeline
    assert pipeline.index(WriteGraderScores) == pipeline.index(SaveAutoGrades) - 1
    assert config.ExecuteWithGraders.graders_root == str(REPO / "graders")
    assert config.CourseDirectory.root == str(REPO)
