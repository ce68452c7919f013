"""The graders' pytest plugin: the ``student`` fixture is their only seam to a submission.

Under ``nbgrader autograde``, ``ExecuteWithGraders`` runs pytest in-process and
puts the live ``StudentKernel`` in ``config.stash[LIVE_STUDENT]``.  Run by hand,

    pytest graders/ps2_stable_loss --submission path/to/stable_loss.ipynb

executes that notebook in a fresh, confined kernel first (a copy of its folder,
the course hidden; ``--allow-unconfined`` is the opt-out where bubblewrap is
missing); without ``--submission`` it grades the assignment's source notebook,
i.e. the reference solution.  Either
way the run ends with each test cell's score.

Random hidden inputs are drawn per student: ``hidden_seed`` is the seed of the requesting grader
module for the student being graded (``hidden_rng`` a fresh generator from it, ``hidden_seeds``
the seeds of the whole grading, for a draw shared by several modules), from the course's secret
(``course_kit.grading.hidden_seeds``).  Under autograde ``ExecuteWithGraders`` knows the student
and puts their seeds in ``config.stash[HIDDEN_SEEDS]``; run by hand the seeds are fixed and
public, or the seeds of ``--student ID`` (the course's secret is read, or made, in the course folder).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import nbformat
import numpy as np
import pytest

from course_kit.config import course_settings
from course_kit.grading.cells import autograded_tests
from course_kit.grading.hidden_seeds import HiddenSeeds, course_secret
from course_kit.grading.notebook_kernel import executed_notebook
from course_kit.grading.results import ResultCollector
from course_kit.grading.student_kernel import StudentKernel

LIVE_STUDENT = pytest.StashKey[StudentKernel]()
HIDDEN_SEEDS = pytest.StashKey[HiddenSeeds]()


def course_root(assignment_graders: Path) -> Path:
    """The course folder of an assignment's graders folder: every course keeps them in <root>/graders/<assignment>/."""
    return assignment_graders.resolve().parents[1]


def source_notebook(root: Path, assignment: str) -> Path:
    notebooks = sorted((root / "source" / assignment).glob("*.ipynb"))
    if len(notebooks) != 1:
        raise pytest.UsageError(f"expected one notebook in source/{assignment}, found {len(notebooks)}")
    return notebooks[0]


def cell_points(notebook: Path) -> dict[str, float]:
    """grade_id -> points of the autograded test cells of a notebook."""
    cells = autograded_tests(nbformat.read(notebook, as_version=4))
    return {cell.metadata.nbgrader["grade_id"]: float(cell.metadata.nbgrader["points"]) for cell in cells}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("course_kit", "course kit graders")
    group.addoption("--submission", type=Path, help="notebook to grade (default: the source notebook)")
    group.addoption("--cell-timeout", type=int, help="seconds per notebook cell and per call (default: the course's)")
    group.addoption(
        "--student",
        help="draw the random hidden inputs as autograde does for this student id (default: fixed public seeds)",
    )
    group.addoption(
        "--allow-unconfined", action="store_true",
        help="DANGEROUS: run the notebook without bubblewrap where it is unavailable (it can then read the graders)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "weight(w): share of the cell's points (default 1; 0 = report only)")
    # run_graders brings its own collector; a run by hand gets one here.
    if not any(isinstance(p, ResultCollector) for p in config.pluginmanager.get_plugins()):
        config.pluginmanager.register(ResultCollector(), "course_kit_results")


class _NotebookKernels:
    """Kernels started for hand-run grading, one per notebook, closed at session end."""

    def __init__(self) -> None:
        self._stack = ExitStack()
        self._kernels: dict[Path, StudentKernel] = {}

    def get(self, notebook: Path, root: Path, assignment: str, timeout: int | None,
            allow_unconfined: bool) -> StudentKernel:
        if notebook not in self._kernels:
            run = executed_notebook(notebook, course_settings(root), timeout, allow_unconfined, assignment)
            self._kernels[notebook] = self._stack.enter_context(run)
        return self._kernels[notebook]

    def close(self) -> None:
        self._stack.close()


@pytest.fixture(scope="session")
def _notebook_kernels() -> Iterator[_NotebookKernels]:
    kernels = _NotebookKernels()
    yield kernels
    kernels.close()


@pytest.fixture
def student(request: pytest.FixtureRequest, _notebook_kernels: _NotebookKernels) -> StudentKernel:
    live = request.config.stash.get(LIVE_STUDENT, None)
    if live is not None:
        return live
    graders = Path(str(request.node.path)).parent
    root = course_root(graders)
    notebook = request.config.getoption("--submission") or source_notebook(root, graders.name)
    options = request.config.getoption
    return _notebook_kernels.get(
        Path(notebook).resolve(), root, graders.name, options("--cell-timeout"), options("--allow-unconfined")
    )


@pytest.fixture(scope="module")
def hidden_seeds(request: pytest.FixtureRequest) -> HiddenSeeds:
    """The seeds of this grading: the graded student's under autograde; run by hand, fixed (or ``--student``'s)."""
    live = request.config.stash.get(HIDDEN_SEEDS, None)
    if live is not None:
        return live
    graders = Path(str(request.node.path)).parent
    root = course_root(graders)
    settings = course_settings(root)
    course = settings.CourseDirectory.get("course_id", "")
    student = request.config.getoption("--student")
    if not student:
        return HiddenSeeds.hand_run(course, graders.name)
    key = course_secret(root, settings.ExecuteWithGraders.get("hidden_inputs_secret", ""))
    return HiddenSeeds(key, course, graders.name, student)


@pytest.fixture(scope="module")
def hidden_seed(request: pytest.FixtureRequest, hidden_seeds: HiddenSeeds) -> int:
    """The seed of the requesting grader module's random hidden inputs, for the student being graded."""
    return hidden_seeds.seed(Path(str(request.node.path)).stem)


@pytest.fixture
def hidden_rng(hidden_seed: int) -> np.random.Generator:
    """A fresh generator seeded with ``hidden_seed``: each check that asks gets the same stream."""
    return np.random.default_rng(hidden_seed)


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    if config.stash.get(LIVE_STUDENT, None) is not None:
        return
    collector = config.pluginmanager.get_plugin("course_kit_results")
    if collector is None or not collector.cells:
        return
    points: dict[str, float] = {}
    for graders in {Path(str(a)).resolve() for a in config.args}:
        if (course_root(graders) / "source" / graders.name).is_dir():
            points.update(cell_points(source_notebook(course_root(graders), graders.name)))
    terminalreporter.section("scores per test cell")
    total = earned = 0.0
    for cell_id, report in collector.cells.items():
        possible = points.get(cell_id, 1.0)
        total += possible
        earned += report.score(possible)
        terminalreporter.write_line(f"{cell_id}: {report.score(possible):g} / {possible:g}")
    terminalreporter.write_line(f"total: {earned:g} / {total:g}")
