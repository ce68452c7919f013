"""The grading record: written atomically, validated on read, never taken from a link or a malformed file."""

from __future__ import annotations

import json
import os

import pytest

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
