"""The shipped configuration loads, and puts the graders into nbgrader's autograde pipeline.

nbgrader only logs a broken config file and goes on with its defaults, which
would silently grade in the student's kernel: this test is the guard.
"""

from nbgrader.preprocessors import Execute, SaveAutoGrades

from conftest import REPO
from course_kit.config import load_course_config
from course_kit.preprocessors import ExecuteWithGraders, InertNotebook, WriteGraderScores


def test_config_loads_and_swaps_in_the_graders():
    config = load_course_config(REPO)
    pipeline = config.Autograde.autograde_preprocessors
    assert ExecuteWithGraders in pipeline and Execute not in pipeline
    assert pipeline.index(WriteGraderScores) == pipeline.index(SaveAutoGrades) - 1
    # Submissions render inert: cleaned after SaveAutoGrades compares checksums, and again in every HTML page.
    assert pipeline.index(InertNotebook) == pipeline.index(SaveAutoGrades) + 1
    assert config.HTMLExporter.preprocessors == ["course_kit.preprocessors.InertNotebook"]
    assert config.HTMLExporter.filters == {"markdown2html": "course_kit.inert.markdown_filter.InertMarkdown"}
    assert config.ExecuteWithGraders.graders_root == str(REPO / "graders")
    assert config.CourseDirectory.root == str(REPO)
