"""Write this term's due dates and extensions (local_config.py) into the gradebook, and show them.

    python -m course_kit.instructor.term_dates [--course-dir .]                                  (make dates)

Autograde writes them too, for each submission it grades (``course_kit.term.ApplyTermDates``); run this after
changing them so that everything that reads the gradebook (formgrader, the status view, the exports) has them
before the next grading, and to check them: each mistake (an unknown assignment, a date that does not read,
an extension before the due date) is named and nothing is written.  A graded submission whose stored late
penalty is not the one the current dates give (its date or extension changed since it was graded) keeps it until
it is graded again: those are listed, at every run until they are regraded, with the command that regrades
them (``make grade A=... S=... FORCE=1``, which keeps hand grades).
Exit status 0, or 2 when the settings are wrong.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nbgrader.api import Gradebook

from course_kit.config import load_course_config
from course_kit.term import TermDates, apply_term_dates
from course_kit.term.dates import TermDatesError
from course_kit.term.stale_penalties import stale_penalties

EXIT_OK, EXIT_BAD_SETTINGS = 0, 2


def course_assignments(course_dir: Path) -> list[str]:
    """The course's assignments: its source/ folders."""
    return sorted(p.name for p in (course_dir / "source").iterdir() if p.is_dir())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the term's due dates and extensions into the gradebook.")
    parser.add_argument("--course-dir", type=Path, default=Path("."), help="the course root (default: here)")
    args = parser.parse_args(argv)
    course_dir = args.course_dir.resolve()
    config = load_course_config(course_dir)
    dates = TermDates(config=config)
    assignments = course_assignments(course_dir)
    try:
        resolved = dates.resolved(assignments)
    except TermDatesError as error:
        print(f"{error}\nnothing written (fix local_config.py)", file=sys.stderr)
        return EXIT_BAD_SETTINGS
    with Gradebook(config.CourseDirectory.db_url, config.CourseDirectory.course_id) as gradebook:
        apply_term_dates(gradebook, dates, assignments)
        recorded = {a.name for a in gradebook.assignments}
        for assignment in assignments:
            if assignment not in resolved:
                print(f"{assignment:24} no due date in TermDates.due_dates")
                continue
            due, extended = resolved[assignment]
            # nbgrader records an assignment at generate_assignment; autograde writes its dates then too.
            later = "" if assignment in recorded else "  (not in the gradebook yet: make release, then make dates)"
            print(f"{assignment:24} due {dates.local(due)}{later}")
            for student, extension in sorted(extended.items()):
                print(f"  {student:22} extended to {dates.local(due + extension)}")
        stale = stale_penalties(gradebook, config, assignments)
    if stale:
        print("Graded with a late penalty the current dates do not give; grade them again (hand grades stay):")
        for who in sorted({(s.assignment, s.student) for s in stale}):
            print(f"  make grade A={who[0]} S={who[1]} FORCE=1")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
