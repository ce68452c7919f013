"""Several graders can share one PostgreSQL gradebook: the demo class graded through a real server scores as in SQLite.

The server is PostgreSQL itself, a throwaway cluster started for this module (``postgres_server``).
The demo (``python -m course_kit.instructor.demo``, what ``make demo`` runs) grades ps1's sample class with
``GRADEBOOK_URL`` pointing at it; the session's own SQLite run of the same samples (``graded``)
is the reference, so no notebook is graded twice in SQLite.  Every cell's score, every total and
the exported grades.csv must agree exactly.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from nbgrader.api import Gradebook
from postgres_server import PostgresServer, postgres_server, unavailable
from traitlets.config import PyFileConfigLoader

from conftest import REPO
from course_kit.confinement import ConfinedKernelManager
from course_kit.confinement.sandbox import filter_env

ASSIGNMENT = "ps1_naive_loss"
COURSE_ID = "from_logits"
SAMPLES = sorted(p.stem for p in (REPO / "samples" / ASSIGNMENT).glob("*.py"))


def course_db_url() -> str:
    """The gradebook URL the shipped course configuration resolves to (in this environment)."""
    return PyFileConfigLoader("nbgrader_config.py", path=str(REPO)).load_config().CourseDirectory.db_url


def test_sqlite_in_the_course_root_stays_the_default_and_gradebook_url_overrides_it(monkeypatch):
    monkeypatch.delenv("GRADEBOOK_URL", raising=False)
    assert course_db_url() == f"sqlite:///{REPO / 'gradebook.db'}"
    shared = "postgresql://grader@db.example.edu/from_logits"
    monkeypatch.setenv("GRADEBOOK_URL", shared)
    assert course_db_url() == shared


def test_the_gradebook_url_never_reaches_a_student_kernel():
    """It may carry a password; the sandbox passes on only the variables it names."""
    secret = {"GRADEBOOK_URL": "postgresql://grader:secret@db.example.edu/from_logits"}
    assert filter_env(secret, ConfinedKernelManager.class_traits()["env_passthrough"].default()) == {}


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    why_not = unavailable()
    if why_not:
        pytest.skip(why_not)
    with postgres_server() as server:
        yield server


def test_the_demo_class_graded_through_postgresql_scores_as_through_sqlite(graded, postgres, tmp_path):
    in_sqlite = graded(ASSIGNMENT)
    course = tmp_path / "demo-course"
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "GRADEBOOK_URL": postgres.url, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    demo = subprocess.run([sys.executable, "-m", "course_kit.instructor.demo", "--course-dir", str(course),
                           "--assignment", ASSIGNMENT], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=900)
    assert demo.returncode == 0, f"the demo failed through PostgreSQL:\n{demo.stdout}\n{demo.stderr}"
    assert not (course / "gradebook.db").exists(), "the demo wrote an SQLite gradebook instead"

    with Gradebook(postgres.url, COURSE_ID) as gradebook:
        in_postgres = {
            s.student_id: (s.score, s.max_score, {g.name: g.score for n in s.notebooks for g in n.grades})
            for s in gradebook.find_assignment(ASSIGNMENT).submissions
        }
    assert sorted(in_postgres) == SAMPLES
    for student in SAMPLES:
        reference = in_sqlite[student]
        score, max_score, cells = in_postgres[student]
        assert (score, max_score) == (reference.total, reference.max_total), f"{student}: total differs"
        expected = {cell_id: cell.score for cell_id, cell in reference.cells.items()}
        assert {c: cells[c] for c in expected} == expected, f"{student}: cell scores differ"

    with (course / "grades.csv").open() as exported:
        rows = {row["student_id"]: float(row["score"]) for row in csv.DictReader(exported)}
    assert rows == {student: in_sqlite[student].total for student in SAMPLES}
