"""One grading run per course at a time: an OS lock on ``<course>/.grading.lock``.

Two ``make grade`` runs at once on one course destroy each other's work: the
second one's nbgrader deletes ``autograded/<student>/<assignment>/`` while the
first one grades into it, and drops the first one's grading records, so the
students end up with a record and no graded notebook.  So a run takes an
exclusive ``flock`` on the course's lock file for its whole length.

``flock`` belongs to the open file, and the kernel drops it when the process
ends, however it ends: a run killed with -9, or a rebooted machine, never leaves
the course locked, and there is no stale-lock guessing.  The descriptor is not
inherited by the Dask workers or the kernels (Python opens it close-on-exec and
Dask spawns its workers), so only the run's own process holds it.

The holder writes who it is into the file (user, pid, host, start time,
assignment) as JSON data, only so that a second run can say whom it waits for;
the lock itself is the ``flock``, never the file's content or existence.

Per course, not per assignment: the runs of two assignments share the
gradebook and every student's ``autograded/<student>/`` folder, and a second
run beside the first one would also size its workers to a machine the first
already fills.
"""

from __future__ import annotations

import fcntl
import json
import os
import pwd
import socket
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

LOCK_NAME = ".grading.lock"
HOLDER_BYTES = 4096  # the holder's JSON is a few hundred bytes; anything longer is not ours
HOLDER_PATIENCE_S = 2.0  # the holder writes who it is right after it takes the lock


class CourseBusy(RuntimeError):
    """Another grading run holds the course, and this one was asked not to wait."""


@dataclass
class Holder:
    user: str
    pid: int
    host: str
    started: str  # local time, ISO 8601 to the second
    assignment: str

    @property
    def sentence(self) -> str:
        host = "" if self.host == socket.gethostname() else f" on host {self.host}"
        return f"the run of {self.user} pid {self.pid}{host} started {self.started} on {self.assignment}"


def lock_path(course_dir: Path) -> Path:
    return course_dir / LOCK_NAME


@contextmanager
def grading_lock(course_dir: Path, assignment: str, wait: bool = True,
                 say: Callable[[str], object] | None = None) -> Iterator[Holder]:
    """Hold the course's grading lock for the ``with`` block; this run's ``Holder``.

    If another run holds it: say whose run this one waits for, then wait (``wait=True``), or raise
    ``CourseBusy`` with the same words."""
    say = say or (lambda line: print(line, file=sys.stderr, flush=True))
    fd = _open(lock_path(course_dir))
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            who = holder.sentence if holder else "another grading run (it has not said who yet)"
            if not wait:
                raise CourseBusy(f"{lock_path(course_dir)} is held by {who}") from None
            say(f"waiting for {who} (lock {lock_path(course_dir)})")
            fcntl.flock(fd, fcntl.LOCK_EX)
        me = Holder(_user(), os.getpid(), socket.gethostname(),
                    datetime.now().astimezone().isoformat(timespec="seconds"), assignment)
        _write_holder(fd, me)
        try:
            yield me
        finally:
            _clear_holder(fd)  # a run killed with -9 leaves its lines: the next holder overwrites them
    finally:
        os.close(fd)  # drops the lock


def holder_of(course_dir: Path) -> Holder | None:
    """Who holds the course's lock now, or None when nobody does.  (To find out, it takes a shared lock for an
    instant when nobody holds it: a run starting in that instant waits that instant.)"""
    try:
        fd = os.open(lock_path(course_dir), os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _read_holder(fd)
        return None
    finally:
        os.close(fd)


def _open(path: Path) -> int:
    """The lock file, created if need be; read-only when another instructor's file is not writable to us
    (``flock`` needs no write access; the holder's lines are then not written)."""
    flags = os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC  # a planted link is refused, never followed
    try:
        return os.open(path, os.O_RDWR | flags, 0o664)
    except PermissionError:
        return os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)


def _write_holder(fd: int, holder: Holder) -> None:
    data = (json.dumps(asdict(holder)) + "\n").encode()
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, data, 0)
    except OSError:  # opened read-only: the lock holds all the same
        pass


def _clear_holder(fd: int) -> None:
    try:
        os.ftruncate(fd, 0)
    except OSError:
        pass


def _read_holder(fd: int) -> Holder | None:
    """The holder's lines; it writes them just after taking the lock, so give it a moment."""
    deadline = time.monotonic() + HOLDER_PATIENCE_S
    while True:
        try:
            return Holder(**json.loads(os.pread(fd, HOLDER_BYTES, 0)))
        except (ValueError, TypeError):
            if time.monotonic() > deadline:
                return None
            time.sleep(0.05)


def _user() -> str:
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return str(os.geteuid())
