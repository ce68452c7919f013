"""nbgrader's Execute, plus: run the pytest graders while the kernel is still up.

The notebook is executed exactly as stock nbgrader does.  After its last cell,
before the kernel is shut down, the assignment's graders (``graders/<assignment>/``)
run in this process and call the student's functions through ``StudentKernel``,
so grading costs no second execution of the notebook.  Their reports go into
``resources["grader_reports"]`` for ``WriteGraderScores``.  An assignment
without a graders folder is executed and graded the ordinary nbgrader way.

While the notebook runs, every output is cut to ``max_output_chars`` and the
notebook's outputs together to ``max_notebook_output_chars`` (``OutputBudget``),
so no notebook can grow the grader's memory without bound.  After the kernel
is gone, the notebook's metadata ``course_kit`` records what the grader saw
(``left_behind``: links, FIFOs or devices the notebook planted in its working
folder, ignored but worth the instructor's look); it is always rewritten, so a
submission cannot plant it.

If the kernel dies (``os._exit``, a segfault, a resource limit) stock nbgrader
abandons the whole submission, and a notebook whose cells keep running past
the timeout costs a full timeout per remaining cell.  Here, for assignments
with graders, such a notebook is stopped (after a few timeouts, a kernel that
ignores interrupts, or a total time limit) and every test cell reports what
stopped it and scores 0: the student learns what happened, the other students
are graded, and the gradebook stays complete.
"""

from __future__ import annotations

import time
from pathlib import Path

from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbconvert.exporters.exporter import ResourcesDict
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Integer, Unicode

from course_kit.grading.cells import autograded_tests
from course_kit.grading.notebook_kernel import code_runner, timed_out, why_stop_after
from course_kit.grading.output_budget import MAX_NOTEBOOK_CHARS, MAX_OUTPUT_CHARS, BudgetedOutputs, OutputBudget
from course_kit.grading.results import CellReport, CheckResult
from course_kit.grading.run_graders import run_graders
from course_kit.grading.student_kernel import StudentKernel


class ExecuteWithGraders(BudgetedOutputs, Execute):
    graders_root = Unicode(
        "graders",
        help="Folder holding one pytest graders folder per assignment (relative to the working directory).",
    ).tag(config=True)
    call_timeout = Integer(
        20, help="Seconds one grader call into the student's kernel may take before it is interrupted."
    ).tag(config=True)
    notebook_time_limit = Integer(
        300, help="Wall-clock seconds for a whole notebook; cells past it are not run and its test cells score 0."
    ).tag(config=True)
    max_cell_timeouts = Integer(
        3, help="Cells that may run past the cell timeout before the notebook is stopped (its test cells score 0)."
    ).tag(config=True)
    max_output_chars = Integer(
        MAX_OUTPUT_CHARS,
        help="Longest output kept, per string, of any kind (text, HTML, images, an exception's message).",
    ).tag(config=True)
    max_notebook_output_chars = Integer(
        MAX_NOTEBOOK_CHARS,
        help="Outputs of the whole notebook, in characters; past it each later output is a short note.",
    ).tag(config=True)

    def _graders_dir(self, resources: ResourcesDict) -> Path | None:
        assignment = resources.get("nbgrader", {}).get("assignment")
        path = Path(self.graders_root) / str(assignment)
        return path if assignment and path.is_dir() else None

    def create_kernel_manager(self):
        # nbclient forgets its manager on cleanup; keep it to ask a confined kernel why it ended.
        self._manager = super().create_kernel_manager()
        return self._manager

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict, km=None):
        self._manager = km
        self._graders = self._graders_dir(resources)
        self._cell_index = -1
        self._timeouts = 0
        self._deadline = time.monotonic() + self.notebook_time_limit
        self.output_budget = OutputBudget(self.max_output_chars, self.max_notebook_output_chars)
        nb.metadata.pop(RECORD_KEY, None)  # only the grader writes it
        try:
            nb, resources = super().preprocess(nb, resources, km)
        except (DeadKernelError, CellTimeoutError, _Stopped) as stop:
            if self._graders is None:
                raise
            self._record(nb)
            where = f"cell {self._cell_index + 1} of {len(nb.cells)}"
            cause = getattr(self._manager, "last_exit_reason", None)  # a confined kernel knows why it ended
            if isinstance(stop, _Stopped):
                why = f"was stopped at {where}: {stop}"
            elif cause:
                why = f"died while running {where}: {cause}"
            elif isinstance(stop, CellTimeoutError):  # nbclient gives up on a kernel whose output went silent
                why = f"stopped answering during {where} (its messages stopped coming)"
            else:
                why = f"died while running {where} (a crash such as os._exit or a segfault, or a resource limit)"
            self.log.error("The kernel %s; every test cell scores 0", why)
            resources["grader_reports"] = _stopped_reports(nb, why)
            return nb, resources
        self._record(nb)
        return nb, resources

    def _record(self, nb: NotebookNode) -> None:
        """What the grader saw of this run, for the instructor's tools (see the module docstring)."""
        nb.metadata[RECORD_KEY] = {
            "left_behind": list(getattr(self._manager, "last_left_behind", [])),
            "outputs_cut": self.output_budget.cut,
        }

    def on_cell_executed(self, **kwargs):
        # nbgrader copies an error the kernel reported only in its reply into the cell: cut that too.
        reply = kwargs["execute_reply"]["content"]
        if reply.get("status") == "error":
            self.output_budget.admit({"msg_type": "error", "content": reply}, kwargs["cell"].outputs)
        return super().on_cell_executed(**kwargs)

    def preprocess_cell(self, cell: NotebookNode, resources: ResourcesDict, index: int):
        self._cell_index = index
        graders_dir = self._graders
        if graders_dir is not None and time.monotonic() > self._deadline:
            raise _Stopped(f"the whole notebook ran past its {self.notebook_time_limit} s limit")
        cell, resources = super().preprocess_cell(cell, resources, index)
        if graders_dir is not None and timed_out(cell):
            self._timeouts += 1
            why = why_stop_after(cell, self, self._timeouts, self.max_cell_timeouts)
            if why:
                raise _Stopped(why)
        if index == len(self.nb.cells) - 1 and graders_dir is not None:
            # The kernel's own working folder is the one place it can surely read and write.
            runner = code_runner(self, timeout=self.call_timeout)
            workdir = getattr(self._manager, "kernel_cwd", None) or Path(resources["metadata"]["path"])
            student = StudentKernel(runner, scratch_parent=workdir)
            try:
                reports, log = run_graders(graders_dir, student)
            finally:
                student.close()
            self.log.debug("pytest graders for %s:\n%s", graders_dir, log)
            resources["grader_reports"] = reports
        return cell, resources


RECORD_KEY = "course_kit"  # the graded notebook's metadata key for what the grader saw
STOPPED = "The notebook's kernel"  # how every test cell's report begins when the notebook could not finish


class _Stopped(Exception):
    """The notebook cannot go on; the message says why, in words for the student."""


def _stopped_reports(nb: NotebookNode, why: str) -> dict[str, CellReport]:
    message = (
        f"{STOPPED} {why}, so nothing could be graded. Run your notebook top to bottom "
        "(Kernel > Restart & Run All) before submitting."
    )
    ids = [cell.metadata.nbgrader["grade_id"] for cell in autograded_tests(nb)]
    return {cell_id: CellReport(cell_id, [CheckResult("the notebook ran", 1, False, message)]) for cell_id in ids}
