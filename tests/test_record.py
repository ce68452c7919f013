"""The grading record: written atomically, validated on read, never taken from a link or a malformed file;
graded by real nbgrader, every submission has one that agrees with the gradebook, which no notebook can forge."""

from __future__ import annotations

import json
import os

import pytest

from course_kit.confinement import notebook_cgroup
from course_kit.grading.record import (
    CellRecord,
    GradingRecord,
    KernelOutcome,
    RecordError,
    Timings,
    read_record,
    record_path,
    submission_digest,
    write_record,
)
from course_kit.grading.results import CheckResult
from course_kit.instructor.class_run import graded_submission

NAMES = ("ps2_stable_loss", "ada", "stable_loss")


def _record(score: float = 1.5) -> GradingRecord:
    checks = [CheckResult("stable_bce is finite at extreme logits", 1.0, True),
              CheckResult("stable_bce is accurate", 1.0, False, "worst at z = 36", worst_input=[36.0, 0.0])]
    return GradingRecord(*NAMES, submission_sha256="0" * 64, kernel=KernelOutcome("cells_timed_out", None, [4]),
                         left_behind=[], outputs_cut=0, memory_peak_mb=812.5, timings=Timings(3.2, 1.1, 4.9),
                         cells=[CellRecord("test_stable_bce", score, 3.0, checks)])


def test_a_record_reads_back_as_written(tmp_path):
    path = record_path(tmp_path / "ps2_stable_loss", "stable_loss")
    assert path.parent == tmp_path  # beside the graded folder, not in it
    write_record(path, _record())
    assert read_record(path, *NAMES) == _record()
    assert "figure" not in path.read_text()  # optional fields left out, not null


def test_the_seeds_of_the_hidden_inputs_are_recorded_and_optional(tmp_path):
    path = record_path(tmp_path / "ps2_stable_loss", "stable_loss")
    record = _record()
    write_record(path, record)
    assert "hidden_seeds" not in json.loads(path.read_text())  # none drawn: left out, and older records still read
    record.hidden_seeds = {"test_softmax": "0123456789abcdef" * 2}
    write_record(path, record)
    assert read_record(path, *NAMES).hidden_seeds == record.hidden_seeds
    record.hidden_seeds = {"test_softmax": "not a seed"}
    with pytest.raises(RecordError, match="does not match"):
        write_record(path, record)


def test_a_planted_link_is_replaced_never_written_through(tmp_path):
    target = tmp_path / "gradebook.db"
    target.write_text("precious")
    path = tmp_path / "ps2_stable_loss.stable_loss.record.json"
    path.symlink_to(target)
    with pytest.raises(RecordError, match="symbolic link|link"):
        read_record(path, *NAMES)  # O_NOFOLLOW: a link is never a record
    write_record(path, _record())
    assert target.read_text() == "precious" and not path.is_symlink()
    assert read_record(path, *NAMES).cells[0].score == 1.5


@pytest.mark.parametrize("content", [
    "{ not json",
    json.dumps({"schema_version": 1}),
    json.dumps({**_record().to_json(), "schema_version": 2}),
    json.dumps({**_record().to_json(), "cells": [{"grade_id": "x", "score": -1, "max_score": 1, "checks": []}]}),
    json.dumps({**_record().to_json(), "kernel": {"outcome": "fine", "why": None, "timed_out_cells": []}}),
], ids=["not-json", "incomplete", "future-version", "negative-score", "unknown-outcome"])
def test_a_malformed_record_is_refused(tmp_path, content):
    path = tmp_path / "r.json"
    path.write_text(content)
    with pytest.raises(RecordError):
        read_record(path, *NAMES)


def test_another_notebooks_record_is_refused(tmp_path):
    path = tmp_path / "r.json"
    write_record(path, _record())
    with pytest.raises(RecordError, match="records ada/ps2_stable_loss/stable_loss"):
        read_record(path, "ps2_stable_loss", "bob", "stable_loss")


def test_a_fifo_is_refused_without_waiting(tmp_path):
    path = tmp_path / "r.json"
    os.mkfifo(path)
    with pytest.raises(RecordError):
        read_record(path, *NAMES)


def test_any_change_to_a_submission_changes_its_digest(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "nb.ipynb").write_text("{}")
    (tmp_path / "data" / "x.csv").write_text("1")
    before = submission_digest(tmp_path)
    (tmp_path / "data" / "x.csv").write_text("2")
    changed = submission_digest(tmp_path)
    (tmp_path / "data" / "x.csv").write_text("1")
    assert before != changed and submission_digest(tmp_path) == before
    (tmp_path / "link").symlink_to(tmp_path / "nb.ipynb")
    assert submission_digest(tmp_path) != before


# -- the records of a graded class ---------------------------------------------------------------------------

def test_every_graded_submission_has_a_record_that_agrees_with_the_gradebook(graded, course):
    assignment = "ps1_naive_loss"
    outcomes, phases = {}, {}
    for student, result in graded(assignment).items():
        graded_now = graded_submission(course, assignment, student)
        assert graded_now is not None, f"{student} has no valid record"
        (record,) = graded_now.records
        assert {c.grade_id: c.score for c in record.cells} == {k: c.score for k, c in result.cells.items()}
        assert record.timings.total_s >= record.timings.execution_s + record.timings.graders_s > 0
        # The parts make bench reports (course_kit.grading.phase_times): the kernel's start and the cells add
        # up to execution_s, and the graders' figures and references lie within graders_s.
        timings = record.timings
        assert timings.kernel_start_s + timings.cells_s == pytest.approx(timings.execution_s, abs=2e-3)
        assert sum((timings.phases or {}).values()) <= timings.graders_s
        outcomes[student] = record.kernel
        phases[student] = timings.phases or {}
    assert outcomes["reference"].outcome == "finished"
    assert phases["reference"]["figures"] > 0 and phases["reference"]["references"] > 0
    assert outcomes["fault_os_exit"].outcome == "died" and outcomes["fault_os_exit"].why.startswith("died while")
    stopped = outcomes["fault_endless_loop"]
    assert stopped.outcome == "stopped" and "cells ran past the" in stopped.why and len(stopped.timed_out_cells) == 2
    assert outcomes["fault_sleep_forever"].outcome == "cells_timed_out"


@pytest.mark.safety_feature("per-notebook memory cap", missing=notebook_cgroup.available())
def test_the_record_holds_the_notebooks_memory_peak(graded, course):
    graded("ps1_naive_loss")
    (reference,) = graded_submission(course, "ps1_naive_loss", "reference").records
    (bomb,) = graded_submission(course, "ps1_naive_loss", "fault_fork_memory_bomb").records
    assert 10 < reference.memory_peak_mb < bomb.memory_peak_mb <= 1024  # TEST_SETTINGS' cap


def test_a_forged_record_changes_nothing(graded, course):
    """The cheat writes a full-marks record where the grader might look, and plants a link: its record is the
    grader's, scores what its honest base scores, and names the link (the evidence that the cheat ran)."""
    assignment = "ps2_stable_loss"
    results = graded(assignment)
    (record,) = graded_submission(course, assignment, "cheat_forge_record").records
    (honest,) = graded_submission(course, assignment, "naive_everywhere").records
    assert [(c.grade_id, c.score) for c in record.cells] == [(c.grade_id, c.score) for c in honest.cells]
    assert record.score == results["cheat_forge_record"].total < results["cheat_forge_record"].max_total
    assert any("record.json: a symlink" in entry for entry in record.left_behind), record.left_behind
    for path in course.course_dir.rglob("*.record.json"):  # every record in the course is a grader's
        of_assignment, notebook = path.name.removesuffix(".record.json").split(".", 1)
        read_record(path, of_assignment, path.parent.name, notebook)
