"""The grading record: one JSON file per graded notebook, the kit's one account of what happened.

The grader process writes it (``WriteGradingRecord``, the last autograde step,
after the kernel has stopped and the gradebook has the scores); everything that
wants to know how a notebook was graded reads it: ``grade_class`` (is it
graded, what needs a look), the demo's table, the tests.  Nothing reads the
graded notebook's text to learn what happened.

The format is ``record.schema.json`` beside this file (JSON Schema 2020-12,
``schema_version`` 1), validated on every read.  The record lives at
``autograded/<student>/<assignment>.<notebook>.record.json``: beside the
student's graded folder, never inside it, so neither a submission (nbgrader
copies it *into* ``autograded/<student>/<assignment>/``) nor its kernel (which
works in a private copy, with ``autograded/`` hidden) can put a file there.  Still,
it is written as a temporary file then ``os.replace``-d (atomic, and a link
planted at its place is replaced, never followed), and read with
``O_NOFOLLOW``: a link or a malformed file reads as "not graded", never as a grade.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

import jsonschema

from course_kit import schema_validation
from course_kit.atomic_json import write_json
from course_kit.confinement.private_folder import kind, open_regular_file
from course_kit.grading.results import CheckResult

SCHEMA_VERSION = 1
SCHEMA_PATH = Path(__file__).with_name("record.schema.json")
MAX_RECORD_BYTES = 64 * 2**20  # figures included; a larger file is not a record of ours
Outcome = Literal["finished", "cells_timed_out", "stopped", "died"]


class RecordError(Exception):
    """The file is missing, a link, not JSON, or not a record of this notebook."""


@dataclass
class KernelOutcome:
    outcome: Outcome = "finished"
    why: str | None = None  # stopped or died: what happened, in the student's words
    timed_out_cells: list[int] = field(default_factory=list)  # 1-based

    @property
    def ran_to_the_end(self) -> bool:
        return self.outcome in ("finished", "cells_timed_out")

    @property
    def sentence(self) -> str:
        """What happened, as every test cell of a notebook that could not finish tells the student."""
        return f"The notebook's kernel {self.why}"


@dataclass
class Timings:
    execution_s: float = 0.0
    graders_s: float = 0.0
    total_s: float = 0.0
    # Optional (None: left out; records written before them lack them): the parts of execution_s, and the
    # seconds of named phases inside graders_s (``course_kit.grading.phase_times``: figures, references).
    kernel_start_s: float | None = None
    cells_s: float | None = None
    phases: dict[str, float] | None = None


@dataclass
class CellRecord:
    grade_id: str
    score: float
    max_score: float
    checks: list[CheckResult] = field(default_factory=list)


@dataclass
class GradingRecord:
    assignment: str
    student: str
    notebook: str
    submission_sha256: str
    kernel: KernelOutcome
    left_behind: list[str]
    outputs_cut: int
    memory_peak_mb: float | None
    timings: Timings
    cells: list[CellRecord]
    widget_messages_dropped: int = 0  # optional in the schema: records written before it read as 0
    schema_version: int = SCHEMA_VERSION
    # The seeds of the graders' random hidden inputs (draw -> hex), drawn for this student; None: none drawn.
    hidden_seeds: dict[str, str] | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        if data["hidden_seeds"] is None:  # optional: left out, not written as null
            del data["hidden_seeds"]
        data["timings"] = {k: v for k, v in data["timings"].items() if v is not None}
        for cell in data["cells"]:  # the optional fields are left out, not written as null
            cell["checks"] = [{k: v for k, v in check.items() if v is not None} for check in cell["checks"]]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> GradingRecord:
        validate(data)
        cells = [CellRecord(c["grade_id"], c["score"], c["max_score"], [CheckResult(**k) for k in c["checks"]])
                 for c in data["cells"]]
        fields = {k: v for k, v in data.items() if k not in ("kernel", "timings", "cells")}
        return cls(**fields, kernel=KernelOutcome(**data["kernel"]), timings=Timings(**data["timings"]), cells=cells)

    @property
    def score(self) -> float:
        return sum(cell.score for cell in self.cells)


@cache
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text())


def validate(data: Any) -> None:
    try:
        schema_validation.validate(data, schema())  # jsonschema.validate, its validator built once
    except jsonschema.ValidationError as error:
        raise RecordError(f"not a grading record: {error.message}") from None


def record_path(graded_folder: Path, notebook: str) -> Path:
    """Where the record of ``notebook`` graded in ``graded_folder`` (autograded/<student>/<assignment>) goes."""
    return graded_folder.parent / f"{graded_folder.name}.{notebook}.record.json"


def write_record(path: Path, record: GradingRecord) -> None:
    """Write atomically: a reader sees the old record or the new one, and a link at ``path`` is replaced."""
    data = record.to_json()
    validate(data)
    if path.parent.is_symlink():
        raise RecordError(f"{path.parent} is a link: the record is not written through it")
    write_json(path, data, prefix=".record-")


def read_record(path: Path, assignment: str, student: str, notebook: str) -> GradingRecord:
    """The record at ``path``, validated and checked to be this notebook's; RecordError otherwise."""
    try:
        with open_regular_file(path) as file:
            raw = file.read(MAX_RECORD_BYTES + 1)
    except OSError as error:
        raise RecordError(f"{path.name}: {error.strerror or error}") from None
    if len(raw) > MAX_RECORD_BYTES:
        raise RecordError(f"{path.name} is over {MAX_RECORD_BYTES >> 20} MiB")
    try:
        record = GradingRecord.from_json(json.loads(raw))
    except (ValueError, UnicodeDecodeError) as error:
        raise RecordError(f"{path.name} is not JSON: {error}") from None
    if (record.assignment, record.student, record.notebook) != (assignment, student, notebook):
        raise RecordError(f"{path.name} records {record.student}/{record.assignment}/{record.notebook}")
    return record


def submission_digest(folder: Path) -> str:
    """sha256 over the relative names and contents of ``folder``'s files (lstat only: links are named, not
    followed), so any change to a submission, a resubmission included, changes it."""
    digest = hashlib.sha256()
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs.sort()
        for name in sorted(files):
            path = Path(root) / name
            digest.update(str(path.relative_to(folder)).encode() + b"\0")
            if not stat.S_ISREG(path.lstat().st_mode):
                digest.update((kind(path.lstat()) or "other").encode() + b"\0")
                continue
            with open_regular_file(path) as file:
                for block in iter(lambda f=file: f.read(2**20), b""):
                    digest.update(block)
            digest.update(b"\0")
    return digest.hexdigest()
