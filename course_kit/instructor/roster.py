"""Import the class roster into the gradebook: ids, names, emails and LMS ids, from a CSV file.

    python -m course_kit.instructor.roster roster.csv [--course-dir .]        (make roster FILE=roster.csv)

The file has a header line naming its columns: ``id`` (required: the student's login, as nbgrader knows them),
and any of ``first_name``, ``last_name``, ``email``, ``lms_user_id`` (Canvas's user id, the Canvas export's
``ID``).  Formgrader then shows names rather than "None, None", and the exports carry them.

nbgrader's own ``nbgrader db student import`` takes the same columns but checks nothing: it skips a misspelt
column with a log line (``lms_userid``: every LMS id silently missing), imports a duplicated id twice (the last
row wins), an empty id or a formula as a student, and stops half way on a broken line.  Here the whole file
is read and checked first, and nothing is written unless every line is right; each error names its line:

- the file cannot be read as UTF-8 (save it as "CSV UTF-8"; a byte-order mark is fine), or is empty;
- the header lacks ``id``, or names a column not listed above;
- a line has more or fewer fields than the header;
- an id is empty, not a plain login name (the pattern collect vets submissions with,
  ``VettedCollect.student_id_pattern``), or on two lines.

Then each student is written with nbgrader's ``Gradebook.update_or_create_student``, in one session: a new id
is added, a known one updated (a column the file has replaces the field, an empty cell clears it; a column it
lacks leaves the field alone).  Nobody is ever removed: a student in the gradebook but not on this roster
(dropped the course, or a typo in an earlier roster) is listed, with the submissions they have, for the
instructor to decide (``nbgrader db student remove <id>`` removes one and everything they submitted).
Importing the same file again changes nothing.  Exit status 0, or 2 with the errors and nothing written.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import Gradebook
from traitlets.config import Config

from course_kit.config import load_course_config
from course_kit.exchange.vetted_collect import VettedCollect

ID = "id"
FIELDS = ["first_name", "last_name", "email", "lms_user_id"]  # nbgrader's Student columns besides the id
EXIT_OK, EXIT_BAD_ROSTER = 0, 2
MAX_ERRORS_SHOWN = 20


class RosterError(ValueError):
    """The roster cannot be imported; the message lists every line at fault."""


@dataclass
class Student:
    line: int
    id: str
    fields: dict[str, str | None]  # only the columns the file has; None: an empty cell


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)
    updated: dict[str, list[str]] = field(default_factory=dict)  # id -> fields changed
    unchanged: list[str] = field(default_factory=list)
    not_on_roster: dict[str, list[str]] = field(default_factory=dict)  # id -> assignments they submitted

    def lines(self) -> list[str]:
        out = [f"roster: {len(self.added)} added, {len(self.updated)} updated, {len(self.unchanged)} unchanged"]
        out += [f"  added    {student}" for student in self.added]
        out += [f"  updated  {student}: {', '.join(changed)}" for student, changed in self.updated.items()]
        if self.not_on_roster:
            out.append(f"In the gradebook but not on this roster ({len(self.not_on_roster)}; kept, nothing removed):")
            for student, submitted in self.not_on_roster.items():
                has = f"submitted {', '.join(submitted)}" if submitted else "no submissions"
                out.append(f"  {student}  ({has})")
        return out


def student_id_pattern(config: Config) -> str:
    """The pattern collect vets student ids with, as this course configures it."""
    return VettedCollect(config=config).student_id_pattern


def read_roster(path: Path, id_pattern: str) -> list[Student]:
    """Every student of the roster at ``path``; raises ``RosterError`` naming each line at fault."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a byte-order mark
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise RosterError(f"{path}: line {line}: byte {data[error.start]:#04x} is not UTF-8: save the roster as "
                          "CSV UTF-8 (Excel: 'CSV UTF-8 (Comma delimited)')") from None
    if not text.strip():
        raise RosterError(f"{path}: the file is empty: it needs a header line ({ID},{','.join(FIELDS)}) and a "
                          "line per student")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    errors: list[str] = []
    try:
        header = [name.strip() for name in next(reader)]
        if ID not in header:
            raise RosterError(f"{path}: line {reader.line_num}: no {ID!r} column (the header is "
                              f"{','.join(header)!r}; columns: {ID}, {', '.join(FIELDS)})")
        unknown = [name for name in header if name not in [ID, *FIELDS]]
        repeated = sorted({name for name in header if header.count(name) > 1})
        if unknown or repeated:
            what = [f"unknown column(s) {', '.join(map(repr, unknown))}"] if unknown else []
            what += [f"column(s) named twice: {', '.join(map(repr, repeated))}"] if repeated else []
            raise RosterError(f"{path}: line {reader.line_num}: {'; '.join(what)} (columns: {ID} required, "
                              f"{', '.join(FIELDS)} optional)")
        students: list[Student] = []
        first_line: dict[str, int] = {}
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue  # a blank line
            if len(row) != len(header):
                errors.append(f"line {line}: {len(row)} fields, the header has {len(header)}")
                continue
            cells = {name: cell.strip() for name, cell in zip(header, row, strict=True)}
            student = cells.pop(ID)
            if not student:
                errors.append(f"line {line}: the id is empty")
            elif re.fullmatch(id_pattern, student) is None:
                errors.append(f"line {line}: id {student!a} is not a plain login name (letters, digits, '.', '_', "
                              "'-'; VettedCollect.student_id_pattern)")
            elif student in first_line:
                errors.append(f"line {line}: id {student!r} is on line {first_line[student]} already")
            else:
                first_line[student] = line
                students.append(Student(line, student, {k: (v or None) for k, v in cells.items()}))
    except csv.Error as error:
        errors.append(f"line {reader.line_num}: not CSV: {error}")
    if errors:
        shown = errors[:MAX_ERRORS_SHOWN] + ([f"... and {len(errors) - MAX_ERRORS_SHOWN} more"]
                                             if len(errors) > MAX_ERRORS_SHOWN else [])
        raise RosterError("\n".join([f"{path}: {len(errors)} line(s) wrong, nothing imported:", *shown]))
    if not students:
        raise RosterError(f"{path}: no students below the header: nothing imported")
    return students


def import_roster(db_url: str, course_id: str, students: list[Student]) -> ImportReport:
    """Add or update each student through nbgrader's Gradebook (one session); remove nobody."""
    report = ImportReport()
    with Gradebook(db_url, course_id) as gradebook:
        known = {s.id: s for s in gradebook.students}
        for student in students:
            if student.id not in known:
                gradebook.update_or_create_student(student.id, **student.fields)
                report.added.append(student.id)
                continue
            before = known[student.id]
            changed = [name for name, value in student.fields.items() if getattr(before, name) != value]
            if changed:
                gradebook.update_or_create_student(student.id, **student.fields)
                report.updated[student.id] = changed
            else:
                report.unchanged.append(student.id)
        on_roster = {s.id for s in students}
        for student in sorted(set(known) - on_roster):
            report.not_on_roster[student] = sorted(s.assignment.name for s in known[student].submissions)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Import the class roster (CSV: id, first_name, last_name, email, "
                                     "lms_user_id) into the gradebook.")
    parser.add_argument("roster", type=Path, help="the roster CSV file")
    parser.add_argument("--course-dir", type=Path, default=Path("."), help="the course root (default: here)")
    args = parser.parse_args(argv)
    if not args.roster.is_file():
        print(f"roster: no such file: {args.roster}", file=sys.stderr)
        return EXIT_BAD_ROSTER
    config = load_course_config(args.course_dir.resolve())
    try:
        students = read_roster(args.roster, student_id_pattern(config))
    except RosterError as error:
        print(error, file=sys.stderr)
        return EXIT_BAD_ROSTER
    for line in import_roster(config.CourseDirectory.db_url, config.CourseDirectory.course_id, students).lines():
        print(line)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
