"""Hand grades survive a regrade, unless the answer they graded changed.

nbgrader's ``SaveAutoGrades`` sets ``needs_manual_grade`` back to true on
every cell that has a manual score, each time a submission is autograded: a
regrade (``make grade FORCE=1`` after changing a limit) sends every hand-graded
derivation of the class back to formgrader, while its manual score stays and
the Canvas export leaves the assignment blank.  The kit keeps a hand grade's
"graded" status when the answer it graded is the answer just autograded, and
asks for a new look (nbgrader's true) only when that answer changed.

What was hand-graded is the autograded notebook formgrader showed: each
grading keeps, beside the student's records, a sha256 of the answer behind
each grade cell (``autograded/<student>/<assignment>.answers.json``, out of
the submission's and the kernel's reach, like the records).  A graded solution
cell (the derivation, code graded by hand) is its own answer; a test cell's
answer is every solution cell of its notebook (the code it checks), so a test
score set by hand is kept only while the student's code is unchanged.

Where: in the instructor's process, where autograde's fields are copied into
the real gradebook (``class_grading``; ``grade_class.grade_student`` for the
in-process path), so every ``make grade`` gets it.  Plain ``nbgrader autograde``
keeps nbgrader's behaviour (every hand grade needs a new look).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import nbformat
from nbformat import NotebookNode
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.utils import is_grade, is_solution

from course_kit.atomic_json import write_json
from course_kit.confinement.private_folder import open_regular_file

Answers = dict[str, dict[str, str]]  # notebook -> grade_id -> sha256 of the answer behind that grade
Cell = tuple[str, str]  # (notebook, grade_id)
MAX_NOTEBOOK_BYTES = 256 * 2**20  # outputs are cut while grading; a larger file is not a graded notebook of ours


def answers_path(course_dir: Path, assignment: str, student: str) -> Path:
    return course_dir / "autograded" / student / f"{assignment}.answers.json"


def answer_digests(notebook: NotebookNode) -> dict[str, str]:
    """grade_id -> sha256 of the answer its grade is about (see the module's docstring)."""
    def sha(text: str) -> str:
        return hashlib.sha256(text.encode()).hexdigest()

    code = sha("\0".join(cell.source for cell in notebook.cells if is_solution(cell)))
    return {cell.metadata.nbgrader["grade_id"]: sha(cell.source) if is_solution(cell) else code
            for cell in notebook.cells if is_grade(cell)}


def graded_answers(course_dir: Path, assignment: str, student: str) -> Answers:
    """The answers in ``autograded/<student>/<assignment>/`` as it stands ({} when it holds no notebook)."""
    answers: Answers = {}
    for path in sorted((course_dir / "autograded" / student / assignment).glob("*.ipynb")):
        try:
            with open_regular_file(path) as file:
                notebook = nbformat.reads(file.read(MAX_NOTEBOOK_BYTES).decode(), as_version=4)
        except (OSError, ValueError):
            continue
        answers[path.stem] = answer_digests(notebook)
    return answers


def read_answers(course_dir: Path, assignment: str, student: str) -> Answers:
    """The answers of the last grading that reached the gradebook ({} when none was kept)."""
    try:
        with open_regular_file(answers_path(course_dir, assignment, student)) as file:
            data = json.loads(file.read(2**20))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {nb: {gid: d for gid, d in cells.items() if isinstance(d, str)}
            for nb, cells in data.items() if isinstance(cells, dict)}


def remember_answers(course_dir: Path, assignment: str, student: str, answers: Answers) -> None:
    """Keep ``answers`` as the last grading's: through a temporary file and ``os.replace`` (atomic)."""
    write_json(answers_path(course_dir, assignment, student), answers, prefix=".answers-")


def remember_before_regrade(course_dir: Path, assignment: str, student: str) -> None:
    """Before nbgrader replaces the graded notebook: keep its answers, if no grading kept them yet (a course
    graded before the kit kept them).  An existing file is the last finished grading's, and stays."""
    if not answers_path(course_dir, assignment, student).exists():
        answers = graded_answers(course_dir, assignment, student)
        if answers:
            remember_answers(course_dir, assignment, student, answers)


def hand_graded(db_url: str, course_id: str, assignment: str, student: str) -> set[Cell]:
    """The cells a person graded (a manual score, and the gradebook says nothing more is needed)."""
    return hand_graded_class(db_url, course_id, assignment, [student])[student]


def hand_graded_class(db_url: str, course_id: str, assignment: str, students: list[str]) -> dict[str, set[Cell]]:
    """``hand_graded`` of each student, read in one session (opening a gradebook costs ~0.1 s)."""
    found: dict[str, set[Cell]] = {}
    with Gradebook(db_url, course_id) as gradebook:
        for student in students:
            try:
                submission = gradebook.find_submission(assignment, student)
            except MissingEntry:
                found[student] = set()
                continue
            found[student] = {(notebook.name, grade.name) for notebook in submission.notebooks
                              for grade in notebook.grades
                              if grade.manual_score is not None and not grade.needs_manual_grade}
    return found


def still_graded(before: set[Cell], graded_then: Answers, graded_now: Answers) -> tuple[set[Cell], dict[Cell, str]]:
    """Of the cells hand-graded ``before`` the regrade: those whose answer is unchanged (their grade stands),
    and the others, each with why it needs a new look."""
    keep: set[Cell] = set()
    again: dict[Cell, str] = {}
    for cell in sorted(before):
        notebook, grade_id = cell
        then, now = graded_then.get(notebook, {}).get(grade_id), graded_now.get(notebook, {}).get(grade_id)
        if then is not None and then == now:
            keep.add(cell)
        elif then is None:
            again[cell] = f"{notebook}.ipynb: {grade_id} was hand-graded, but the answer graded then was not kept: " \
                          "grade it again"
        else:
            again[cell] = f"{notebook}.ipynb: {grade_id} changed since it was hand-graded: grade it again " \
                          "(its manual score stays until then)"
    return keep, again


def keep_hand_grades(db_url: str, course_id: str, assignment: str, student: str, keep: set[Cell]) -> None:
    """Mark ``keep`` graded again after an autograde that wrote the gradebook itself (the in-process path)."""
    if not keep:
        return
    with Gradebook(db_url, course_id) as gradebook:
        for notebook, grade_id in keep:
            gradebook.find_grade(grade_id, notebook, assignment, student).needs_manual_grade = False
        gradebook.db.commit()
