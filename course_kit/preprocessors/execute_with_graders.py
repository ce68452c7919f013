"""nbgrader's Execute, plus: run the pytest graders while the kernel is still up.

The notebook is executed exactly as stock nbgrader does.  After its last cell,
before the kernel is shut down, the assignment's graders (``graders/<assignment>/``)
run in this process and call the student's functions through ``StudentKernel``,
so grading costs no second execution of the notebook.  Their reports go into
``resources["grader_reports"]`` for ``WriteGraderScores``, and what the grader
saw of the run (``KernelRun``: the kernel's outcome, memory peak, timings, what
the notebook left behind) into ``resources["kernel_run"]`` for the grading
record (``WriteGradingRecord``).  An assignment without a graders folder is
executed and graded the ordinary nbgrader way.

While the notebook runs, every output is cut to ``max_output_chars`` and the
notebook's outputs together, widget (comm) messages included, to
``max_notebook_output_chars`` (``OutputBudget``), so no notebook can grow the
grader's memory without bound.

The graders' random hidden inputs are drawn for the student being graded (``HiddenSeeds``, keyed
by the course's secret: ``hidden_inputs_secret``, or the course folder's secret file), and the
seeds they used go into the grading record.

If the kernel dies (``os._exit``, a segfault, a resource limit) stock nbgrader
abandons the whole submission, and a notebook whose cells keep running past
the timeout costs a full timeout per remaining cell.  Here, for assignments
with graders, the stop rules (``course_kit.grading.executor``) end such a
notebook and every test cell reports what stopped it and scores 0: the student
learns what happened, the other students are graded, and the gradebook stays
complete.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from nbconvert.exporters.exporter import ResourcesDict
from nbformat import NotebookNode
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import Execute
from traitlets import Integer, Unicode

from course_kit.confinement import ConfinedKernelManager
from course_kit.confinement.warm_kernels import spare_for
from course_kit.grading import phase_times
from course_kit.grading.cells import autograded_tests
from course_kit.grading.executor import STOPS, NotebookStopRules, timed_out
from course_kit.grading.hidden_seeds import HiddenSeeds, course_secret
from course_kit.grading.notebook_kernel import CallsTouchNoCell, code_runner
from course_kit.grading.output_budget import MAX_NOTEBOOK_CHARS, MAX_OUTPUT_CHARS, BudgetedOutputs, OutputBudget
from course_kit.grading.record import KernelOutcome
from course_kit.grading.results import CellReport, CheckResult
from course_kit.grading.run_graders import run_graders
from course_kit.grading.student_kernel import StudentKernel


@dataclass
class KernelRun:
    """What the grader saw of one notebook's run, for the grading record."""

    outcome: KernelOutcome
    started: float  # time.monotonic() at the kernel's start
    execution_s: float
    graders_s: float = 0.0
    memory_peak_mb: float | None = None
    left_behind: list[str] = field(default_factory=list)
    outputs_cut: int = 0
    hidden_seeds: dict[str, str] = field(default_factory=dict)  # draw -> seed the graders used (hex)
    widget_messages_dropped: int = 0
    kernel_start_s: float | None = None  # the part of execution_s before the first cell (None: no cell ran)
    phases: dict[str, float] = field(default_factory=dict)  # named phases inside graders_s (``phase_times``)


class ExecuteWithGraders(CallsTouchNoCell, NotebookStopRules, BudgetedOutputs, Execute):
    graders_root = Unicode(
        "graders",
        help="Folder holding one pytest graders folder per assignment (relative to the working directory).",
    ).tag(config=True)
    call_timeout = Integer(
        20, help="Seconds one grader call into the student's kernel may take before it is interrupted."
    ).tag(config=True)
    max_output_chars = Integer(
        MAX_OUTPUT_CHARS,
        help="Longest output kept, per string, of any kind (text, HTML, images, an exception's message).",
    ).tag(config=True)
    hidden_inputs_secret = Unicode(
        "",
        help="The course's secret from which each student's random hidden inputs are drawn (any text, kept "
        "secret; changing it changes every student's inputs).  Empty: the course folder's .grading-secret file, "
        "made on first use (mode 0600).",
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
        # nbclient forgets its manager on cleanup; keep it to ask a confined kernel why it ended.  A spare kernel
        # (already started: nbclient then starts none) is owned and shut down by nbclient like a fresh one.
        spare = self._take_spare() if self._graders is not None else None
        self.km = spare or super().create_kernel_manager()
        self._manager = self.km
        return self._manager

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict, km=None):
        self._manager = km
        self._graders = self._graders_dir(resources)
        self._graders_s = 0.0
        self._seeds_used: dict[str, str] = {}
        self._executed_at: float | None = None
        self._first_cell_at: float | None = None
        self._phases: dict[str, float] = {}
        self.start_rules(resources.get("nbgrader", {}).get("assignment"))
        self.output_budget = OutputBudget(self.max_output_chars, self.max_notebook_output_chars)
        stop = None
        try:
            nb, resources = super().preprocess(nb, resources, km)
        except STOPS as error:  # the kernel is gone by now: its manager can say why it ended
            if self._graders is None:
                raise
            stop = error
        outcome = self.outcome(stop, getattr(self._manager, "last_exit_reason", None))
        if stop is not None:
            self.log.error("The kernel %s; every test cell scores 0", outcome.why)
            resources["grader_reports"] = _stopped_reports(nb, outcome)
        resources["kernel_run"] = KernelRun(
            outcome=outcome,
            started=self.started,
            execution_s=(self._executed_at or time.monotonic()) - self.started,
            graders_s=self._graders_s,
            memory_peak_mb=getattr(self._manager, "last_memory_peak_mb", None),
            left_behind=list(getattr(self._manager, "last_left_behind", [])),
            outputs_cut=self.output_budget.cut,
            hidden_seeds=self._seeds_used,
            widget_messages_dropped=self.output_budget.comms_dropped,
            kernel_start_s=None if self._first_cell_at is None else self._first_cell_at - self.started,
            phases=self._phases,
        )
        return nb, resources

    def _hidden_seeds(self, resources: ResourcesDict) -> HiddenSeeds:
        """The seeds of the student being graded; a hand run's fixed ones where nbgrader names no student."""
        names = resources.get("nbgrader", {})
        coursedir = CourseDirectory(config=self.config)
        assignment = str(names.get("assignment", ""))
        if not names.get("student"):
            return HiddenSeeds.hand_run(coursedir.course_id, assignment)
        key = course_secret(Path(coursedir.root), self.hidden_inputs_secret)
        return HiddenSeeds(key, coursedir.course_id, assignment, str(names["student"]))

    def _take_spare(self) -> ConfinedKernelManager | None:
        """The worker's spare kernel for this notebook (``warm_kernels``), already working in a copy of its folder;
        None when warm kernels are off or the spare does not fit.  Asked when nbclient wants a manager: only then
        do the traits (the manager's class) hold the configuration's values, not the constructor's."""
        arguments = list(self.extra_arguments)
        if self.ipython_hist_file and not any(a.startswith("--HistoryManager.hist_file") for a in arguments):
            arguments.append(f"--HistoryManager.hist_file={self.ipython_hist_file}")  # as nbclient's start adds
        kernel_name = self.kernel_name or self.nb.metadata.get("kernelspec", {}).get("name") or "python3"
        return spare_for(self.config, self.resources.get("nbgrader", {}).get("assignment", ""),
                         self.kernel_manager_class, kernel_name, arguments, Path(self.resources["metadata"]["path"]))

    def on_cell_executed(self, **kwargs):
        # nbgrader copies an error the kernel reported only in its reply into the cell: cut that too.
        reply = kwargs["execute_reply"]["content"]
        if reply.get("status") == "error":
            self.output_budget.admit({"msg_type": "error", "content": reply}, kwargs["cell"].outputs)
        return super().on_cell_executed(**kwargs)

    def preprocess_cell(self, cell: NotebookNode, resources: ResourcesDict, index: int):
        graders_dir = self._graders
        if graders_dir is None:  # stock nbgrader: every cell runs whatever happens
            cell, resources = super().preprocess_cell(cell, resources, index)
            if timed_out(cell):
                self.timed_out_cells.append(index + 1)
            return cell, resources
        self._check_assign_resources(resources)
        if self._first_cell_at is None:
            self._first_cell_at = time.monotonic()
        cell = self.execute_under_rules(cell, index)
        if index == len(self.nb.cells) - 1:
            self._executed_at = time.monotonic()
            # The kernel's own working folder is the one place it can surely read and write.
            runner = code_runner(self, timeout=self.call_timeout)
            workdir = getattr(self._manager, "kernel_cwd", None) or Path(resources["metadata"]["path"])
            student = StudentKernel(runner, scratch_parent=workdir)
            seeds = self._hidden_seeds(resources)
            phase_times.start()
            try:
                reports, log = run_graders(graders_dir, student, seeds)
            finally:
                student.close()
                self._seeds_used = dict(seeds.used)
                self._phases = phase_times.totals()
            self._graders_s = time.monotonic() - self._executed_at
            self.log.debug("pytest graders for %s:\n%s", graders_dir, log)
            resources["grader_reports"] = reports
        return cell, self.resources


def _stopped_reports(nb: NotebookNode, outcome: KernelOutcome) -> dict[str, CellReport]:
    message = (
        f"{outcome.sentence}, so nothing could be graded. Run your notebook top to bottom "
        "(Kernel > Restart & Run All) before submitting."
    )
    ids = [cell.metadata.nbgrader["grade_id"] for cell in autograded_tests(nb)]
    return {cell_id: CellReport(cell_id, [CheckResult("the notebook ran", 1, False, message)]) for cell_id in ids}
