"""The stop rules of a notebook run, in one place for ``nbgrader autograde`` and the hand-run grader.

Stock nbgrader runs every cell whatever happens: a notebook whose cells keep
running past the cell timeout costs a full timeout per remaining cell, and a
kernel that died abandons the whole submission.  ``NotebookStopRules`` is a
mixin for an nbclient ``NotebookClient`` (``ExecuteWithGraders`` under
autograde, ``notebook_kernel``'s client by hand) whose ``execute_under_rules``
runs one cell and stops the notebook, raising ``Stopped``, when

- the whole notebook has run past ``notebook_time_limit``;
- ``max_cell_timeouts`` cells have run past the cell ``timeout``;
- a cell ran past the timeout and the kernel did not answer once interrupted
  (a loop that swallows KeyboardInterrupt would cost every later cell a timeout);

(the cell ``timeout`` is the course's, or the assignment's own where
``assignment_timeouts`` names it: a Keras notebook imports TensorFlow and trains
in its cells, a numpy one should not need a tenth of that)

and lets nbclient's own errors through when the kernel died (``DeadKernelError``,
or ``CellTimeoutError`` once its messages stop coming).  A memory cap that
kills the kernel is one way of dying: the kernel manager says which
(``ConfinedKernelManager.exit_reason``).  ``outcome`` turns any of these into
the ``KernelOutcome`` of the grading record, in words for the student.  Each
rule is one configurable trait, read by both paths from the course's
configuration (``c.NotebookStopRules.<rule>``).
"""

from __future__ import annotations

import time

import nbformat
from jupyter_core.utils import run_sync
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from traitlets import Dict, Enum, Integer
from traitlets.config import Configurable

from course_kit.grading.record import KernelOutcome
from course_kit.grading.stopped import Stopped

IOPUB_TIMEOUT = NotebookClient.class_traits()["iopub_timeout"].default()  # nbclient's 4 s

# What nbgrader's Execute writes into a cell it had to interrupt (``error_on_timeout``).
TIMEOUT_ENAME = "CellTimeoutError"


def timed_out(cell: NotebookNode) -> bool:
    """The cell was interrupted at the cell timeout (nbgrader and nbclient leave this error in it)."""
    return any(o.get("ename") == TIMEOUT_ENAME for o in cell.get("outputs", []))


def kernel_responds(client: NotebookClient, seconds: int = 5) -> bool:
    """After an interrupt a healthy kernel answers at once; one stuck in a loop that swallows
    KeyboardInterrupt never does."""
    timeout = client.timeout
    client.timeout = seconds
    try:
        return client.wait_for_reply(client.kc.kernel_info()) is not None
    finally:
        client.timeout = timeout


def keep_reply_error(cell: NotebookNode, execute_reply: dict, **_: object) -> None:
    """Keep an error the kernel reported only in its reply (a timeout) as an output, as nbgrader's Execute
    does, so that ``timed_out`` sees it."""
    content = execute_reply["content"]
    if content["status"] == "error" and not any(o.get("ename") == content["ename"] for o in cell.outputs):
        cell.outputs.append(nbformat.v4.new_output("error", ename=content["ename"], evalue=content["evalue"],
                                                   traceback=content.get("traceback") or []))


class NotebookStopRules(Configurable):
    timeout = Integer(
        30, allow_none=True,
        help="Seconds one notebook cell may run before it is interrupted (nbgrader's Execute.timeout).",
    ).tag(config=True)
    notebook_time_limit = Integer(
        300, help="Wall-clock seconds for a whole notebook; cells past it are not run and its test cells score 0."
    ).tag(config=True)
    assignment_timeouts = Dict(
        value_trait=Integer(), default_value={},
        help="Assignment name -> its own cell timeout in seconds, in place of `timeout` for that assignment.",
    ).tag(config=True)
    max_cell_timeouts = Integer(
        3, help="Cells that may run past the cell timeout before the notebook is stopped (its test cells score 0)."
    ).tag(config=True)
    # nbclient's own trait, with another default: a graded kernel has nothing to save, so it is killed once
    # the graders are done (about 0.3 s sooner per notebook than asking it to exit and polling until it has),
    # and the notebook's atexit hooks get no run after grading.  Its bwrap killed by the grader is not a death
    # (``limits.exit_reason``).
    shutdown_kernel = Enum(
        ["graceful", "immediate"], default_value="immediate",
        help="How the kernel ends after the last grader call: killed at once, or asked to exit.",
    ).tag(config=True)

    cell_timeout: int | None = None  # this notebook's: set by start_rules

    def start_rules(self, assignment: str | None = None) -> None:
        """Start the clock of a notebook of ``assignment`` (None: unknown; the course's cell timeout applies)."""
        self.cell_timeout = self.assignment_timeouts.get(assignment or "", self.timeout)
        self.started = time.monotonic()
        self.current_cell = 0  # 0-based index of the cell run last: where a notebook that ends early ended
        self.timed_out_cells: list[int] = []  # 1-based
        self._deadline = self.started + self.notebook_time_limit

    def execute_under_rules(self, cell: NotebookNode, index: int) -> NotebookNode:
        """Run one cell (``execute_cell``); Stopped, DeadKernelError or CellTimeoutError when the notebook ends."""
        self.current_cell = index
        where = f"cell {index + 1} of {len(self.nb.cells)}"
        if time.monotonic() > self._deadline:
            raise Stopped(f"was stopped at {where}: the whole notebook ran past its {self.notebook_time_limit} s limit")
        cell = self.execute_cell(cell, index, store_history=True)
        if timed_out(cell):
            self.timed_out_cells.append(index + 1)
            if not kernel_responds(self):
                raise Stopped(f"was stopped at {where}: it ran past the cell timeout and did not stop when interrupted")
            if len(self.timed_out_cells) >= self.max_cell_timeouts:
                raise Stopped(f"was stopped at {where}: {len(self.timed_out_cells)} cells ran past the "
                              f"{self.cell_timeout} s cell timeout")
        return cell

    async def async_execute_cell(self, cell: NotebookNode, cell_index: int, execution_count: int | None = None,
                                 store_history: bool = True) -> NotebookNode:
        if self.cell_timeout:
            # After a cell's reply, nbclient waits ``iopub_timeout`` (4 s) for the rest of its outputs, and nbgrader's
            # Execute then calls the kernel dead.  A grader reading hundreds of MB of outputs on a busy machine
            # needs longer (the file-boundary flood, in CI): the outputs get as long as the cell itself had.
            self.iopub_timeout = max(self.cell_timeout, IOPUB_TIMEOUT)
        return await super().async_execute_cell(cell, cell_index, execution_count, store_history)  # type: ignore[misc]

    execute_cell = run_sync(async_execute_cell)  # nbclient binds its own at class level

    def _get_timeout(self, cell: NotebookNode | None) -> int | None:
        # A cell runs for its notebook's timeout.  It is kept apart from the ``timeout`` trait, which nbconvert's
        # preprocess() re-reads from the configuration, and which waits that are not a cell's still use.
        if cell is not None and self.cell_timeout:
            return self.cell_timeout
        return super()._get_timeout(cell)

    def outcome(self, error: BaseException | None, exit_reason: str | None = None) -> KernelOutcome:
        """The run's outcome after ``error`` (None: every cell ran); ``exit_reason``: the manager's word on a death."""
        cells = list(self.timed_out_cells)
        if error is None:
            return KernelOutcome("cells_timed_out" if cells else "finished", None, cells)
        if isinstance(error, Stopped):
            return KernelOutcome("stopped", error.why, cells)
        where = f"cell {self.current_cell + 1} of {len(self.nb.cells)}"
        if exit_reason:
            why = f"died while running {where}: {exit_reason}"
        elif isinstance(error, CellTimeoutError):  # nbclient gives up on a kernel whose output went silent
            why = f"stopped answering during {where} (its messages stopped coming)"
        else:
            why = f"died while running {where} (a crash such as os._exit or a segfault, or a resource limit)"
        return KernelOutcome("died", why, cells)


STOPS = (Stopped, DeadKernelError, CellTimeoutError)  # how a notebook run ends early
