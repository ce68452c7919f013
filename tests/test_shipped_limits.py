"""The limits the README's Security section states hold at the values the course ships (course_config.py and the
kit's defaults), read from that configuration, never restated here.

- A notebook is stopped after ``max_cell_timeouts`` cell timeouts (the README: three), and not one sooner: run
  with a real confined kernel, the cell timeout shortened, the count as shipped.
- Each output is cut past ``max_output_chars`` (200,000) characters and, once the notebook's outputs reach
  ``max_notebook_output_chars`` (5,000,000), each later output is a note: one character either side of each cap,
  on the budget the autograde executor builds from the shipped configuration (the end-to-end flood of 350 MB
  is tests/test_file_boundary.py's).
- The kernel runs as ``sandbox_uid`` (nobody) under root's grader, and as the instructor under an ordinary
  user's: each instructor the suite can play (tests/instructors.py) runs the hand-run grader on a notebook, and
  the kernel says who it is.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from instructors import INSTRUCTORS, ROOT, Instructor
from nbformat.v4 import new_code_cell, new_notebook

from conftest import REPO
from course_kit.config import course_settings
from course_kit.confinement.confined_kernel import ConfinedKernelManager
from course_kit.grading.notebook_kernel import HandRunClient, executed_notebook
from course_kit.grading.output_budget import NOTE, OutputBudget, size
from course_kit.grading.student_kernel import StudentCodeError
from course_kit.preprocessors import ExecuteWithGraders

needs_bwrap = pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap is not installed")
# Sleeping cells are interrupted at this cell timeout; short, but longer than a cell that only defines a function
# takes on a loaded machine (the count of timeouts, which is what is tested, would otherwise grow by one).
CELL_TIMEOUT = 3


def shipped() -> ExecuteWithGraders:
    """autograde's executor as the shipped course configures it."""
    return ExecuteWithGraders(config=course_settings(REPO))


def _sleepy_notebook(path: Path, sleeping_cells: int) -> Path:
    cells = ["import time", *["time.sleep(600)"] * sleeping_cells, "def double(x):\n    return 2 * x"]
    nbformat.write(new_notebook(cells=[new_code_cell(c) for c in cells]), path)
    return path


def test_autograde_and_the_hand_run_grader_ship_the_same_stop_count():
    config = course_settings(REPO)
    assert shipped().max_cell_timeouts == HandRunClient(new_notebook(), config=config).max_cell_timeouts >= 1


@needs_bwrap
def test_a_notebook_is_stopped_at_the_shipped_number_of_cell_timeouts(tmp_path):
    config = course_settings(REPO)
    limit = shipped().max_cell_timeouts
    config.NotebookStopRules.timeout = CELL_TIMEOUT
    config.NotebookStopRules.assignment_timeouts = {}
    stopped_at = 1 + limit  # "import time", then the sleeping cells: the last of them is the one that stops it
    path = _sleepy_notebook(tmp_path / "stopped.ipynb", limit)
    with executed_notebook(path, config) as student:
        with pytest.raises(StudentCodeError, match=rf"was stopped at cell {stopped_at} of {limit + 2}: {limit} cells "
                                                   rf"ran past the {CELL_TIMEOUT} s cell timeout"):
            student.call("double", 1.0)
    path = _sleepy_notebook(tmp_path / "one_fewer.ipynb", limit - 1)
    with executed_notebook(path, config) as student:
        assert student.call("double", 1.0) == 2.0  # one timeout fewer: the notebook ran to its end


def _stream(chars: int) -> dict:
    return {"msg_type": "stream", "content": {"name": "stdout", "text": "x" * chars}}


@pytest.mark.parametrize("over", [-1, 0, 1])
def test_each_output_is_cut_past_the_shipped_cap(over):
    executor = shipped()
    cap = executor.max_output_chars
    for kind, msg, text in [
        ("stream", _stream(cap + over), lambda m: m["content"]["text"]),
        ("html", {"msg_type": "display_data", "content": {"data": {"text/html": "x" * (cap + over)}, "metadata": {}}},
         lambda m: m["content"]["data"]["text/html"]),
        ("error", {"msg_type": "error", "content": {"ename": "ValueError", "evalue": "x" * (cap + over),
                                                     "traceback": []}},
         lambda m: m["content"]["evalue"]),
    ]:
        budget = OutputBudget(executor.max_output_chars, executor.max_notebook_output_chars)
        assert budget.admit(msg, [])
        kept = text(msg)
        if over <= 0:
            assert len(kept) == cap + over and budget.cut == 0, kind
        else:  # head and tail kept around a note of how much was cut, within the cap, and counted as cut
            assert len(kept) <= cap and budget.cut == 1, (kind, len(kept))
            removed = cap + over - kept.count("x")  # no x in the note
            assert NOTE.format(why=f"{removed} characters") in kept, kind


@pytest.mark.parametrize("over", [-1, 0])
def test_past_the_shipped_notebook_cap_each_later_output_is_a_note(over):
    executor = shipped()
    per_output, cap = executor.max_output_chars, executor.max_notebook_output_chars
    budget = OutputBudget(per_output, cap)
    outputs: list[dict] = []
    whole = size(_stream(per_output)["content"])  # what one output of the largest size kept whole costs
    while budget.used + whole <= cap + over:
        assert budget.admit(_stream(per_output), outputs)
    rest = cap + over - budget.used  # one more output, to bring the notebook's outputs to the cap + over
    filler = _stream(0)
    filler["content"]["text"] = "x" * (rest - size(filler["content"]))
    assert budget.admit(filler, outputs) and budget.used == cap + over and budget.cut == 0
    later = _stream(10)
    assert budget.admit(later, outputs)
    note = NOTE.format(why=f"the notebook's outputs passed {cap} characters")
    if over < 0:
        assert later["content"]["text"] == "x" * 10  # one character under the cap: still kept whole
    else:
        assert later["content"]["text"] == note + "\n"  # at the cap: each later output is a note


# What the hand-run grader's kernel says of itself, run by an instructor (the course's configuration, as shipped).
WHO_AM_I = """import json, os, sys
from pathlib import Path
sys.path.insert(0, {repo!r})
from course_kit.config import course_settings
from course_kit.grading.notebook_kernel import executed_notebook
with executed_notebook(Path(sys.argv[1]), course_settings(Path({repo!r}))) as student:
    print("KERNEL-UID", json.dumps(student.json("os.getuid()")))
"""


@needs_bwrap
@pytest.mark.parametrize("instructor", INSTRUCTORS, ids=[i.name for i in INSTRUCTORS])
def test_the_kernel_runs_as_nobody_for_root_and_as_the_instructor_otherwise(tmp_path, instructor: Instructor):
    if os.geteuid() != 0:  # the suite itself runs as an ordinary user: that user is the instructor
        if instructor is ROOT:
            pytest.skip("the tests run as an ordinary user: root's grader cannot be played")
        expected, run_as = os.geteuid(), None
    else:
        if instructor.unavailable():
            pytest.skip(instructor.unavailable())
        instructor.create()
        run_as = instructor
        expected = (ConfinedKernelManager(config=course_settings(REPO)).sandbox_uid if instructor is ROOT
                    else pwd.getpwnam(instructor.user).pw_uid)
    folder = tmp_path if run_as in (None, ROOT) else instructor.home() / f"who-am-i-{os.getpid()}"
    folder.mkdir(exist_ok=True)
    notebook = folder / "who.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("import os")]), notebook)
    command = [sys.executable, "-c", WHO_AM_I.format(repo=str(REPO)), str(notebook)]
    try:
        if run_as is None:
            run = subprocess.run(command, capture_output=True, text=True, timeout=300)
        else:
            instructor.give(folder)
            run = run_as.run(command, cwd=folder, timeout=300)
    finally:
        if folder != tmp_path:
            shutil.rmtree(folder, ignore_errors=True)
    line = next((x for x in run.stdout.splitlines() if x.startswith("KERNEL-UID ")), None)
    assert line is not None, run.stdout + run.stderr[-3000:]
    assert json.loads(line.removeprefix("KERNEL-UID ")) == expected
