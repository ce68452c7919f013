"""run_graders: one in-process pytest run per notebook, at as little cost beyond the checks as it can."""

from __future__ import annotations

import gc
from pathlib import Path

from course_kit.grading.run_graders import run_graders

CHECK = '''
def test_one():
    """one check"""
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
