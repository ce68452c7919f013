"""A broken submission costs its own student points, with a reason, and nothing more.

Each fault in tests/corpus/ps1_naive_loss/fault_*.py is graded by real
nbgrader among everyone else: the run finishes, the gradebook has its scores,
and the report of each cell it lost says what happened.
"""

import subprocess
import time

import pytest

ASSIGNMENT = "ps1_naive_loss"
ALL_CELLS = ["test_sigmoid", "test_naive_bce", "test_first_inf_logit"]

# fault -> {cell: phrase its report must contain}; cells not named keep full marks.
LOSSES = {
    # Every later cell that calls sigmoid hangs: the notebook is stopped after three cell timeouts.
    "fault_endless_loop": {cell: "cells ran past the" for cell in ALL_CELLS},
    "fault_sleep_forever": {"test_first_inf_logit": "does not define first_inf_logit"},
    "fault_os_exit": {cell: "kernel died while running cell" for cell in ALL_CELLS},
    "fault_segfault": {cell: "kernel died while running cell" for cell in ALL_CELLS},
    "fault_sys_exit": {"test_first_inf_logit": "does not define first_inf_logit"},
    "fault_child_processes": {},
    "fault_huge_stdout": {},
    "fault_stderr_spam": {},
}


@pytest.mark.parametrize("fault", sorted(LOSSES))
def test_fault_is_graded_with_a_reason(graded, fault):
    results = graded(ASSIGNMENT)
    result = results[fault]
    assert result.success, f"autograding {fault} failed instead of grading it:\n{result.log[-2000:]}"
    for cell_id, cell in result.cells.items():
        phrase = LOSSES[fault].get(cell_id)
        if phrase is None:
            assert cell.score == cell.max_score, f"{fault} lost points in {cell_id}:\n{cell.report}"
        else:
            assert cell.score < cell.max_score and phrase in cell.report, f"{fault} / {cell_id}:\n{cell.report}"


def test_everyone_else_is_graded_too(graded):
    results = graded(ASSIGNMENT)
    assert all(r.success for r in results.values()), [s for s, r in results.items() if not r.success]
    assert results["reference"].total == results["reference"].max_total


def _children_left() -> list[str]:
    return subprocess.run(["pgrep", "-f", "^sleep 300$"], capture_output=True, text=True).stdout.split()


def test_no_child_process_outlives_grading(graded):
    graded(ASSIGNMENT)
    deadline = time.monotonic() + 30  # a torn-down sandbox's processes may take a moment to be reaped
    while _children_left() and time.monotonic() < deadline:
        time.sleep(1)
    left = _children_left()
    details = subprocess.run(["ps", "-o", "pid,ppid,uid,stat,etime,cmd", "-p", ",".join(left)],
                             capture_output=True, text=True).stdout if left else ""
    assert not left, f"{len(left)} processes of fault_child_processes are still running:\n{details}"


def test_huge_output_is_cut_in_the_graded_notebook(graded, course):
    graded(ASSIGNMENT)
    (notebook,) = (course.course_dir / "autograded" / "fault_huge_stdout" / ASSIGNMENT).glob("*.ipynb")
    assert notebook.stat().st_size < 5 * 2**20, f"{notebook.stat().st_size} bytes"
