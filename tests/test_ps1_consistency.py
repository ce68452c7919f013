"""ps1's graders judge each function by the student's own: consistency grading, and a search that must search.

Each case is a small notebook (the release notebook with the reference answers, one answer replaced),
graded by the hidden graders run by hand (``pytest graders/ps1_naive_loss --submission``), no nbgrader.
The cases are the audit corpus's own variants (``graders/ps1_naive_loss/audit/``), so the two never drift:

* a sigmoid computed in float64 and rounded back (more accurate, dtype kept) moves the float32 and float16
  breakdowns; naive_bce and first_inf_logit, judged by that sigmoid, keep full marks (they lost 1.5
  points and more when judged by the textbook's arithmetic);
* exp(-logaddexp(0, -z)), a correct sigmoid, keeps full marks (the old bound refused it at z = -17);
* first_inf_logit as the closed form ceil(100 ln(2 / eps)) / 100 loses the search check, and so does a
  search for "loss > 30" (both kept nearly every point before).
"""

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from conftest import REPO
from course_kit.instructor.audit import read_variant
from course_kit.instructor.samples import Sample, build_submission

ASSIGNMENT = "ps1_naive_loss"

CORPUS = REPO / "graders" / ASSIGNMENT / "audit"  # the audit's variants: one copy of each case, graded twice


def variant(name: str) -> Sample:
    """The audit corpus's variant ``name`` (graders/ps1_naive_loss/audit/<name>.py) as a sample."""
    return read_variant(CORPUS / f"{name}.py").sample


def grade(tmp_path: Path, sample: Sample) -> tuple[dict[str, tuple[float, float]], str]:
    """cell id -> (score, points), and pytest's output, for the reference notebook with ``sample``'s cells."""
    (release,) = (REPO / "release" / ASSIGNMENT).glob("*.ipynb")
    (original,) = (REPO / "source" / ASSIGNMENT).glob("*.ipynb")
    nb = build_submission(release, original, sample)
    path = tmp_path / release.name
    nbformat.write(nb, path)
    run = subprocess.run([sys.executable, "-m", "pytest", f"graders/{ASSIGNMENT}", "-p", "no:cacheprovider",
                          "--submission", str(path)], cwd=REPO, capture_output=True, text=True, timeout=600)
    scores = {m[1]: (float(m[2]), float(m[3])) for m in re.finditer(r"^(test_\w+): ([\d.]+) / ([\d.]+)$",
                                                                       run.stdout, re.M)}
    assert scores, run.stdout[-3000:] + run.stderr[-2000:]
    return scores, run.stdout


@pytest.mark.parametrize("name", ["sigmoid_float64_rounded", "sigmoid_logaddexp"],
                         ids=["float64 rounded back", "exp(-logaddexp(0, -z))"])
def test_a_correct_sigmoid_written_otherwise_keeps_full_marks_everywhere(tmp_path, name):
    scores, out = grade(tmp_path, variant(name))
    assert all(score == points for score, points in scores.values()), out[-4000:]


@pytest.mark.parametrize("name, returned",
                         [("fil_closed_form", "returned 36.74"), ("fil_loss_above_30", "returned 0,")],
                         ids=["closed form", "loss > 30"])
def test_a_first_inf_logit_that_does_not_search_for_inf_loses_the_search_check(tmp_path, name, returned):
    scores, out = grade(tmp_path, variant(name))
    score, points = scores["test_first_inf_logit"]
    assert score < points, out[-4000:]
    assert "FAILED graders/ps1_naive_loss/test_first_inf_logit.py::test_search_calls_naive_bce" in out
    assert f"a stand-in naive_bce that is inf from z = 3.21 on {returned}" in out
    # The stand-in is gone after the call: the notebook's own naive_bce is graded as it is.
    assert scores["test_naive_bce"] == (3.0, 3.0) and scores["test_sigmoid"] == (2.0, 2.0)
