"""What waits in the exchange for one assignment: each student's newest submission not collected yet.

``make grade`` reads ``submitted/``, which only ``nbgrader collect`` fills: with
nothing collected it graded "0 submissions" while two waited in the exchange,
and after a resubmission it said "(already graded)" with the newer one
waiting.  This module looks in ``inbound/`` the way collect does and tells,
per student, the newest submission that collect would take (vetted by the
course's own collect, ``VettedCollect.vet``: the same id, time and owner
checks) and that is newer than the one in ``submitted/`` (by the time in the
folder's name, as stock collect compares), plus the folders newer than that
which collect would refuse, with the reason.  It reads names and ``lstat``s
only; nothing is copied or opened but ``timestamp.txt`` of ``submitted/``
(with ``O_NOFOLLOW``, never a FIFO).
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from nbgrader.auth import Authenticator
from nbgrader.coursedir import CourseDirectory
from nbgrader.utils import parse_utc
from traitlets.config import Config

from course_kit.confinement.private_folder import open_regular_file
from course_kit.exchange.vetted_collect import VettedCollect


@dataclass
class Waiting:
    """One student's part of the exchange that collect has not taken."""

    student: str
    submitted_at: str | None = None  # the newest submission collect would take, newer than the collected one (UTC)
    folder: str | None = None  # its name in inbound/
    after_collected: bool = False  # True: the student has a collected submission, and this one is newer
    would_refuse: list[str] = field(default_factory=list)  # "<folder>: <reason>" of newer folders collect refuses


@dataclass
class Exchange:
    """The exchange's inbound folder as this process sees it."""

    inbound: Path
    waiting: dict[str, Waiting]  # student -> what waits
    error: str = ""  # why inbound/ could not be listed ("" when it could, or does not exist yet)


def collected_at(course_dir: Path, assignment: str, student: str) -> datetime | None:
    """The time of the collected submission (``submitted/<student>/<assignment>/timestamp.txt``, naive UTC)."""
    try:
        with open_regular_file(course_dir / "submitted" / student / assignment / "timestamp.txt") as file:
            return parse_utc(file.read(200).decode().strip())
    except (OSError, ValueError, OverflowError, UnicodeDecodeError):
        return None


def utc_text(when: datetime | None) -> str | None:
    return None if when is None else f"{when:%Y-%m-%d %H:%M:%S} UTC"


def in_exchange(config: Config, course_dir: Path, assignment: str) -> Exchange:
    """Per student, what in ``inbound/`` collect has not taken yet (see the module's docstring)."""
    coursedir = CourseDirectory(config=config, assignment_id=assignment)
    collect = VettedCollect(coursedir=coursedir, authenticator=Authenticator(config=config), config=config)
    collect.inbound_path = os.path.join(collect.root, coursedir.course_id, "inbound")
    inbound = Path(collect.inbound_path)
    if not inbound.is_dir():
        return Exchange(inbound, {})  # nothing released yet
    try:
        os.listdir(inbound)  # glob says nothing when it cannot read the folder: ask once, to say so
        names = sorted(glob.glob(f"*+{assignment}+*", root_dir=inbound, include_hidden=True))
    except OSError as error:
        return Exchange(inbound, {}, f"cannot list {inbound}: {error.strerror or error}")
    by_student: dict[str, list[tuple[datetime, str]]] = {}
    for name in names:
        parts = name.rsplit("+", 3)
        if len(parts) < 3 or parts[1] != assignment:
            continue
        try:
            when = parse_utc(parts[2])
        except (ValueError, OverflowError, TypeError):
            when = datetime.max  # unreadable: collect refuses it, and the vetting below says why
        by_student.setdefault(parts[0], []).append((when, name))
    waiting: dict[str, Waiting] = {}
    for student, folders in by_student.items():
        collected = collected_at(course_dir, assignment, student) if _plain(student) else None
        entry = Waiting(student, after_collected=collected is not None)
        for when, name in sorted(folders, reverse=True):  # newest first, as collect chooses
            if collected is not None and when <= collected:
                break
            _, reasons = collect.vet(name)
            if reasons:
                entry.would_refuse.append(f"{name}: {'; '.join(reasons)}")
            elif entry.folder is None:
                entry.folder, entry.submitted_at = name, utc_text(when)
        if entry.folder or entry.would_refuse:
            waiting[student] = entry
    return Exchange(inbound, waiting)


def _plain(student: str) -> bool:
    """A name that can be a folder of ``submitted/`` (no path separator, not '.' or '..')."""
    return student not in ("", ".", "..") and "/" not in student and "\0" not in student
