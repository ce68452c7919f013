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


def test_an_assignment_may_have_its_own_cell_timeout_on_both_paths(tmp_path):
    config = Config()
    config.NotebookStopRules.timeout = 7
    config.NotebookStopRules.assignment_timeouts = {"slow_one": 90}
    for executor in (ExecuteWithGraders(config=config), HandRunClient(nbformat.v4.new_notebook(), config=config)):
        executor.nb = nbformat.v4.new_notebook()
        timeouts = []
        for assignment in ("slow_one", "other", None, "slow_one"):
            executor.start_rules(assignment)
            timeouts.append(executor.timeout)
        assert timeouts == [90, 7, 7, 90]  # one client, many notebooks: the course's value comes back


def test_the_hand_run_grader_applies_the_assignments_timeout(tmp_path):
    cells = ["import time", "time.sleep(3)", "def double(x):\n    return 2 * x"]
    path = tmp_path / "slow.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells]), path)
    config = course_settings(REPO)
    config.NotebookStopRules.timeout = 1
    config.NotebookStopRules.max_cell_timeouts = 1
    with executed_notebook(path, config, assignment="other") as student:
        with pytest.raises(StudentCodeError, match=r"1 cells ran past the 1 s cell timeout"):
            student.call("double", 1.0)
    config.NotebookStopRules.assignment_timeouts = {"slow": 10}
    with executed_notebook(path, config, assignment="slow") as student:
        assert student.call("double", 1.0) == 2.0
