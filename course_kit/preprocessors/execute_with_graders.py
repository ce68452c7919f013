"""nbgrader's Execute, plus: run the pytest graders while the kernel is still up.

The notebook is executed exactly as stock nbgrader does.  After its last cell,
before the kernel is shut down, the assignment's graders (``graders/<assignment>/``)
run in this process and call the student's functions through ``StudentKernel``,
so grading costs no second execution of the notebook.  Their reports go into
``resources["grader_reports"]`` for ``WriteGraderScores``.  An assignment
without a graders folder is executed and graded the ordinary nbgrader way.
"""

from __future__ import annotations

from pathlib import Path

from nbconvert.exporters.exporter import ResourcesDict
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Unicode

from course_kit.grading.notebook_kernel import code_runner
from course_kit.grading.run_graders import run_graders
from course_kit.grading.student_kernel import StudentKernel


class ExecuteWithGraders(Execute):
    graders_root = Unicode(
        "graders",
        help="Folder holding one pytest graders folder per assignment (relative to the working directory).",
    ).tag(config=True)

    def _graders_dir(self) -> Path | None:
        assignment = self.resources.get("nbgrader", {}).get("assignment")
        path = Path(self.graders_root) / str(assignment)
        return path if assignment and path.is_dir() else None

    def preprocess_cell(self, cell: NotebookNode, resources: ResourcesDict, index: int):
        cell, resources = super().preprocess_cell(cell, resources, index)
        graders_dir = self._graders_dir()
        if index == len(self.nb.cells) - 1 and graders_dir is not None:
            # The kernel's own working folder is the one place it can surely read and write.
            student = StudentKernel(code_runner(self), scratch_parent=Path(self.resources["metadata"]["path"]))
            try:
                reports, log = run_graders(graders_dir, student)
            finally:
                student.close()
            self.log.debug("pytest graders for %s:\n%s", graders_dir, log)
            self.resources["grader_reports"] = reports
        return cell, self.resources
