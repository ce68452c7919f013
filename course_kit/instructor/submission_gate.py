"""Refuse an unsafe submitted folder inside nbgrader's autograde itself, whoever starts it.

``make grade`` checks each submitted folder before it hands it to nbgrader
(``submission_checks``).  Plain ``nbgrader autograde`` in the course root, and
formgrader's Autograde button (nbgrader's ``NbGraderAPI.autograde`` in the
Jupyter server), go straight to nbgrader's ``Autograde`` converter, which for
each student's folder reads ``timestamp.txt`` (``init_destination``,
``Autograde.init_assignment``: a FIFO there stalls it), copies every other file
into ``autograded/`` with ``shutil.copy`` (``BaseConverter.init_assignment``:
a link to a hidden grader or to a classmate's notebook is followed, as the
grader, into the kernel's folder), then reads each notebook (the exporter's
``from_filename``: a FIFO in its place stalls it for good).

Where the check goes (nbgrader 0.9.6): the app and the API both build
nbgrader's own ``Autograde`` class by name, so configuration cannot put a
subclass in its place; ``pre_convert_hook`` runs after ``init_destination`` has
read ``timestamp.txt``, is given the student glob (``*``) rather than the
student, and nbgrader logs and ignores what it raises.  What configuration
does choose is the converter's exporter class (``c.Autograde.exporter_class``),
and ``BaseConverter.start`` builds that exporter right after
``init_notebooks`` has listed the submitted folders (by ``glob``: names only)
and before ``convert_notebooks`` touches any of them.  ``CheckedSubmissionsExporter``
is nbconvert's ``NotebookExporter`` that, when built by an ``Autograde``,
looks at each listed folder with ``lstat`` only (``submission_checks.unsafe_files``)
and takes each unsafe one off the converter's list: nothing of it is read,
copied or run.  Each refusal is logged as an ERROR with its reason and
recorded as ``autograded/<student>/<assignment>.refused.json`` (``Refusal``),
which ``grade_class`` reads back; when every folder of the run was refused
(formgrader's button, ``--student``), the run fails with the reason.
``use_course_kit`` sets it, so every course that adopts the kit gets it.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from nbconvert.exporters import NotebookExporter
from nbgrader.converters import Autograde, NbGraderException

from course_kit.atomic_json import write_json
from course_kit.confinement.private_folder import open_regular_file
from course_kit.grading.record import submission_digest
from course_kit.instructor.submission_checks import unsafe_files

MAX_REFUSAL_BYTES = 2**20


@dataclass(frozen=True)
class Refusal:
    """Why autograde refused one submitted folder, as plain data beside the student's graded folders."""

    assignment: str
    student: str
    submission_sha256: str  # of the folder as it was refused (lstat only: links are named, not followed)
    problems: list[str]


def refusal_path(graded_folder: Path) -> Path:
    """Beside ``graded_folder`` (autograded/<student>/<assignment>), like the grading records: where neither a
    submission nor a kernel can write."""
    return graded_folder.parent / f"{graded_folder.name}.refused.json"


def write_refusal(path: Path, refusal: Refusal) -> None:
    """Atomically, never through a link (a temporary file, then ``os.replace``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_json(path, asdict(refusal), prefix=".refused-")


def read_refusal(path: Path, assignment: str, student: str) -> Refusal | None:
    """The refusal at ``path`` if it is one of this submission's (read with ``O_NOFOLLOW``), else None."""
    try:
        with open_regular_file(path) as file:
            data: Any = json.loads(file.read(MAX_REFUSAL_BYTES))
        refusal = Refusal(str(data["assignment"]), str(data["student"]), str(data["submission_sha256"]),
                          [str(p) for p in data["problems"]])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return refusal if (refusal.assignment, refusal.student) == (assignment, student) else None


def refuse_unsafe_folders(converter: Autograde) -> list[Refusal]:
    """Take every unsafe submitted folder off ``converter``'s list (``converter.assignments``); the refusals."""
    coursedir = converter.coursedir
    pattern = re.compile(converter._format_source("(?P<assignment_id>.*)", "(?P<student_id>.*)", escape=True))
    refusals = []
    for folder in sorted(converter.assignments):
        match = pattern.fullmatch(folder)
        if match is None:  # nbgrader itself will refuse a folder it cannot name
            continue
        student, assignment = match["student_id"], match["assignment_id"]
        where = refusal_path(Path(coursedir.format_path(coursedir.autograded_directory, student, assignment)))
        problems = unsafe_files(Path(folder))
        if not problems:
            if where.is_file() and not where.is_symlink():
                where.unlink()  # a refusal speaks for the folder it refused only
            continue
        del converter.assignments[folder]
        refusal = Refusal(assignment, student, submission_digest(Path(folder)), [p.message for p in problems])
        converter.log.error("Refused %s/%s, before nbgrader read or copied any of it: %s", student, assignment,
                            "; ".join(refusal.problems))
        try:
            write_refusal(where, refusal)
        except OSError as error:  # the refusal stands; only its record is missing
            converter.log.warning("Could not record the refusal in %s: %s", where, error)
        refusals.append(refusal)
    if refusals and not converter.assignments:
        raise NbGraderException(f"every submission of this run was refused: {refusals[0].problems[0]}")
    return refusals


class CheckedSubmissionsExporter(NotebookExporter):
    """nbconvert's NotebookExporter; built by an ``Autograde``, it first refuses the unsafe submitted folders
    (module docstring: why the check lives here)."""

    def __init__(self, config=None, **kw) -> None:
        super().__init__(config=config, **kw)
        converter = self.parent
        if isinstance(converter, Autograde) and converter._sanitizing:  # built once, at start, over submitted/
            refuse_unsafe_folders(converter)
