"""Execute a notebook with nbclient and keep its kernel open for a grader's calls.

This is what ``nbgrader autograde`` does through ``ExecuteWithGraders``, minus
nbgrader: it lets ``pytest graders/<assignment> --submission x.ipynb`` grade
one notebook on its own, with the same semantics (every cell runs, errors and
timeouts do not stop the run, then the graders call into the same kernel) and
the same confinement: the notebook runs in a temporary copy of its folder,
inside ``ConfinedKernelManager``'s sandbox, with the course hidden from it.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from traitlets.config import Config

from course_kit.confinement import ConfinedKernelManager
from course_kit.grading.output_budget import MAX_NOTEBOOK_CHARS, MAX_OUTPUT_CHARS, BudgetedOutputs, OutputBudget
from course_kit.grading.student_kernel import KernelStopped, StudentKernel

MAX_CELL_TIMEOUTS = 3  # ExecuteWithGraders.max_cell_timeouts' default

# What nbgrader's Execute writes into a cell it had to interrupt.
TIMEOUT_ERROR = {
    "ename": "CellTimeoutError",
    "evalue": "",
    "traceback": ["CellTimeoutError: no reply from the kernel before the timeout"],
}


def code_runner(client: NotebookClient, timeout: int | None = None):
    """A RunCode for ``StudentKernel`` that executes snippets as hidden, history-free cells.

    ``timeout`` (seconds per snippet) replaces the client's cell timeout while a snippet runs.
    """

    def run_code(source: str) -> Sequence[NotebookNode]:
        cell = nbformat.v4.new_code_cell(source)
        # nbclient writes the executed cell back at its index, so the snippet
        # borrows a slot past the end of the notebook and gives it back.
        client.nb.cells.append(cell)
        cell_timeout = client.timeout
        client.timeout = timeout or cell_timeout
        try:
            client.execute_cell(cell, len(client.nb.cells) - 1, store_history=False)
        except CellTimeoutError:  # raised only when the kernel's output channel goes silent
            raise KernelStopped("the kernel stopped answering") from None
        finally:
            client.timeout = cell_timeout
            client.nb.cells.pop()
        if timed_out(cell) and not kernel_responds(client):
            raise KernelStopped("the kernel is stuck: it did not stop when interrupted")
        return cell.outputs

    return run_code


def timed_out(cell: NotebookNode) -> bool:
    return any(o.get("ename") == TIMEOUT_ERROR["ename"] for o in cell.get("outputs", []))


def why_stop_after(cell: NotebookNode, client: NotebookClient, timeouts: int, max_timeouts: int) -> str | None:
    """After a cell that timed out (``timeouts`` so far, this one included): why the notebook
    cannot go on, or None.  Shared by nbgrader's path and the hand-run path."""
    if not kernel_responds(client):
        return "it ran past the cell timeout and did not stop when interrupted"
    if timeouts >= max_timeouts:
        return f"{timeouts} cells ran past the {client.timeout} s cell timeout"
    return None


def kernel_responds(client: NotebookClient, seconds: int = 5) -> bool:
    """After an interrupt a healthy kernel answers at once; one stuck in a loop that
    swallows KeyboardInterrupt never does, and would cost every later cell a full timeout."""
    timeout = client.timeout
    client.timeout = seconds
    try:
        return client.wait_for_reply(client.kc.kernel_info()) is not None
    finally:
        client.timeout = timeout


def record_reply_error(cell: NotebookNode, execute_reply: dict, **_: object) -> None:
    """nbclient hook: keep an error the kernel only reported in its reply (a timeout) as an output,
    as nbgrader's Execute does, so that ``timed_out`` sees it."""
    content = execute_reply["content"]
    if content["status"] == "error" and not any(o.get("ename") == content["ename"] for o in cell.outputs):
        cell.outputs.append(nbformat.v4.new_output("error", ename=content["ename"], evalue=content["evalue"],
                                                   traceback=content.get("traceback", [])))


class _StoppedKernel:
    def __init__(self, reason: str) -> None:
        self.reason = reason

    def __call__(self, source: str) -> Sequence[NotebookNode]:
        raise KernelStopped(self.reason)


@contextmanager
def executed_notebook(
    path: Path, timeout: int = 60, course_root: Path | None = None, allow_unconfined: bool = False
) -> Iterator[StudentKernel]:
    """Run the notebook at ``path`` confined, in a copy of its folder; yield its live kernel for the graders.

    ``course_root`` is hidden from the kernel; ``allow_unconfined`` is ``ConfinedKernelManager``'s opt-out.
    """
    config = Config()
    config.ConfinedKernelManager.allow_unconfined = allow_unconfined
    if course_root is not None:
        config.ConfinedKernelManager.course_root = str(course_root)
    with tempfile.TemporaryDirectory(prefix="hand-graded-") as scratch:
        # The submission itself is never run in place: the kernel may write where it works.
        workdir = Path(scratch) / "work"
        shutil.copytree(path.parent, workdir, symlinks=True,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        nb = nbformat.read(workdir / path.name, as_version=4)
        client = _HandRunClient(
            nb,
            timeout=timeout,
            interrupt_on_timeout=True,  # as nbgrader does: a slow cell is interrupted, the run goes on
            error_on_timeout=TIMEOUT_ERROR,
            on_cell_executed=record_reply_error,
            allow_errors=True,
            kernel_name="python3",
            kernel_manager_class=ConfinedKernelManager,
            config=config,
            resources={"metadata": {"path": str(workdir)}},
        )
        with client.setup_kernel():
            run_code = _run_all_cells(client, nb)
            # The kernel works in the manager's private copy of workdir, and reads its calls there.
            student = StudentKernel(run_code, scratch_parent=client.km.kernel_cwd or workdir)
            try:
                yield student
            finally:
                student.close()


class _HandRunClient(BudgetedOutputs, NotebookClient):
    """nbclient with the autograder's output caps, so a flood costs a hand-run grader no more memory."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.output_budget = OutputBudget(MAX_OUTPUT_CHARS, MAX_NOTEBOOK_CHARS)


def _run_all_cells(client: NotebookClient, nb: NotebookNode):
    """Run every cell as nbgrader would; the RunCode for the graders (one that refuses if the kernel is gone)."""
    timeouts = 0
    for index, cell in enumerate(nb.cells):
        try:
            client.execute_cell(cell, index)
        except DeadKernelError:
            return _StoppedKernel(f"the kernel died while running cell {index + 1}")
        except CellTimeoutError:
            return _StoppedKernel(f"the kernel stopped answering in cell {index + 1}")
        if timed_out(cell):
            timeouts += 1
            why = why_stop_after(cell, client, timeouts, MAX_CELL_TIMEOUTS)
            if why:
                return _StoppedKernel(f"the notebook was stopped at cell {index + 1}: {why}")
    return code_runner(client)
