"""`pytest graders/<assignment> --submission x.ipynb` grades one notebook without nbgrader."""

import subprocess
import sys

import pytest

from conftest import ASSIGNMENTS, REPO


def _grade_by_hand(assignment: str, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", f"graders/{assignment}", "-p", "no:cacheprovider", *extra],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_source_notebook_passes_every_check(assignment):
    run = _grade_by_hand(assignment)
    assert run.returncode == 0, run.stdout[-3000:]
    total = [line for line in run.stdout.splitlines() if line.startswith("total: ")]
    earned, _, possible = total[-1].removeprefix("total: ").partition(" / ")
    assert float(earned) == float(possible) > 0


def test_unanswered_release_scores_zero_with_reasons(tmp_path):
    assignment = ASSIGNMENTS[0]
    (release,) = (REPO / "release" / assignment).glob("*.ipynb")
    path = tmp_path / release.name
    path.write_bytes(release.read_bytes())
    run = _grade_by_hand(assignment, "--submission", str(path))
    assert run.returncode == 1
    assert "total: 0 / " in run.stdout
    assert "NotImplementedError" in run.stdout
