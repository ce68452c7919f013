"""A handle on one course directory: the instructor's loop, driven in-process through nbgrader's own API.

``Course`` wraps one course directory: it loads the course's
``nbgrader_config.py`` the way the ``nbgrader`` command does, then generates
and releases assignments, submits notebooks through the local exchange as a
named student would, collects, autogrades, generates feedback and exports
grades.  The demo and the end-to-end tests both use it, so what the tests
check is exactly what an instructor runs.
"""

from __future__ import annotations

import copy
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat import NotebookNode
from nbgrader.api import Gradebook, MissingEntry, SubmittedAssignment
from nbgrader.apps import NbGraderAPI
from nbgrader.auth import Authenticator
from nbgrader.coursedir import CourseDirectory
from nbgrader.exchange.default import ExchangeSubmit

from course_kit.config import load_course_config
from course_kit.exporters import SpreadsheetSafeCsvExportPlugin
from course_kit.grading.cells import autograded_tests
from course_kit.grading.record import read_record, record_path
from course_kit.grading.results import CheckResult

# What an instructor's clone holds that a course directory needs.
COURSE_FILES = ["course_config.py", "nbgrader_config.py", "source", "graders"]


def copy_course(repo: Path, dest: Path, assignments: list[str] | None = None) -> Path:
    """A fresh course directory at ``dest`` with the repo's configuration, sources and graders."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for name in COURSE_FILES:
        src = repo / name
        if src.is_dir():
            keep = set(assignments) if assignments is not None else None
            shutil.copytree(src, dest / name, ignore=_only(keep, src))
        elif src.exists() or name != "course_config.py":  # a course may keep all its settings in nbgrader_config.py
            shutil.copy2(src, dest / name)
    return dest


def _only(keep: set[str] | None, top: Path):
    def ignore(directory: str, names: list[str]) -> list[str]:
        skipped = {"__pycache__", ".pytest_cache"}
        if keep is not None and Path(directory) == top:
            # Only other assignments are left out: graders/ may hold the course's own support packages too.
            assignments = {n for n in names if (top.parent / "source" / n).is_dir()}
            skipped |= assignments - keep
        return [n for n in names if n in skipped]

    return ignore


@dataclass
class SubmissionGrades:
    score: float  # manual scores, where given, override autograded ones
    max_score: float
    auto: dict[tuple[str, str], float | None]  # (notebook, grade_id) -> autograded score
    ungraded: list[str]  # grade_ids the gradebook says need a person (needs_manual_grade, as formgrader shows):
    # a written answer nobody has graded by hand yet, or one that changed since it was
    late_penalty: float = 0.0  # nbgrader's, taken at autograde; both exports subtract it from ``score``


def submission_grades(submission: SubmittedAssignment) -> SubmissionGrades:
    """What the gradebook holds of one submission (read within its gradebook's session)."""
    grades = [(nb.name, grade) for nb in submission.notebooks for grade in nb.grades]
    return SubmissionGrades(
        score=submission.score,
        max_score=submission.max_score,
        auto={(nb, grade.name): grade.auto_score for nb, grade in grades},
        ungraded=[grade.name for _, grade in grades if grade.needs_manual_grade],
        late_penalty=submission.late_submission_penalty or 0.0,
    )


def unknown_assignment(course_dir: Path, assignment: str) -> str | None:
    """Why ``assignment`` is not one of the course's (its ``source/`` folders), naming those it has; None if it is.
    A typo would otherwise read as an assignment with no submissions."""
    known = sorted(p.name for p in (course_dir / "source").glob("*") if p.is_dir())
    if assignment in known:
        return None
    return f"No assignment {assignment!r} in {course_dir / 'source'}; this course has: {', '.join(known) or 'none'}"


@dataclass
class CellResult:
    grade_id: str
    score: float  # the gradebook's (a manual score, when given, overrides the autograded one)
    max_score: float
    report: str  # the feedback the student reads in the test cell
    checks: list[CheckResult]  # the grading record's


class Course:
    """One course directory (its configuration, gradebook and folders) and the nbgrader steps run on it."""

    def __init__(self, course_dir: Path) -> None:
        # nbgrader runs `alembic` and kernels by name: find them beside this interpreter.
        bindir = str(Path(sys.executable).parent)
        if bindir not in os.environ.get("PATH", "").split(os.pathsep):
            os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
        self.course_dir = course_dir.resolve()
        self.config = load_course_config(self.course_dir)
        self.api = NbGraderAPI(CourseDirectory(config=self.config), config=self.config)
        self.played_students = False  # set by submit: see collect

    @property
    def course_id(self) -> str:
        return self.api.coursedir.course_id

    def _check(self, result: dict, what: str) -> dict:
        if not result["success"]:
            raise RuntimeError(f"{what} failed:\n{result.get('error', '')}\n{result.get('log', '')}")
        return result

    def generate(self, assignment: str) -> None:
        """The student version in release/ (nbgrader generate_assignment --force)."""
        self._check(self.api.generate_assignment(assignment), f"generate_assignment {assignment}")

    def release(self, assignment: str) -> None:
        """Generate, then release to the exchange."""
        self.generate(assignment)
        self._check(self.api.release_assignment(assignment), f"release_assignment {assignment}")

    def release_notebook(self, assignment: str) -> Path:
        (notebook,) = sorted((self.course_dir / "release" / assignment).glob("*.ipynb"))
        return notebook

    def source_notebook(self, assignment: str) -> Path:
        (notebook,) = sorted((self.course_dir / "source" / assignment).glob("*.ipynb"))
        return notebook

    def submit(self, student: str, assignment: str, files: dict[str, NotebookNode | bytes]) -> None:
        """Submit through the exchange as ``student`` would from their own workspace."""
        workspace = self.course_dir / "student-workspaces" / student
        folder = workspace / self.course_id / assignment
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        for name, content in files.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                (folder / name).write_bytes(content)
            else:
                nbformat.write(content, folder / name)
        coursedir = CourseDirectory(
            config=self.config, root=str(workspace), assignment_id=assignment, student_id=student
        )
        submit = ExchangeSubmit(
            coursedir=coursedir,
            authenticator=Authenticator(config=self.config),
            config=self.config,
            assignment_dir=str(workspace),
            cache=str(workspace / ".nbgrader-cache"),
        )
        submit.start()
        self.played_students = True

    def collect(self, assignment: str) -> None:
        """``nbgrader collect``.  Students played by ``submit`` have no Unix accounts: their folders are this
        process's user's, so after ``submit`` collect does not match owners (``VettedCollect.require_owner_match``;
        its other checks stay).  Real students' submissions are collected as the instructor does, unchanged."""
        api = self.api
        if self.played_students:
            config = copy.deepcopy(self.config)  # Config(...) would share, and change, its sections
            config.VettedCollect.require_owner_match = False
            api = NbGraderAPI(CourseDirectory(config=config), config=config)
        self._check(api.collect(assignment), f"collect {assignment}")

    def autograde(self, assignment: str, student: str) -> dict:
        """nbgrader's result dict; a failed autograde is returned, not raised (it needs the instructor)."""
        return self.api.autograde(assignment, student)

    def generate_feedback(self, assignment: str, student: str | None = None) -> None:
        self._check(self.api.generate_feedback(assignment, student), f"generate_feedback {assignment}")

    def export_grades(self, path: Path) -> Path:
        """grades.csv as ``nbgrader export`` writes it under the kit's configuration."""
        with Gradebook(self.api.coursedir.db_url, self.course_id) as gradebook:
            SpreadsheetSafeCsvExportPlugin(config=self.config, to=str(path)).export(gradebook)
        return path

    def score(self, assignment: str, student: str) -> tuple[float, float] | None:
        with Gradebook(self.api.coursedir.db_url, self.course_id) as gradebook:
            try:
                submission = gradebook.find_submission(assignment, student)
            except MissingEntry:
                return None
            return submission.score, submission.max_score

    def grades(self, assignment: str, student: str) -> SubmissionGrades | None:
        """What the gradebook holds of one submission, read in one go (None: no such submission)."""
        with Gradebook(self.api.coursedir.db_url, self.course_id) as gradebook:
            try:
                submission = gradebook.find_submission(assignment, student)
            except MissingEntry:
                return None
            return submission_grades(submission)

    def cell_results(self, assignment: str, student: str) -> list[CellResult]:
        """Each autograded test cell's score (gradebook), checks (grading record) and report (graded notebook)."""
        folder = self.course_dir / "autograded" / student / assignment
        results = []
        with Gradebook(self.api.coursedir.db_url, self.course_id) as gradebook:
            for notebook in sorted(folder.glob("*.ipynb")):
                record = read_record(record_path(folder, notebook.stem), assignment, student, notebook.stem)
                checks = {cell.grade_id: cell.checks for cell in record.cells}
                for cell in autograded_tests(nbformat.read(notebook, as_version=4)):
                    grade_id = cell.metadata.nbgrader["grade_id"]
                    grade = gradebook.find_grade(grade_id, notebook.stem, assignment, student)
                    text = "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")
                    results.append(CellResult(grade_id, grade.score, grade.max_score, text, checks.get(grade_id, [])))
        return results
