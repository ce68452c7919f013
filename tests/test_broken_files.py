"""Malformed submissions: each is graded or flagged for the instructor, and the class is graded.

What reaches nbgrader here is not a notebook with wrong code but a wrong
file: not JSON, empty, renamed, with a foreign kernel, a test cell deleted,
emptied or duplicated, thousands of extra files. nbgrader restores test cells
and the kernelspec, scores a missing test cell 0, and refuses the rest with a
log line; the run goes on for everyone else.
"""

import copy
import time

import pytest

from conftest import REPO
from course_kit.instructor import ClassRun, copy_course
from course_kit.samples import build_submission, read_sample

ASSIGNMENT = "ps1_naive_loss"


def _cell_index(nb, grade_id):
    return next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def _changed(nb, change):
    nb = copy.deepcopy(nb)
    change(nb)
    return nb


def _foreign_kernel(nb):
    nb.metadata["kernelspec"] = {"name": "students-own-kernel", "display_name": "Mine", "language": "python"}


def _delete_test(nb):
    del nb.cells[_cell_index(nb, "test_sigmoid")]


def _empty_test(nb):
    nb.cells[_cell_index(nb, "test_sigmoid")].source = ""


def _duplicate_test(nb):
    i = _cell_index(nb, "test_sigmoid")
    nb.cells.insert(i, copy.deepcopy(nb.cells[i]))


@pytest.fixture(scope="module")
def broken(tmp_path_factory):
    course = ClassRun(copy_course(REPO, tmp_path_factory.mktemp("broken") / "course", [ASSIGNMENT]))
    course.release(ASSIGNMENT)
    release = course.release_notebook(ASSIGNMENT)
    honest = build_submission(release, course.source_notebook(ASSIGNMENT),
                              read_sample(REPO / "samples" / ASSIGNMENT / "reference.py"))
    name = release.name
    submissions = {
        "honest": {name: honest},
        "not_json": {name: b"{ this is not json"},
        "empty_file": {name: b""},
        "renamed": {f"my_{name}": honest},
        "foreign_kernel": {name: _changed(honest, _foreign_kernel)},
        "deleted_test": {name: _changed(honest, _delete_test)},
        "emptied_test": {name: _changed(honest, _empty_test)},
        "duplicated_test": {name: _changed(honest, _duplicate_test)},
        "many_files": {name: honest, **{f"junk/file{i}.txt": b"x" for i in range(3000)}},
    }
    for student, files in submissions.items():
        course.submit(student, ASSIGNMENT, files)
    course.collect(ASSIGNMENT)
    results = {}
    for student in submissions:
        started = time.perf_counter()
        outcome = course.autograde(ASSIGNMENT, student)
        results[student] = (outcome, course.score(ASSIGNMENT, student), time.perf_counter() - started)
    return results


@pytest.mark.parametrize("student", ["honest", "foreign_kernel", "emptied_test", "many_files"])
def test_graded_in_full(broken, student):
    outcome, score, seconds = broken[student]
    assert outcome["success"], outcome.get("log", "")[-2000:]
    assert score == (7.0, 7.0)
    assert seconds < 60


def test_a_deleted_test_cell_scores_zero(broken):
    outcome, score, _ = broken["deleted_test"]
    assert outcome["success"]
    assert score == (5.0, 7.0)  # test_sigmoid's 2 points are gone, the rest is graded


@pytest.mark.parametrize(
    ("student", "says"),
    [
        ("not_json", "There was an error processing assignment"),
        ("empty_file", "There was an error processing assignment"),
        ("renamed", "Skipping unknown notebook"),
        ("duplicated_test", "exists multiple times"),
    ],
)
def test_unreadable_submission_needs_a_look_and_scores_nothing(broken, student, says):
    outcome, score, _ = broken[student]
    assert not outcome["success"]
    assert says in outcome["log"]
    assert score is None or score[0] == 0
