"""Execute a notebook with nbclient and keep its kernel open for a grader's calls.

This is what ``nbgrader autograde`` does through ``ExecuteWithGraders``, minus
nbgrader: it lets ``pytest graders/<assignment> --submission x.ipynb`` grade
one notebook on its own, with the same semantics (every cell runs, errors and
timeouts do not stop the run, the same stop rules end it early, then the
graders call into the same kernel) and the same confinement: the notebook runs
in a temporary copy of its folder, inside ``ConfinedKernelManager``'s sandbox,
with the course hidden from it.  Both read their settings (the stop rules,
the confinement's limits) from the course's configuration.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError
from nbformat import NotebookNode
from traitlets.config import Config

from course_kit.confinement import ConfinedKernelManager
from course_kit.grading.executor import STOPS, NotebookStopRules, keep_reply_error, kernel_responds, timed_out
from course_kit.grading.output_budget import MAX_NOTEBOOK_CHARS, MAX_OUTPUT_CHARS, BudgetedOutputs, OutputBudget
from course_kit.grading.stopped import Stopped
from course_kit.grading.student_kernel import RunCode, StudentKernel

# What nbgrader's Execute writes into a cell it had to interrupt.
TIMEOUT_ERROR = {
    "ename": "CellTimeoutError",
    "evalue": "",
    "traceback": ["CellTimeoutError: no reply from the kernel before the timeout"],
}


class CallsTouchNoCell:
    """Mixin for the nbclient client whose kernel the graders call: what the kernel sends during a call reaches
    that call's own cell (which ``code_runner`` discards) and no other.

    nbclient lets a kernel change cells other than the one running: a display shown with a ``display_id`` is
    updated in place wherever it appears, and widgets' messages go into the notebook's widget state and
    into Output widgets.  During a grader's call the kernel holds the hidden inputs, so an earlier cell's
    display updated then would carry them into the graded notebook and the feedback.  While ``in_grader_call``
    is set, display ids are ignored (a display becomes an output of the call's cell) and widget (comm)
    messages are dropped.
    """

    in_grader_call = False

    def process_message(self, msg: dict[str, Any], cell: Any, cell_index: int) -> Any:
        if self.in_grader_call:
            kind = msg["msg_type"]
            if kind.startswith("comm") or kind == "update_display_data":
                return None
            content = msg.get("content")
            if isinstance(content, dict) and content.get("transient"):
                msg = {**msg, "content": {**content, "transient": {}}}
        return super().process_message(msg, cell, cell_index)


def code_runner(client: NotebookClient, timeout: int | None = None) -> RunCode:
    """A RunCode for ``StudentKernel`` that executes snippets as hidden, history-free cells.

    ``client`` runs under ``NotebookStopRules`` and ``CallsTouchNoCell`` (both executors do); ``timeout``
    (seconds per snippet) replaces its cell timeout while a snippet runs.
    """
    assert isinstance(client, NotebookStopRules), "the cell timeout a snippet borrows is NotebookStopRules'"
    assert isinstance(client, CallsTouchNoCell), "a grader's call must not reach the notebook's cells"

    def run_code(source: str) -> Sequence[NotebookNode]:
        cell = nbformat.v4.new_code_cell(source)
        # nbclient writes the executed cell back at its index, so the snippet
        # borrows a slot past the end of the notebook and gives it back.
        client.nb.cells.append(cell)
        # The stop rules answer nbclient's question "how long may this cell run" with cell_timeout (not the
        # timeout trait, which nbconvert re-reads from the configuration): that is what a snippet must borrow.
        cell_timeout = client.cell_timeout
        client.cell_timeout = timeout or cell_timeout
        client.in_grader_call = True
        try:
            client.execute_cell(cell, len(client.nb.cells) - 1, store_history=False)
        except CellTimeoutError:  # raised only when the kernel's output channel goes silent
            raise Stopped("the kernel stopped answering") from None
        finally:
            client.in_grader_call = False
            client.cell_timeout = cell_timeout
            client.nb.cells.pop()
        if timed_out(cell) and not kernel_responds(client):
            raise Stopped("the kernel is stuck: it did not stop when interrupted")
        return cell.outputs

    return run_code


def refuse_calls(why: str) -> RunCode:
    """The RunCode of a notebook that was stopped: every grader call fails, saying why."""

    def run_code(source: str) -> Sequence[NotebookNode]:
        raise Stopped(why)

    return run_code


@contextmanager
def executed_notebook(
    path: Path, config: Config | None = None, timeout: int | None = None, allow_unconfined: bool = False,
    assignment: str | None = None,
) -> Iterator[StudentKernel]:
    """Run the notebook at ``path`` confined, in a copy of its folder; yield its live kernel for the graders.

    ``config``: the course's configuration (stop rules, confinement); ``timeout`` overrides its cell timeout,
    the assignment's own included; ``allow_unconfined`` is ``ConfinedKernelManager``'s opt-out; ``assignment``
    picks its cell timeout (``NotebookStopRules.assignment_timeouts``).
    """
    config = Config(config or {})
    if allow_unconfined:
        config.ConfinedKernelManager.allow_unconfined = True
    if timeout is not None:
        config.HandRunClient.timeout = timeout
        config.HandRunClient.assignment_timeouts = {}
    with tempfile.TemporaryDirectory(prefix="hand-graded-") as scratch:
        # The submission itself is never run in place: the kernel may write where it works.
        workdir = Path(scratch) / "work"
        shutil.copytree(path.parent, workdir, symlinks=True,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        nb = nbformat.read(workdir / path.name, as_version=4)
        client = HandRunClient(
            nb,
            interrupt_on_timeout=True,  # as nbgrader does: a slow cell is interrupted, the run goes on
            error_on_timeout=TIMEOUT_ERROR,
            on_cell_executed=keep_reply_error,
            allow_errors=True,
            kernel_name="python3",
            kernel_manager_class=ConfinedKernelManager,
            config=config,
            resources={"metadata": {"path": str(workdir)}},
        )
        with client.setup_kernel():
            run_code = client.run_all_cells(assignment)
            # The kernel works in the manager's private copy of workdir, and reads its calls there.
            student = StudentKernel(run_code, scratch_parent=client.km.kernel_cwd or workdir)
            try:
                yield student
            finally:
                student.close()


class HandRunClient(CallsTouchNoCell, NotebookStopRules, BudgetedOutputs, NotebookClient):
    """nbclient with the autograder's stop rules and output caps."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.output_budget = OutputBudget(MAX_OUTPUT_CHARS, MAX_NOTEBOOK_CHARS)

    def run_all_cells(self, assignment: str | None = None) -> RunCode:
        """Run every cell as nbgrader would; the RunCode for the graders (one that refuses if the notebook stopped)."""
        self.start_rules(assignment)
        try:
            for index, cell in enumerate(self.nb.cells):
                self.execute_under_rules(cell, index)
        except STOPS as stop:
            exit_reason = getattr(self.km, "exit_reason", lambda: None)()
            return refuse_calls(f"the notebook's kernel {self.outcome(stop, exit_reason).why}")
        return code_runner(self)
