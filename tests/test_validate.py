"""`nbgrader validate`, the students' own check, passes on a correctly completed release notebook."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from conftest import ASSIGNMENTS, REPO
from course_kit.instructor.samples import build_submission, read_sample


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_completed_release_validates(assignment, tmp_path):
    release_dir = REPO / "release" / assignment
    (release,) = release_dir.glob("*.ipynb")
    (source,) = (REPO / "source" / assignment).glob("*.ipynb")
    shutil.copytree(release_dir, tmp_path / assignment)
    notebook = tmp_path / assignment / release.name
    nbformat.write(build_submission(release, source, read_sample(REPO / "samples" / assignment / "reference.py")),
                   notebook)
    bindir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bindir + os.pathsep + os.environ["PATH"], "TF_CPP_MIN_LOG_LEVEL": "3"}
    run = subprocess.run([str(Path(bindir) / "nbgrader"), "validate", str(notebook)], cwd=tmp_path,
                         capture_output=True, text=True, timeout=300, env=env)
    assert "Success! Your notebook passes all the tests." in run.stdout, run.stdout[-3000:] + run.stderr[-2000:]
