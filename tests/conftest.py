"""Fixtures for the kit's own tests: a real course directory graded by real nbgrader.

``graded(assignment)`` submits every sample (``samples/<assignment>/``) and
every hostile or broken submission (``tests/corpus/<assignment>/``) as a
student of the same name, through the exchange; then collects and autogrades
them once per session and returns what the gradebook and the autograded
notebooks say.  (The source notebook itself is graded by hand in
test_grader_cli; ``reference`` is its solutions in the student version.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from course_kit.instructor import CellResult, ClassRun, copy_course
from course_kit.samples import Sample, build_submission, read_sample

REPO = Path(__file__).resolve().parents[1]
ASSIGNMENTS = sorted(p.name for p in (REPO / "source").iterdir() if p.is_dir())


@dataclass
class Result:
    sample: Sample | None
    success: bool
    total: float = 0.0
    max_total: float = 0.0
    cells: dict[str, CellResult] = field(default_factory=dict)
    log: str = ""

    def score(self, cell_id: str) -> float:
        return self.cells[cell_id].score


def submissions_of(assignment: str) -> list[tuple[Path, Path]]:
    """(sample file, folder its `# inherits:` names are looked up in)."""
    library = REPO / "samples" / assignment
    corpus = REPO / "tests" / "corpus" / assignment
    files = sorted(library.glob("*.py")) + sorted(corpus.glob("*.py"))
    return [(path, library) for path in files]


# Short timeouts, so that the endless-loop and sleeping faults cost seconds rather than minutes.
TEST_TIMEOUTS = """
c.ExecuteWithGraders.timeout = 10
c.ExecuteWithGraders.call_timeout = 5
"""


@pytest.fixture(scope="session")
def course(tmp_path_factory: pytest.TempPathFactory) -> ClassRun:
    course_dir = copy_course(REPO, tmp_path_factory.mktemp("course") / "course")
    with (course_dir / "nbgrader_config.py").open("a") as config:
        config.write(TEST_TIMEOUTS)
    return ClassRun(course_dir)


@pytest.fixture(scope="session")
def graded(course: ClassRun) -> Callable[[str], dict[str, Result]]:
    cache: dict[str, dict[str, Result]] = {}

    def grade(assignment: str) -> dict[str, Result]:
        if assignment not in cache:
            cache[assignment] = _grade_everyone(course, assignment)
        return cache[assignment]

    return grade


def _grade_everyone(course: ClassRun, assignment: str) -> dict[str, Result]:
    course.release(assignment)
    release, source = course.release_notebook(assignment), course.source_notebook(assignment)
    samples: dict[str, Sample] = {}
    for path, library in submissions_of(assignment):
        sample = read_sample(path, library)
        samples[sample.name] = sample
        course.submit(sample.name, assignment, {release.name: build_submission(release, source, sample)})
    course.collect(assignment)
    results = {}
    for student, sample in samples.items():
        outcome = course.autograde(assignment, student)
        result = Result(sample, outcome["success"], log=outcome.get("log", ""))
        if result.success:
            result.total, result.max_total = course.score(assignment, student)
            result.cells = {c.grade_id: c for c in course.cell_results(assignment, student)}
        results[student] = result
    return results
