"""The shipped configuration loads, and puts the graders into nbgrader's autograde pipeline.

nbgrader only logs a broken config file and goes on with its defaults, which
would silently grade in the student's kernel: this test is the guard.
"""

import shutil

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


def test_local_settings_win_and_are_optional(tmp_path):
    """An installation's local_config.py, untracked, is read after the course's settings; without it, the defaults."""
    for name in ("nbgrader_config.py", "course_config.py"):
        shutil.copy(REPO / name, tmp_path / name)
    assert load_course_config(tmp_path).Exchange.root == str(tmp_path / "exchange")
    (tmp_path / "local_config.py").write_text('c = get_config()\nc.Exchange.root = "/srv/nbgrader/exchange"\n')
    config = load_course_config(tmp_path)
    assert config.Exchange.root == "/srv/nbgrader/exchange"
    assert config.CourseDirectory.course_id == "from_logits"  # the course's own settings are still there
