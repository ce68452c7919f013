"""One set of stop rules, read from one setting each, for autograde and the hand-run grader alike."""

from __future__ import annotations

import nbformat
import pytest
from traitlets.config import Config

from conftest import REPO
from course_kit.config import course_settings
from course_kit.grading.notebook_kernel import HandRunClient, executed_notebook
from course_kit.grading.student_kernel import StudentCodeError
from course_kit.preprocessors import ExecuteWithGraders


def _rules(executor) -> tuple[int, int, int]:
    return executor.timeout, executor.notebook_time_limit, executor.max_cell_timeouts


def test_both_executors_read_each_rule_from_one_setting():
    config = Config()
    config.NotebookStopRules.timeout = 7
    config.NotebookStopRules.notebook_time_limit = 11
    config.NotebookStopRules.max_cell_timeouts = 5
    by_hand = HandRunClient(nbformat.v4.new_notebook(), config=config)
    assert _rules(ExecuteWithGraders(config=config)) == _rules(by_hand) == (7, 11, 5)
    shipped = course_settings(REPO)
    by_hand = HandRunClient(nbformat.v4.new_notebook(), config=shipped)
    assert ExecuteWithGraders(config=shipped).timeout == by_hand.timeout == 60  # course_config.py's


def test_the_hand_run_grader_stops_a_notebook_past_its_time_limit(tmp_path):
    cells = ["import time", "time.sleep(2)", "time.sleep(2)", "def double(x):\n    return 2 * x"]
    path = tmp_path / "slow.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells]), path)
    config = course_settings(REPO)
    config.NotebookStopRules.notebook_time_limit = 3
    with executed_notebook(path, config) as student:
        with pytest.raises(StudentCodeError, match=r"was stopped at cell 4 of 4: the whole notebook ran past its 3 s"):
            student.call("double", 1.0)
    config.NotebookStopRules.notebook_time_limit = 60
    with executed_notebook(path, config) as student:
        assert student.call("double", 1.0) == 2.0
