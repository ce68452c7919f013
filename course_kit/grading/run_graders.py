"""Run an assignment's pytest graders in-process against a live submission kernel."""

from __future__ import annotations

import io
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from course_kit.grading.hidden_seeds import HiddenSeeds
from course_kit.grading.pytest_plugin import HIDDEN_SEEDS, LIVE_STUDENT
from course_kit.grading.results import CellReport, ResultCollector
from course_kit.grading.student_kernel import StudentKernel


class _LiveStudent:
    """Hands the kernel that nbgrader is holding open to the ``student`` fixture, and the graded student's seeds
    to ``hidden_seeds``."""

    def __init__(self, student: StudentKernel, seeds: HiddenSeeds | None) -> None:
        self._student = student
        self._seeds = seeds

    def pytest_configure(self, config: pytest.Config) -> None:
        config.stash[LIVE_STUDENT] = self._student
        if self._seeds is not None:
            config.stash[HIDDEN_SEEDS] = self._seeds


def run_graders(
    graders_dir: Path, student: StudentKernel, seeds: HiddenSeeds | None = None,
) -> tuple[dict[str, CellReport], str]:
    """Returns each test cell's report and pytest's own terminal output (for the instructor's log).

    ``seeds``: the graded student's seeds for the random hidden inputs (None: a hand run's fixed ones); the
    ones the graders drew from are in ``seeds.used`` afterwards."""
    collector = ResultCollector()
    args = [
        str(graders_dir),
        f"--rootdir={graders_dir.parent}",
        "--import-mode=importlib",  # the same module name may appear in several assignments
        "-p", "no:cacheprovider",  # never write into graders/
        # pytest's unraisableexception plugin ends every session with gc.collect(), twice: a full collection of
        # the whole grading process (nbgrader, numpy, matplotlib, the reference cache: 0.15 s each on 2 cores),
        # per notebook, to report exceptions raised in __del__, which no grader check looks at.
        "-p", "no:unraisableexception",
        "-o", "addopts=",
        "-s",
        "-q",
        # The log's tracebacks as Python prints them: pytest's own styles (long, short) parse the source file of
        # every frame with ast, ~35 ms per failed check (1.1 s of a naive ps2 submission's 31), for a log that
        # only the instructor reads at debug level.  The student's messages come from the exceptions themselves.
        "--tb=native",
    ]
    terminal = io.StringIO()
    with redirect_stdout(terminal):
        exit_code = pytest.main(args, plugins=[_LiveStudent(student, seeds), collector])
    if exit_code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        raise RuntimeError(
            f"pytest could not run the graders in {graders_dir} (exit {exit_code}):\n{terminal.getvalue()}"
        )
    return collector.cells, terminal.getvalue()
