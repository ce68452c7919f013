"""nbgrader's Execute, plus: run the pytest graders while the kernel is still up.

The notebook is executed exactly as stock nbgrader does.  After its last cell,
before the kernel is shut down, the assignment's graders (``graders/<assignment>/``)
run in this process and call the student's functions through ``StudentKernel``,
so grading costs no second execution of the notebook.  Their reports go into
``resources["grader_reports"]`` for ``WriteGraderScores``.  An assignment
without a graders folder is executed and graded the ordinary nbgrader way.

If the kernel dies (``os._exit``, a segfault, the memory limit) stock
nbgrader abandons the whole submission, and a kernel stuck in a loop that
swallows interrupts costs a full cell timeout for every remaining cell.  Here,
for assignments with graders, the notebook gets a total time limit, and in
both cases every test cell reports what stopped the notebook and scores 0:
the student learns what happened and the gradebook stays complete.
"""

from __future__ import annotations

import time
from pathlib import Path

from nbclient.exceptions import DeadKernelError
from nbconvert.exporters.exporter import ResourcesDict
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Integer, Unicode

from course_kit.grading.cells import autograded_tests
from course_kit.grading.notebook_kernel import code_runner
from course_kit.grading.results import CellReport, CheckResult
from course_kit.grading.run_graders import run_graders
from course_kit.grading.student_kernel import StudentKernel


class ExecuteWithGraders(Execute):
    graders_root = Unicode(
        "graders",
        help="Folder holding one pytest graders folder per assignment (relative to the working directory).",
    ).tag(config=True)
    call_timeout = Integer(
        20, help="Seconds one grader call into the student's kernel may take before it is interrupted."
    ).tag(config=True)
    notebook_time_limit = Integer(
        900, help="Wall-clock seconds for a whole notebook; cells past it are not run and its test cells score 0."
    ).tag(config=True)

    def _graders_dir(self, resources: ResourcesDict) -> Path | None:
        assignment = resources.get("nbgrader", {}).get("assignment")
        path = Path(self.graders_root) / str(assignment)
        return path if assignment and path.is_dir() else None

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict, km=None):
        self._cell_index = -1
        self._deadline = time.monotonic() + self.notebook_time_limit
        try:
            return super().preprocess(nb, resources, km)
        except (DeadKernelError, _OutOfTime) as stop:
            if self._graders_dir(resources) is None:
                raise
            where = f"cell {self._cell_index + 1} of {len(nb.cells)}"
            if isinstance(stop, _OutOfTime):
                why = f"ran past the {self.notebook_time_limit} s limit for a whole notebook at {where}"
            else:
                why = (f"died while running {where} (a crash such as os._exit or a segfault, "
                       "or the memory or CPU limit)")
            self.log.error("The kernel %s; every test cell scores 0", why)
            resources["grader_reports"] = _stopped_reports(nb, why)
            return nb, resources

    def preprocess_cell(self, cell: NotebookNode, resources: ResourcesDict, index: int):
        self._cell_index = index
        if time.monotonic() > self._deadline and self._graders_dir(resources) is not None:
            raise _OutOfTime()
        cell, resources = super().preprocess_cell(cell, resources, index)
        graders_dir = self._graders_dir(resources)
        if index == len(self.nb.cells) - 1 and graders_dir is not None:
            # The kernel's own working folder is the one place it can surely read and write.
            runner = code_runner(self, timeout=self.call_timeout)
            student = StudentKernel(runner, scratch_parent=Path(resources["metadata"]["path"]))
            try:
                reports, log = run_graders(graders_dir, student)
            finally:
                student.close()
            self.log.debug("pytest graders for %s:\n%s", graders_dir, log)
            resources["grader_reports"] = reports
        return cell, resources


class _OutOfTime(Exception):
    pass


def _stopped_reports(nb: NotebookNode, why: str) -> dict[str, CellReport]:
    message = (
        f"The notebook's kernel {why}, so nothing could be graded. Run your notebook top to bottom "
        "(Kernel > Restart & Run All) before submitting."
    )
    ids = [cell.metadata.nbgrader["grade_id"] for cell in autograded_tests(nb)]
    return {cell_id: CellReport(cell_id, [CheckResult("the notebook ran", 1, False, message)]) for cell_id in ids}
