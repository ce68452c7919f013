"""run_graders: one in-process pytest run per notebook, at as little cost beyond the checks as it can."""

from __future__ import annotations

import gc
from pathlib import Path

from course_kit.grading.run_graders import run_graders

CHECK = '''
def test_one():
    """one check"""
'''

FAILING = '''
def lookup(key):
    return {}[key]


def test_fails():
    """a check that fails"""
    assert 1 + 1 == 3, "1 + 1 is not 3"


def test_has_a_bug():
    """a check with a bug in the grader"""
    lookup("missing")
'''


def test_a_grading_run_forces_no_full_garbage_collection(tmp_path: Path):
    """A full collection of a grading process (nbgrader and all) costs more than a small notebook's checks."""
    graders = tmp_path / "graders" / "a"
    graders.mkdir(parents=True)
    (graders / "test_cell.py").write_text(CHECK)
    full: list[dict] = []

    def note(phase: str, info: dict) -> None:
        if phase == "start" and info["generation"] == 2:
            full.append(info)

    gc.collect()  # so that no automatic one falls due during the run
    gc.callbacks.append(note)
    try:
        reports, _ = run_graders(graders, student=None)
    finally:
        gc.callbacks.remove(note)
    assert [check.passed for check in reports["test_cell"].checks] == [True]
    assert full == []


def test_a_failed_check_logs_a_plain_traceback_and_keeps_its_message(tmp_path: Path):
    """pytest's own traceback styles parse every frame's source file (~35 ms a failed check); Python's do not."""
    graders = tmp_path / "graders" / "b"  # a module name of its own: run_graders keeps graders in sys.modules
    graders.mkdir(parents=True)
    (graders / "test_failing.py").write_text(FAILING)
    reports, log = run_graders(graders, student=None)
    assert [(check.passed, check.message) for check in reports["test_failing"].checks] == [
        (False, "1 + 1 is not 3"),
        (False, "the grader could not run this check (KeyError: 'missing'); tell your instructor"),
    ]
    assert "Traceback (most recent call last):" in log  # the instructor's log still says where
    assert 'test_failing.py", line 3, in lookup' in log
