"""A second course, two functions big, graded end to end by the same engine: course_kit knows no course.

tests/toy_course/ was added by following docs/adding_an_assignment.md: a source notebook with
nbgrader cell metadata, graders named after its test cells, a config that is one call to the kit
and the course's own limits, and samples that say what they should score.  Here real
``nbgrader generate_assignment`` and ``nbgrader autograde`` grade its samples, and the hand-run
grader (``pytest graders/<assignment>``) grades its source notebook.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from conftest import FULL, REPO, expected_scores
from course_kit.instructor.samples import build_submission, read_sample

TOY = REPO / "tests" / "toy_course"
ASSIGNMENT = "squares"
NO_BWRAP = shutil.which("bwrap") is None  # then the toy's own code runs unconfined: nothing of it is hostile


def _nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env, capture_output=True,
                          text=True, timeout=300)


def _report(notebook: Path, cell_id: str) -> str:
    cells = nbformat.read(notebook, as_version=4).cells
    (cell,) = [c for c in cells if c.metadata.get("nbgrader", {}).get("grade_id") == cell_id]
    return "\n".join(str(o.get("text", "")) for o in cell.get("outputs", []))


@pytest.fixture(scope="module")
def toy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the toy course with every sample submitted and autograded."""
    course = tmp_path_factory.mktemp("toy") / "toy_course"
    shutil.copytree(TOY, course)
    if NO_BWRAP:
        with (course / "nbgrader_config.py").open("a") as config:
            config.write("\nc.ConfinedKernelManager.allow_unconfined = True\n")
    released = _nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    assert released.returncode == 0, released.stderr
    (release,) = (course / "release" / ASSIGNMENT).glob("*.ipynb")
    (source,) = (course / "source" / ASSIGNMENT).glob("*.ipynb")
    for path in sorted((course / "samples" / ASSIGNMENT).glob("*.py")):
        folder = course / "submitted" / path.stem / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(build_submission(release, source, read_sample(path)), folder / release.name)
    graded = _nbgrader(course, "autograde", ASSIGNMENT)
    assert graded.returncode == 0, graded.stderr[-3000:]
    return course


def _scores(course: Path, student: str) -> dict[str, tuple[float, float]]:
    """grade cell -> (score, maximum) in the gradebook."""
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "toy") as gradebook:
        notebook = gradebook.find_submission_notebook(ASSIGNMENT.replace("/", ""), ASSIGNMENT, student)
        return {g.name: (g.score, g.max_score) for g in notebook.grades}


def test_the_reference_scores_full_marks(toy):
    scores = _scores(toy, "reference")
    assert scores == {"test_square": (2.0, 2.0), "test_cube": (1.0, 1.0)}


@pytest.mark.parametrize("sample", [p.stem for p in sorted((TOY / "samples" / ASSIGNMENT).glob("*.py"))
                                    if p.stem != "reference"])
def test_a_wrong_sample_scores_what_it_deserves(toy, sample):
    expected = expected_scores(TOY / "samples" / ASSIGNMENT / f"{sample}.py")
    assert expected, f"{sample} says nothing about its scores"
    scores = _scores(toy, sample)
    (notebook,) = (toy / "autograded" / sample / ASSIGNMENT).glob("*.ipynb")
    for cell, (points, phrase) in expected.items():
        score, maximum = scores[cell]
        assert score == pytest.approx(maximum if points == FULL else points, abs=0.005), (cell, scores)
        assert phrase in _report(notebook, cell), _report(notebook, cell)


def test_the_wrong_cube_loses_the_weighted_share_of_its_cell(toy):
    """cube_loses_the_sign passes 1 of the 3 + 1 weights of test_cube: 0.25 of its 1 point, with the check named."""
    scores = _scores(toy, "cube_loses_the_sign")
    assert scores["test_cube"] == (0.25, 1.0) and scores["test_square"] == (2.0, 2.0)
    (notebook,) = (toy / "autograded" / "cube_loses_the_sign" / ASSIGNMENT).glob("*.ipynb")
    report = _report(notebook, "test_cube")
    assert "FAILED  cube keeps the sign: cube(-2) is -8" in report and "passed  cube(0) is 0" in report, report


def test_the_hand_run_grader_grades_the_toy_source_notebook():
    """`pytest graders/<assignment>` finds the toy course's own source notebook, not the kit's course."""
    command = [sys.executable, "-m", "pytest", str(TOY / "graders" / ASSIGNMENT), "-q", "-p", "no:cacheprovider",
               "--import-mode=importlib", f"--rootdir={TOY}"]
    if NO_BWRAP:
        command.append("--allow-unconfined")
    run = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:]
    assert "test_square: 2 / 2" in run.stdout and "test_cube: 1 / 1" in run.stdout and "total: 3 / 3" in run.stdout
