"""What students get and run, as docs/instructor_guide.md tells them.

The student environment file pins what the notebooks import at the graders' versions; each
released assignment carries a note whose facts (notebook, course id, cell time limit) are the
course's own; and the guide's student commands (fetch_assignment, submit, fetch_feedback) work
through nbgrader's real exchange, run as a student would: the nbgrader command, from a
workspace of their own, with only ``--course`` and ``--Exchange.root``.
"""

from __future__ import annotations

import ast
import importlib.metadata
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from packaging.requirements import Requirement

from conftest import ASSIGNMENTS, REPO
from course_kit.config import load_course_config
from course_kit.instructor import Course
from course_kit.instructor.samples import build_submission, read_sample

# What a notebook imports -> the distribution that provides it.
DISTRIBUTION = {"numpy": "numpy", "mpmath": "mpmath", "matplotlib": "matplotlib", "tensorflow": "tensorflow-cpu",
                "keras": "keras"}


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = line.split("==")
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    return pins


def _imports(notebook: Path) -> set[str]:
    """Top-level modules the notebook's code cells import (IPython magics left out)."""
    names = set()
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        code = "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!")))
        for node in ast.walk(ast.parse(code)):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module.split(".")[0])
    return names


def test_student_environment_pins_the_graders_versions():
    student, lock = _pins(REPO / "student-requirements.txt"), _pins(REPO / "requirements.txt")
    differ = {name: (version, lock.get(name)) for name, version in student.items() if lock.get(name) != version}
    assert not differ, f"student-requirements.txt differs from the lock (student, lock): {differ}"
    assert {"nbgrader", "jupyterlab", "ipykernel"} <= set(student), "students cannot fetch, open or submit"


def test_student_lock_is_complete():
    """Installed with --no-deps, the students' lock must hold every package its packages need, at a version they
    accept: pip check's rule, read from the metadata of the same versions in the graders' own venv."""
    student = _pins(REPO / "student-requirements.txt")
    left_out = {"rfc3987-syntax", "lark"}  # left out of both locks on purpose (scripts/lock.py)
    problems, seen = [], set()
    todo = [(name, frozenset()) for name in student]
    while todo:
        name, extras = todo.pop()
        if (name, extras) in seen:
            continue
        seen.add((name, extras))
        for line in importlib.metadata.distribution(name).requires or []:
            need = Requirement(line)
            if need.marker and not any(need.marker.evaluate({"extra": e}) for e in {"", *extras}):
                continue
            wanted = re.sub(r"[-_.]+", "-", need.name).lower()
            if wanted in left_out:
                continue
            if wanted not in student:
                problems.append(f"{name} needs {need}, which the students' lock lacks")
            elif student[wanted] not in need.specifier:
                problems.append(f"{name} needs {need}, the students' lock has {student[wanted]}")
            else:
                todo.append((wanted, frozenset(need.extras)))
    assert not problems, "\n".join(problems)
    assert len(student) > 100, "the students' lock pins only the top of the tree"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_student_environment_has_what_the_notebook_imports(assignment):
    (notebook,) = (REPO / "release" / assignment).glob("*.ipynb")
    third_party = {name for name in _imports(notebook) if name not in sys.stdlib_module_names}
    unknown = third_party - set(DISTRIBUTION)
    assert not unknown, f"{notebook.name} imports {unknown}: add them to DISTRIBUTION and student-requirements.txt"
    missing = {DISTRIBUTION[name] for name in third_party} - set(_pins(REPO / "student-requirements.txt"))
    assert not missing, f"{notebook.name} needs {missing}, which student-requirements.txt lacks"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_carries_a_note_with_the_courses_facts(assignment):
    config = load_course_config(REPO)
    note = (REPO / "release" / assignment / "README.md").read_text()
    (notebook,) = (REPO / "release" / assignment).glob("*.ipynb")
    assert notebook.name in note
    assert f"nbgrader submit {assignment} --course {config.CourseDirectory.course_id}" in note
    assert f"{config.NotebookStopRules.timeout} seconds per cell" in note, "the note's time limit is not the config's"
    assert "Extreme logits" in note and "fetch_feedback" in note


def _student(*args: str, workspace: Path) -> subprocess.CompletedProcess:
    """An nbgrader command run by a student: their own folder and home, none of the course's configuration."""
    env = {**os.environ, "HOME": str(workspace / "home")}
    command = [str(Path(sys.executable).parent / "nbgrader"), *args]
    return subprocess.run(command, cwd=workspace, env=env, capture_output=True, text=True, timeout=300)


def test_guides_student_commands_through_the_exchange(course: Course, graded, tmp_path):
    """fetch_assignment, submit and fetch_feedback as the guide writes them, on the suite's graded ps1 class."""
    assignment, student = "ps1_naive_loss", "reference"  # graded in the session course, full marks
    assert graded(assignment)[student].success
    exchange, course_id = course.config.Exchange.root, course.course_id
    flags = [f"--course={course_id}", f"--Exchange.root={exchange}"]
    workspace = tmp_path / "alice"
    (workspace / "home").mkdir(parents=True)

    # Without them, nbgrader's default exchange: "Unwritable directory" where it is missing (as on a fresh machine).
    bare = _student("fetch_assignment", assignment, workspace=workspace)
    why = ("Unwritable directory, please contact your instructor", "No course id specified")
    assert bare.returncode != 0 and any(w in bare.stderr for w in why), bare.stderr

    fetched = _student("fetch_assignment", assignment, *flags, workspace=workspace)
    assert fetched.returncode == 0, fetched.stderr
    folder = workspace / assignment
    assert {p.name for p in folder.iterdir()} == {p.name for p in (REPO / "release" / assignment).iterdir()}

    release, source = folder / "naive_loss.ipynb", course.source_notebook(assignment)
    nbformat.write(build_submission(release, source, read_sample(REPO / "samples" / assignment / "reference.py")),
                   release)
    submitted = _student("submit", assignment, *flags, "--CourseDirectory.student_id=alice", workspace=workspace)
    assert submitted.returncode == 0, submitted.stderr
    inbound = list(Path(exchange, course_id, "inbound").glob(f"alice+{assignment}+*/naive_loss.ipynb"))
    assert len(inbound) == 1 and inbound[0].read_bytes() == release.read_bytes()

    # Feedback for the sample student graded by the suite, fetched with that student's submission cache.
    course.generate_feedback(assignment, student)
    released = course.api.release_feedback(assignment, student)
    assert released["success"], released.get("error")
    cache = course.course_dir / "student-workspaces" / student / ".nbgrader-cache"
    feedback = _student("fetch_feedback", assignment, *flags, f"--Exchange.cache={cache}",
                        f"--CourseDirectory.student_id={student}", workspace=workspace)
    assert feedback.returncode == 0, feedback.stderr
    (html,) = (workspace / assignment / "feedback").glob("*/naive_loss.html")
    total, max_total = course.score(assignment, student)
    assert f"{total:g}" in html.read_text() and "naive_loss" in html.read_text(), (total, max_total)
