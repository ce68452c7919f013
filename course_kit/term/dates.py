"""This term's due dates and per-student extensions, as the instructor writes them in ``local_config.py``.

    c.TermDates.timezone = "Europe/Berlin"
    c.TermDates.due_dates = {"ps1_naive_loss": "2027-02-01 23:59"}
    c.TermDates.extensions = {"ps1_naive_loss": {"carol": "2027-02-04 23:59"}}

An extension is the student's own due date, the way it is granted ("carol may hand in until Thursday"); the
gradebook keeps it as nbgrader does, the interval after the assignment's due date
(``SubmittedAssignment.extension``).  Times are read by ``datetime.fromisoformat`` in ``timezone`` unless they
name their own offset (``2027-02-01T23:59+01:00``), and handed to nbgrader as it stores them: naive UTC
(``nbgrader.utils.parse_utc``).  Every mistake is reported with the entry it is in, before anything is written.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from traitlets import Dict, TraitError, Unicode, validate
from traitlets.config import LoggingConfigurable


class TermDatesError(ValueError):
    """The configured dates cannot be used; the message names every entry at fault."""


class TermDates(LoggingConfigurable):
    timezone = Unicode(
        "UTC",
        help="IANA time zone the due dates and extensions are written in, e.g. 'Europe/Berlin' (daylight saving "
        "time included). A time with its own offset ('2027-02-01T23:59+01:00') keeps it.",
    ).tag(config=True)
    due_dates = Dict(
        key_trait=Unicode(),
        value_trait=Unicode(),
        help="Due date of each assignment, e.g. {'ps1_naive_loss': '2027-02-01 23:59'}. Written into the gradebook "
        "(Assignment.duedate) at every autograde and by `make dates`; an assignment named here has exactly the "
        "extensions listed in `extensions`. Assignments not named keep what the gradebook has.",
    ).tag(config=True)
    extensions = Dict(
        key_trait=Unicode(),
        value_trait=Dict(key_trait=Unicode(), value_trait=Unicode()),
        help="Per-student due dates later than the assignment's, e.g. {'ps1_naive_loss': {'carol': '2027-02-04 "
        "23:59'}}: nbgrader measures the student's lateness from it (SubmittedAssignment.extension).",
    ).tag(config=True)

    @validate("timezone")
    def _known_zone(self, proposal):
        try:
            ZoneInfo(proposal["value"])
        except (ZoneInfoNotFoundError, ValueError):
            raise TraitError(f"TermDates.timezone {proposal['value']!r} is not an IANA time zone "
                             "(e.g. 'Europe/Berlin', 'America/New_York', 'UTC')") from None
        return proposal["value"]

    def _utc(self, text: str) -> datetime:
        """``text`` as nbgrader stores a time: naive UTC."""
        moment = datetime.fromisoformat(text.strip())
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=ZoneInfo(self.timezone))
        return moment.astimezone(UTC).replace(tzinfo=None)

    def resolved(self, assignments: list[str]) -> dict[str, tuple[datetime, dict[str, timedelta]]]:
        """assignment -> (due date, student -> extension), every entry checked against the course's
        ``assignments``; raises ``TermDatesError`` naming each entry that is wrong."""
        errors: list[str] = []
        known = ", ".join(assignments)
        result: dict[str, tuple[datetime, dict[str, timedelta]]] = {}
        for assignment, text in self.due_dates.items():
            if assignment not in assignments:
                errors.append(f"TermDates.due_dates: no assignment {assignment!r} in this course ({known})")
                continue
            try:
                result[assignment] = (self._utc(text), {})
            except ValueError:
                errors.append(f"TermDates.due_dates[{assignment!r}]: {text!r} is not a date and time "
                              "(write e.g. '2027-02-01 23:59')")
        for assignment, students in self.extensions.items():
            if assignment not in self.due_dates:
                errors.append(f"TermDates.extensions[{assignment!r}]: the assignment has no due date in "
                              "TermDates.due_dates, so nothing to extend")
                continue
            if assignment not in result:
                continue  # its due date is wrong: said above
            due, extended = result[assignment]
            for student, text in students.items():
                try:
                    personal = self._utc(text)
                except ValueError:
                    errors.append(f"TermDates.extensions[{assignment!r}][{student!r}]: {text!r} is not a date and "
                                  "time (write the student's own due date, e.g. '2027-02-04 23:59')")
                    continue
                if personal <= due:
                    errors.append(f"TermDates.extensions[{assignment!r}][{student!r}]: {text} is not after the "
                                  f"assignment's due date {self.due_dates[assignment]}")
                    continue
                extended[student] = personal - due
        if errors:
            raise TermDatesError("\n".join(errors))
        return result

    def local(self, moment: datetime) -> str:
        """A naive-UTC gradebook time as the instructor wrote it: in ``timezone``."""
        shown = moment.replace(tzinfo=UTC).astimezone(ZoneInfo(self.timezone))
        return shown.strftime("%Y-%m-%d %H:%M %Z")
