"""The submissions ``nbgrader collect`` refused, as data: one small JSON file per assignment in the course.

``VettedCollect`` writes ``<course root>/collect_refusals/<assignment>.json`` at every
collect of that assignment; ``make grade`` (``course_kit.instructor.grade_class``) reads it
and names each refusal, so that the instructor sees them where they look at the class, not
only in collect's log.  The format, ``schema_version`` 1::

    {"schema_version": 1, "assignment": "ps1_naive_loss", "written": "2026-12-07T23:40:00+00:00",
     "refused": [{"folder": "alice+ps1_naive_loss+2099-01-01 00:00:00.000000 UTC+x7Fq",
                  "student_id": "alice", "reason": "owned by mallory, not by alice"}]}

``folder`` is the name of the folder in the exchange's ``inbound/`` (left there: the
instructor decides what to do with it), ``student_id`` the id its name claims.  A collect
limited to some students (``--student``) replaces only the entries it looked at.  The file
is written through a temporary file and ``os.replace`` (a reader sees the old list or the
new one) and read with ``O_NOFOLLOW``.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from course_kit.atomic_json import write_json
from course_kit.confinement.private_folder import open_regular_file

SCHEMA_VERSION = 1
FOLDER = "collect_refusals"
MAX_BYTES = 16 * 2**20


@dataclass(frozen=True)
class Refusal:
    folder: str  # its name in inbound/
    student_id: str  # the id that name claims
    reason: str

    def line(self) -> str:
        """One line for a terminal: a name that holds control characters (or invalid UTF-8) is shown escaped."""
        folder = self.folder if self.folder.isprintable() else ascii(self.folder)
        return f"{folder}: {self.reason}"


class RefusalsError(Exception):
    """The file is a link, not JSON, or not a list of refusals."""


def refusals_path(course_root: Path | str, assignment: str) -> Path:
    return Path(course_root) / FOLDER / f"{assignment}.json"


def write_refusals(path: Path, assignment: str, refusals: list[Refusal]) -> None:
    """Write atomically (temporary file, fsync, ``os.replace``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "schema_version": SCHEMA_VERSION,
        "assignment": assignment,
        "written": datetime.now(UTC).isoformat(timespec="seconds"),
        "refused": [asdict(refusal) for refusal in refusals],
    }
    write_json(path, data, prefix=".refusals-")


def read_refusals(path: Path) -> list[Refusal]:
    """The refusals recorded at ``path``; [] when there is no file; RefusalsError when it is not ours."""
    try:
        with open_regular_file(path) as file:
            raw = file.read(MAX_BYTES + 1)
    except FileNotFoundError:
        return []
    except OSError as error:
        raise RefusalsError(f"{path}: {error.strerror or error}") from None
    try:
        data = json.loads(raw)
        if len(raw) > MAX_BYTES or data.get("schema_version") != SCHEMA_VERSION:
            raise ValueError(f"not schema_version {SCHEMA_VERSION} or over {MAX_BYTES >> 20} MiB")
        refusals = [Refusal(**entry) for entry in data["refused"]]
        if not all(isinstance(value, str) for refusal in refusals for value in asdict(refusal).values()):
            raise ValueError("a field is not text")
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise RefusalsError(f"{path}: not a list of refusals ({error})") from None
    return refusals


def refusal_lines(course_root: Path | str, assignment: str) -> list[str]:
    """What ``make grade`` prints of the last collect of ``assignment``: one line per refused folder."""
    try:
        refusals = read_refusals(refusals_path(course_root, assignment))
    except RefusalsError as error:
        return [f"refused at collect: cannot tell which ({error})"]
    return [f"refused at collect: {refusal.line()}" for refusal in refusals]
