"""Malformed submissions: each is graded or flagged for the instructor, and the class is graded.

What reaches nbgrader here is not a notebook with wrong code but a wrong
file: not JSON, empty, renamed, with a foreign kernel, a test cell deleted,
emptied or duplicated, thousands of extra files. nbgrader restores test cells
and the kernelspec, scores a missing test cell 0, and refuses the rest with a
log line; the run goes on for everyone else.  ``grade_class`` says which
submissions need a look and why, and its exit status counts them.
"""

import copy

import pytest

from conftest import REPO
from course_kit.instructor import Course, copy_course
from course_kit.instructor.grade_class import EXIT_NEEDS_A_LOOK, grade_student, main
from course_kit.instructor.samples import build_submission, read_sample

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
    course = Course(copy_course(REPO, tmp_path_factory.mktemp("broken") / "course", [ASSIGNMENT]))
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
        result = grade_student(course, ASSIGNMENT, student)
        results[student] = (result, course.score(ASSIGNMENT, student))
    return course, results


@pytest.mark.parametrize("student", ["honest", "foreign_kernel", "emptied_test", "many_files"])
def test_graded_in_full(broken, student):
    _, results = broken
    result, score = results[student]
    assert result.score == score == (7.0, 7.0)


def test_a_deleted_test_cell_scores_zero(broken):
    _, results = broken
    result, score = results["deleted_test"]
    assert result.score == score == (5.0, 7.0)  # test_sigmoid's 2 points are gone, the rest is graded


# student -> what the instructor is told (None: nothing to look at)
TOLD = {
    "honest": None,
    "emptied_test": None,  # nbgrader restores test cells from the source
    "foreign_kernel": "asks for kernel 'students-own-kernel'; graded with 'python3'",
    "many_files": "files (graded anyway)",
    "deleted_test": "lacks test cell test_sigmoid (deleted?): it scores 0",
    "not_json": "naive_loss.ipynb is not a readable notebook",
    "empty_file": "naive_loss.ipynb is an empty file (0 bytes): not graded",
    "renamed": "naive_loss.ipynb is missing from the submission; it has my_naive_loss.ipynb instead (renamed?)",
    "duplicated_test": "has cell test_sigmoid 2 times (a copied cell?): nbgrader refuses the notebook",
}


@pytest.mark.parametrize("student", sorted(TOLD))
def test_the_instructor_is_told_what_happened(broken, student):
    _, results = broken
    result, score = results[student]
    if TOLD[student] is None:
        assert not result.needs_a_look, result.problems
    else:
        assert result.needs_a_look and any(TOLD[student] in p for p in result.problems), result.problems
    if student in ("not_json", "empty_file", "renamed", "duplicated_test"):  # nbgrader refuses these
        assert result.score is None and (score is None or score[0] == 0)


def test_the_run_exits_with_how_many_need_a_look(broken, capsys):
    course, _ = broken
    status = main([ASSIGNMENT, "--course-dir", str(course.course_dir)])
    out = capsys.readouterr().out
    assert status == EXIT_NEEDS_A_LOOK
    assert f"{ASSIGNMENT}: 9 submissions, 2 graded with nothing to look at, 7 need a look" in out
    assert out.count("(already graded)") == 5  # a second run leaves graded students alone
