"""A broken submission costs its own student points, with a reason, and nothing more.

Each fault in tests/corpus/ps1_naive_loss/fault_*.py is graded by real
nbgrader among everyone else: the run finishes, the gradebook has its scores,
and the report of each cell it lost says what happened.
"""

import ast
import os
import re
import subprocess
import time

import nbformat
import pytest

from conftest import REPO, auto_scores, processes_matching
from course_kit.confinement import notebook_cgroup

ASSIGNMENT = "ps1_naive_loss"
SANDBOX_UID = 65534 if os.geteuid() == 0 else os.geteuid()  # ConfinedKernelManager.sandbox_uid
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
    # The notebook's children together go over its memory cap: some are killed, the kernel and its answers live.
    "fault_fork_memory_bomb": {},
    # The kernel creeps up to the notebook's cap and is stopped there, with the reason in every test cell.
    # Only a notebook cgroup gives that cap: without one the bomb meets the per-process rlimits instead.
    "fault_memory_bomb": {cell: "went over its memory limit (1024 MiB" for cell in ALL_CELLS},
}
NO_CGROUP = notebook_cgroup.available()  # None where notebook cgroups can be made, else why not
NEEDS_A_CGROUP = {"fault_memory_bomb"}


def _fault_cases() -> list:
    """Every fault; those that need a notebook cgroup are skipped, and named at the end of the run, where none
    exists."""
    return [
        pytest.param(fault, marks=[pytest.mark.safety_feature("per-notebook memory cap", missing=NO_CGROUP)]
                     if fault in NEEDS_A_CGROUP else [])
        for fault in sorted(LOSSES)
    ]


@pytest.mark.parametrize("fault", _fault_cases())
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


def test_the_gradebook_stays_consistent(graded, course):
    """One submission per student, each with a grade for every test cell, the faults' included."""
    results = graded(ASSIGNMENT)
    scores = auto_scores(course, ASSIGNMENT)  # one entry per submission in the gradebook
    assert sorted(scores) == sorted(results)
    for student, cells in scores.items():
        assert all(cells.get(cell) is not None for cell in ALL_CELLS), (student, cells)


def _children_left() -> list[str]:
    """The notebook's own sleeps: a root grader's kernels run as nobody (65534), in a pid namespace of their own.

    Matching the command line alone also caught another session's `sleep 300` on the same machine: a root
    process in the host's pid namespace, which no notebook can start.
    """
    return [pid for pid in processes_matching("sleep 300") if _uid(pid) == SANDBOX_UID]


def _uid(pid: str) -> int | None:
    try:
        return os.stat(f"/proc/{pid}").st_uid
    except FileNotFoundError:
        return None


def test_no_child_process_outlives_grading(graded):
    graded(ASSIGNMENT)
    deadline = time.monotonic() + 30  # a torn-down sandbox's processes may take a moment to be reaped
    while _children_left() and time.monotonic() < deadline:
        time.sleep(1)
    left = _children_left()
    details = subprocess.run(["ps", "-o", "pid,ppid,uid,stat,etime,cgroup,cmd", "-p", ",".join(left)],
                             capture_output=True, text=True, timeout=60).stdout if left else ""
    for pid in left[:5]:  # which pid namespace: the sandbox's (torn down?) or the host's
        details += f"\n{pid}: pid ns {os.readlink(f'/proc/{pid}/ns/pid')}, host {os.readlink('/proc/self/ns/pid')}"
    assert not left, f"{len(left)} processes of fault_child_processes are still running:\n{details}"


def _outputs(course, student: str, assignment: str = ASSIGNMENT) -> str:
    (notebook,) = (course.course_dir / "autograded" / student / assignment).glob("*.ipynb")
    cells = nbformat.read(notebook, as_version=4).cells
    return "\n".join(str(o.get("text", "")) + str(o.get("ename", "")) for c in cells for o in c.get("outputs", []))


@pytest.mark.safety_feature("per-notebook memory cap", missing=NO_CGROUP)
def test_a_notebook_of_many_processes_shares_one_memory_cap(graded, course):
    graded(ASSIGNMENT)
    line = next(x for x in _outputs(course, "fault_fork_memory_bomb").splitlines() if x.startswith("child exit"))
    codes = ast.literal_eval(line.split(":", 1)[1].strip())
    # 1.5 GiB asked at once, 1 GiB allowed for the whole notebook (TEST_SETTINGS): two children with the kernel
    # do not fit, so at least one is killed although each is far below the per-process caps.
    assert -9 in codes, line


def test_a_download_fails_fast_and_says_why(graded, course):
    assignment = "ps2_stable_loss"
    result = graded(assignment)["fault_download_dataset"]
    assert result.success and all(c.score == c.max_score for c in result.cells.values())
    line = next(x for x in _outputs(course, "fault_download_dataset", assignment).splitlines() if "download" in x)
    seconds = float(line.split(" after ")[1].split(" s:")[0])
    # Fast: an error from the empty network before the download's own timeout, not that timeout.
    source = (REPO / "tests" / "corpus" / assignment / "fault_download_dataset.py").read_text()
    timeout = float(re.search(r"urlopen\(.*timeout=(\d+)", source)[1])
    assert seconds < timeout and ("name resolution" in line or "unreachable" in line), line


def test_huge_output_is_cut_in_the_graded_notebook(graded, course):
    graded(ASSIGNMENT)
    (notebook,) = (course.course_dir / "autograded" / "fault_huge_stdout" / ASSIGNMENT).glob("*.ipynb")
    assert notebook.stat().st_size < 5 * 2**20, f"{notebook.stat().st_size} bytes"
