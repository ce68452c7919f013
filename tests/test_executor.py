"""One set of stop rules, read from one setting each, for autograde and the hand-run grader alike."""

from __future__ import annotations

import asyncio

import nbformat
import pytest
from jupyter_core.utils import run_sync
from nbclient.exceptions import CellTimeoutError
from traitlets.config import Config

from conftest import REPO
from course_kit.config import course_settings
from course_kit.grading.executor import timed_out
from course_kit.grading.notebook_kernel import HandRunClient, executed_notebook
from course_kit.grading.student_kernel import StudentCodeError
from course_kit.instructor import Course, copy_course
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
    limit = 3
    # The first cell starts as the clock does and sleeps past the limit (a sleep never ends early): the next
    # cell is the first after the limit, however slow the machine.
    cells = [f"import time\ntime.sleep({limit} + 1)", "def double(x):\n    return 2 * x"]
    path = tmp_path / "slow.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells]), path)
    config = course_settings(REPO)
    config.NotebookStopRules.notebook_time_limit = limit
    with executed_notebook(path, config) as student:
        with pytest.raises(StudentCodeError,
                           match=rf"was stopped at cell 2 of 2: the whole notebook ran past its {limit} s"):
            student.call("double", 1.0)
    config.NotebookStopRules.notebook_time_limit = 60
    with executed_notebook(path, config) as student:
        assert student.call("double", 1.0) == 2.0


def test_an_assignment_may_have_its_own_cell_timeout_on_both_paths(tmp_path):
    config = Config()
    config.NotebookStopRules.timeout = 7
    config.NotebookStopRules.assignment_timeouts = {"slow_one": 90}
    cell = nbformat.v4.new_code_cell("pass")
    for executor in (ExecuteWithGraders(config=config), HandRunClient(nbformat.v4.new_notebook(), config=config)):
        timeouts = []
        for assignment in ("slow_one", "other", None, "slow_one"):
            executor.start_rules(assignment)
            timeouts.append(executor._get_timeout(cell))
        assert timeouts == [90, 7, 7, 90]  # one client, many notebooks: the course's value comes back
        assert executor._get_timeout(None) == 7  # a wait that is not a cell's (kernel_responds) keeps its own


SLEEPY = "import time\ntime.sleep(3)\ndef double(x):\n    return 2 * x"


def _sleepy_assignment() -> nbformat.NotebookNode:
    def meta(**fields):
        return {"nbgrader": {"schema_version": 3, "locked": not fields.get("solution", False), **fields}}

    nb = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    nb.cells = [
        nbformat.v4.new_code_cell(SLEEPY, metadata=meta(grade=False, solution=True, grade_id="double")),
        nbformat.v4.new_code_cell("assert double(1) == 2",
                                  metadata=meta(grade=True, solution=False, points=1, grade_id="test_double")),
    ]
    return nb


def test_autograde_applies_the_assignments_cell_timeout(tmp_path):
    """Autograde, not only the executor: nbconvert's preprocess() reads the timeout trait again from the
    configuration, which once undid the assignment's own timeout (a Keras notebook's import cut off at 10 s)."""
    course_dir = copy_course(REPO, tmp_path / "course", assignments=[])
    with (course_dir / "nbgrader_config.py").open("a") as config:
        # 1 s: a 3 s sleep is always cut; 60 s: one is never cut, however loaded the machine.
        config.write('c.ExecuteWithGraders.timeout = 1\nc.ExecuteWithGraders.assignment_timeouts = {"slow": 60}\n')
    course = Course(course_dir)
    timed_out_cells = {}
    for assignment in ("slow", "quick"):
        (course_dir / "source" / assignment).mkdir(parents=True)
        nbformat.write(_sleepy_assignment(), course_dir / "source" / assignment / "sleepy.ipynb")
        course.release(assignment)
        nb = nbformat.read(course.release_notebook(assignment), as_version=4)
        nb.cells[0].source = SLEEPY  # the student's answer (the release has a placeholder)
        course.submit("ada", assignment, {"sleepy.ipynb": nb})
        course.collect(assignment)
        course.autograde(assignment, "ada")
        graded = nbformat.read(course_dir / "autograded" / "ada" / assignment / "sleepy.ipynb", as_version=4)
        timed_out_cells[assignment] = [i for i, cell in enumerate(graded.cells) if timed_out(cell)]
    assert timed_out_cells == {"slow": [], "quick": [0]}
    assert course.score("slow", "ada") == (1.0, 1.0)


SLOW_FUNCTION = "import time\ndef double(x):\n    time.sleep(3)\n    return 2 * x"


@pytest.mark.parametrize("call_timeout, passes", [(1, False), (20, True)])  # a 3 s call: always, never cut
def test_a_grader_call_runs_under_the_call_timeout_not_the_cell_timeout(tmp_path, call_timeout, passes):
    """A grader's call into the kernel gets ``call_timeout``: the cell timeout (here 30 s) once overrode it."""
    course_dir = copy_course(REPO, tmp_path / "course", assignments=[])
    with (course_dir / "nbgrader_config.py").open("a") as config:
        config.write(f"c.ExecuteWithGraders.timeout = 30\nc.ExecuteWithGraders.call_timeout = {call_timeout}\n")
    course = Course(course_dir)
    (course_dir / "source" / "slow").mkdir(parents=True)
    nbformat.write(_sleepy_assignment(), course_dir / "source" / "slow" / "sleepy.ipynb")
    (course_dir / "graders" / "slow").mkdir(parents=True)
    (course_dir / "graders" / "slow" / "test_double.py").write_text(
        "def test_double(student):\n    \"\"\"double doubles\"\"\"\n    assert student.call('double', 1.0) == 2.0\n")
    course.release("slow")
    nb = nbformat.read(course.release_notebook("slow"), as_version=4)
    nb.cells[0].source = SLOW_FUNCTION
    course.submit("ada", "slow", {"sleepy.ipynb": nb})
    course.collect("slow")
    course.autograde("slow", "ada")
    assert course.score("slow", "ada") == ((1.0 if passes else 0.0), 1.0)
    (result,) = course.cell_results("slow", "ada")
    assert ("did not finish in time" in result.report) is not passes, result.report


def test_the_hand_run_grader_applies_the_assignments_timeout(tmp_path):
    cells = ["import time", "time.sleep(2)", "def double(x):\n    return 2 * x"]
    path = tmp_path / "slow.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells]), path)
    config = course_settings(REPO)
    config.NotebookStopRules.timeout = 1
    config.NotebookStopRules.max_cell_timeouts = 1
    with executed_notebook(path, config, assignment="other") as student:
        with pytest.raises(StudentCodeError, match=r"1 cells ran past the 1 s cell timeout"):
            student.call("double", 1.0)
    config.NotebookStopRules.assignment_timeouts = {"slow": 60}  # a 2 s cell: never cut
    with executed_notebook(path, config, assignment="slow") as student:
        assert student.call("double", 1.0) == 2.0


ATEXIT_HOOK = "import atexit, os\natexit.register(lambda: os.write(2, b'ATEXIT-HOOK-RAN\\n'))\n"


@pytest.mark.parametrize("shutdown, hook_runs", [("immediate", False), ("graceful", True)])
def test_a_graded_kernel_is_killed_and_its_atexit_hooks_never_run(tmp_path, capfd, shutdown, hook_runs):
    """The kit's default: the kernel is killed once graded, so the notebook's code gets no run after grading
    (nbclient's default, ``graceful``, lets the kernel's atexit hooks write to the grader's stderr)."""
    path = tmp_path / "hook.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(ATEXIT_HOOK)]), path)
    config = course_settings(REPO)
    if shutdown != HandRunClient.class_traits()["shutdown_kernel"].default():
        config.HandRunClient.shutdown_kernel = shutdown
    with executed_notebook(path, config):
        pass
    assert ("ATEXIT-HOOK-RAN" in capfd.readouterr().err) is hook_runs


class SlowOutputReader(ExecuteWithGraders):
    """Autograde's executor reading each displayed output a second late, as a busy grader reads a flood."""

    async def async_start_new_kernel_client(self):
        client = await super().async_start_new_kernel_client()
        get_msg = client.iopub_channel.get_msg

        async def late(*args, **kwargs):
            message = await get_msg(*args, **kwargs)
            if message["msg_type"] == "display_data":
                await asyncio.sleep(1)
            return message

        client.iopub_channel.get_msg = late
        return client

    start_new_kernel_client = run_sync(async_start_new_kernel_client)  # nbclient binds its own at class level


@pytest.mark.parametrize("cell_timeout, graded", [(20, True), (3, False)])
def test_outputs_read_after_the_reply_get_as_long_as_the_cell_had(tmp_path, cell_timeout, graded):
    """Six outputs read a second apart come in about 5 s after the cell's reply: past nbclient's 4 s, which
    nbgrader's Execute takes for a dead kernel, but within a 20 s cell's time (the outputs are kept)."""
    cell = nbformat.v4.new_code_cell("for i in range(6):\n    display(i)")
    kernelspec = {"name": "python3", "display_name": "Python 3"}
    notebook = nbformat.v4.new_notebook(cells=[cell], metadata={"kernelspec": kernelspec})
    config = Config()
    config.NotebookStopRules.timeout = cell_timeout
    executor = SlowOutputReader(config=config)
    if graded:
        executor.preprocess(notebook, {"metadata": {"path": str(tmp_path)}})
        assert [o["data"]["text/plain"] for o in notebook.cells[0].outputs] == [str(i) for i in range(6)]
    else:
        with pytest.raises(CellTimeoutError, match="Timeout waiting for IOPub output"):
            executor.preprocess(notebook, {"metadata": {"path": str(tmp_path)}})
