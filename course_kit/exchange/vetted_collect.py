"""``nbgrader collect`` that takes a student's submission only from that student.

In a shared exchange every student can write ``inbound/``, and nbgrader names a
submission by its folder, ``<student id>+<assignment>+<time>+<random>``, which the
student's own ``nbgrader submit`` writes.  Stock collect believes that name: a
student who creates ``inbound/<classmate>+ps1+2099-01-01 ...`` replaces the
classmate's submission (it only logs "cheating attempt?"), and, dated 2099, it wins
against everything the classmate submits later; any made-up id becomes a student.
Here every inbound folder is vetted *before* the newest submission of each student
is chosen (``init_src``; the copy is stock's, or the kit's link-keeping one), and is
refused, with the reason logged and recorded for ``make grade``
(``course_kit.exchange.refusals``), when:

- its student id is not a plain login name (``student_id_pattern``);
- its time cannot be read, or lies in the future by more than ``max_clock_skew_s``;
- it is not a folder (a link, a file);
- ``require_owner_match`` (default): no Unix user has that student id, or the folder or
  anything in it (``lstat``: links are not followed) belongs to another user.

A refused folder is left in ``inbound/`` and never shadows the student's own
submissions: among those that pass, the newest wins (or the newest before the due date,
with ``--before-duedate``), exactly as stock nbgrader chooses.
"""

from __future__ import annotations

import fnmatch
import glob
import os
import pwd
import re
import stat
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.utils import check_mode, parse_utc
from traitlets import Bool, Float, TraitError, Unicode, validate

from course_kit.exchange.collect import CollectWithoutFollowingLinks
from course_kit.exchange.refusals import Refusal, RefusalsError, read_refusals, refusals_path, write_refusals

# POSIX's portable user names (letters, digits, '.', '_', '-'), not starting with '-' or '.' (no '..', no hidden
# folder, no option), at most 32 characters (Linux's utmp): nothing a spreadsheet or a path can misread.
LOGIN_NAME = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}"


class VettedCollect(CollectWithoutFollowingLinks):
    require_owner_match = Bool(
        True,
        help="Refuse a submission unless a Unix user has its student id and owns its folder and every file in it. "
        "Right for a shared exchange where students are local users (docs/instructor_guide.md). Turn it off only "
        "where students cannot write inbound/ themselves (every submission owned by one service user, students "
        "without Unix accounts): then nothing here can tell who made a folder (README, Security).",
    ).tag(config=True)
    max_clock_skew_s = Float(
        60.0,
        min=0.0,
        help="Refuse a submission whose folder name is dated more than this many seconds ahead of this machine's "
        "clock: a submission from the future would win against every later one.",
    ).tag(config=True)
    student_id_pattern = Unicode(
        LOGIN_NAME,
        help="Regular expression a whole student id must match (default: a plain POSIX login name). Anything else "
        "is refused: it cannot be a Unix user's, and it would reach paths, the gradebook and the exports.",
    ).tag(config=True)

    @validate("student_id_pattern")
    def _compiles(self, proposal):
        try:
            re.compile(proposal["value"])
        except re.error as error:
            raise TraitError(f"student_id_pattern is not a regular expression: {error}") from None
        return proposal["value"]

    def init_src(self) -> None:
        # As stock: the course's inbound folder, the due date; then vet each folder before choosing.
        if self.coursedir.course_id == "":
            self.fail("No course id specified. Re-run with --course flag.")
        self.course_path = os.path.join(self.root, self.coursedir.course_id)
        self.inbound_path = os.path.join(self.course_path, "inbound")
        if not os.path.isdir(self.inbound_path):
            self.fail(f"Course not found: {self.inbound_path}")
        if not check_mode(self.inbound_path, read=True, execute=True):
            self.fail(f"You don't have read permissions for the directory: {self.inbound_path}")
        if not self.require_owner_match:
            self.log.warning("VettedCollect.require_owner_match is off: any user who can write %s can submit "
                             "as any student", self.inbound_path)
        pattern = f"{self.coursedir.student_id or '*'}+{self.coursedir.assignment_id}+*"
        accepted: list[dict] = []
        refused: list[Refusal] = []
        # Hidden names too (stock skips them): '.' cannot start an id, and the instructor should hear of it.
        for name in sorted(glob.glob(pattern, root_dir=self.inbound_path, include_hidden=True)):
            record, reasons = self.vet(name)
            if reasons:
                refused.append(Refusal(name, record["username"], "; ".join(reasons)))
                self.log.warning("Not collected: %s", refused[-1].line())
            else:
                accepted.append(record)
        self._record_refusals(pattern, refused)
        with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb:
            try:
                self.duedate = gb.find_assignment(self.coursedir.assignment_id).duedate
            except MissingEntry:
                self.duedate = None
        self.src_records = [self._choose(records) for records in _by_student(accepted).values()]

    def _choose(self, records: list[dict]) -> dict:
        """Stock's choice among one student's submissions: the newest, or the newest before the due date."""
        records = self._sort_by_timestamp(records)
        if self.duedate is not None and self.before_duedate:
            on_time = [record for record in records if record["timestamp"] <= self.duedate]
            return (on_time or records)[0]
        return records[0]

    def vet(self, name: str) -> tuple[dict, list[str]]:
        """The record stock collect would make of inbound folder ``name``, and why it is refused ([]: it is not)."""
        parts = name.rsplit("+", 3)  # as stock: the student id is what is left of the last three '+'
        record = {"username": parts[0], "filename": name, "timestamp": None}
        if len(parts) < 3 or parts[1] != self.coursedir.assignment_id:
            return record, [f"its name is not <student id>+{self.coursedir.assignment_id}+<time>+<random>"]
        reasons = []
        student = parts[0]
        plain = re.fullmatch(self.student_id_pattern, student) is not None
        if not plain:
            reasons.append(f"student id {student!a} is not a plain login name (VettedCollect.student_id_pattern)")
        try:
            record["timestamp"] = parse_utc(parts[2])
        except (ValueError, OverflowError, TypeError):  # dateutil's ParserError is a ValueError
            reasons.append(f"its time {parts[2]!a} cannot be read")
        else:
            now = datetime.now(UTC).replace(tzinfo=None)  # parse_utc's: naive UTC
            if record["timestamp"] > now + timedelta(seconds=self.max_clock_skew_s):
                reasons.append(f"it is dated {record['timestamp']:%Y-%m-%d %H:%M:%S} UTC, in the future "
                               f"(this machine's clock: {now:%Y-%m-%d %H:%M:%S} UTC)")
        folder = Path(self.inbound_path, name)
        try:
            if not stat.S_ISDIR(folder.lstat().st_mode):
                reasons.append("it is not a folder" + (" but a symlink" if folder.is_symlink() else ""))
            elif self.require_owner_match and plain:
                reasons += _owner_problems(folder, student)
        except FileNotFoundError:
            reasons.append("it was removed while collect looked at it")
        return record, reasons

    def _record_refusals(self, pattern: str, refused: list[Refusal]) -> None:
        """Replace the recorded refusals of the folders this collect looked at (all, unless ``--student``)."""
        path = refusals_path(self.coursedir.root, self.coursedir.assignment_id)
        try:
            kept = [r for r in read_refusals(path) if not fnmatch.fnmatchcase(r.folder, pattern)]
        except RefusalsError as error:  # replaced by this collect's list, which is what counts now
            self.log.warning("Earlier refusals not kept: %s", error)
            kept = []
        write_refusals(path, self.coursedir.assignment_id, kept + refused)
        if refused:
            self.log.warning("%d submission(s) of %s not collected: listed in %s", len(refused),
                             self.coursedir.assignment_id, path)


def _by_student(records: list[dict]) -> dict[str, list[dict]]:
    groups: dict[str, list[dict]] = defaultdict(list)
    for record in records:
        groups[record["username"]].append(record)
    return groups


def _owner_problems(folder: Path, student: str) -> list[str]:
    """Why ``folder`` was not made by Unix user ``student`` alone ([]: it was); ``lstat`` only."""
    try:
        uid = pwd.getpwnam(student).pw_uid
    except KeyError:
        return [f"no Unix user is named {student}, so its owner cannot be checked "
                "(VettedCollect.require_owner_match)"]
    if (owner := folder.lstat().st_uid) != uid:
        return [f"its folder is owned by {_user(owner)}, not by {student}"]
    unreadable: list[OSError] = []
    for root, dirs, files in os.walk(folder, onerror=unreadable.append):
        for path in (Path(root, name) for name in dirs + files):
            try:
                owner = path.lstat().st_uid
            except FileNotFoundError:
                continue  # removed while we looked: it will not be copied either
            if owner != uid:
                return [f"its file {str(path.relative_to(folder))!a} is owned by {_user(owner)}, not by {student}"]
    return [f"it cannot be read to check its owners: {error}" for error in unreadable[:1]]


def _user(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"
