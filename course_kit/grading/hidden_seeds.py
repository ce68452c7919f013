"""Per-student seeds for the graders' random hidden inputs.

A grader that checks a function on random inputs used to draw them from a fixed seed: the same
inputs for every student.  Student code sees every input it is called with, and what it learns it
can try to carry out in its feedback; the feedback's messages are cut short
(``course_kit.grading.excerpt``), but whatever does leave would be worth something to every
classmate.  Drawn per student, it is worth nothing to anyone else.

Each seed is ``HMAC-SHA256(key, [course, assignment, student, name])`` (the list as JSON, so that no
two lists give the same text), its first 128 bits: ``name`` tells apart the draws of one grading
(a grader module's name, or a data set's).  The same student graded again gets the same seeds, so
a regrade is identical; the seeds used go into the grading record (``hidden_seeds``) to show it.

The key is the course's secret: ``ExecuteWithGraders.hidden_inputs_secret`` where the instructor's
settings give one, else the file ``SECRET_FILE`` in the course directory, created on first use
with random content and mode 0600.  It must stay secret: with it and the graders, anyone can
compute every student's inputs.  The kernel never sees it (the confinement hides the whole
course directory), it is not in ``source/`` (never released) and the course's ``.gitignore``
keeps it out of git.  A hand-run grader (``pytest graders/<assignment> --submission ...``) uses
the fixed, public ``HAND_RUN_KEY`` and student ``HAND_RUN_STUDENT`` unless told a student
(``--student``): its inputs are the same on every run and machine.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from course_kit.confinement.private_folder import open_regular_file

SECRET_FILE = ".grading-secret"
SECRET_BYTES = 32
HAND_RUN_KEY = b"course-kit hand-run grading (public)"
HAND_RUN_STUDENT = "(hand run)"
SEED_HEX_DIGITS = 32  # 128 bits: numpy's SeedSequence takes a seed of any size; this is its own entropy


class SecretError(Exception):
    """The course's secret cannot be read or made, or others can read it."""


@dataclass
class HiddenSeeds:
    """The seeds of one student's grading (one notebook's graders), and which of them were used."""

    key: bytes
    course: str
    assignment: str
    student: str
    used: dict[str, str] = field(default_factory=dict)  # name -> seed (hex), in the order first asked for

    @classmethod
    def hand_run(cls, course: str, assignment: str) -> HiddenSeeds:
        """The fixed seeds of a hand-run grader: the same inputs on every run."""
        return cls(HAND_RUN_KEY, course, assignment, HAND_RUN_STUDENT)

    def seed(self, name: str) -> int:
        """The seed of the draw ``name`` (e.g. a grader module's name) for this student."""
        message = json.dumps([self.course, self.assignment, self.student, name]).encode()
        digest = hmac.new(self.key, message, hashlib.sha256).hexdigest()[:SEED_HEX_DIGITS]
        self.used.setdefault(name, digest)
        return int(digest, 16)

    def rng(self, name: str) -> np.random.Generator:
        """A generator for the draw ``name``, seeded for this student."""
        return np.random.default_rng(self.seed(name))


def course_secret(course_root: Path, configured: str = "") -> bytes:
    """The key for the course's seeds: ``configured`` (the instructor's settings) if given, else the course's
    secret file, created on first use.  Graders starting at once on several workers all get the same one."""
    if configured:
        return configured.encode()
    path = Path(course_root) / SECRET_FILE
    try:
        return _read_secret(path)
    except FileNotFoundError:
        pass
    # Made whole under another name, then linked into place: a reader never sees half a secret, and when two
    # graders make one at once the first link wins and both read it.  mkstemp makes the file 0600.
    fd, temporary = tempfile.mkstemp(prefix=f"{SECRET_FILE}-", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_hex(SECRET_BYTES) + "\n")
            file.flush()
            os.fsync(file.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
    finally:
        os.unlink(temporary)
    return _read_secret(path)


def _read_secret(path: Path) -> bytes:
    try:
        file = open_regular_file(path)
    except FileNotFoundError:
        raise
    except OSError as error:
        raise SecretError(f"{path} cannot be read as the course's secret: {error.strerror or error}") from None
    with file:
        mode = os.fstat(file.fileno()).st_mode
        if mode & (stat.S_IROTH | stat.S_IWOTH):
            raise SecretError(f"{path} is readable or writable by every user: chmod 600 it (or 640 for a group "
                              "of instructors) and make a new one if students may have read it")
        text = file.read(1024).decode("ascii", errors="replace").strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) < 16:
        raise SecretError(f"{path} does not hold a secret of at least 16 bytes in hex: delete it to make a new one")
    return key
