"""Progress of a class run: a bar with an ETA on a terminal (tqdm), one line per finished student otherwise.

The line per student is the one ``grade_class`` prints (score, "already
graded", what needs a look); on a terminal it goes above the bar, so the
instructor sees both.  In a log file (no terminal) there is no bar: the lines
are the progress.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from tqdm import tqdm


class Progress:
    def __init__(self, total: int, echo: Callable[[str], object] = print, bar: bool | None = None) -> None:
        self.echo = echo
        if bar is None:
            bar = sys.stderr.isatty() and sys.stdout.isatty()
        self.bar = tqdm(total=total, unit="student", file=sys.stderr, dynamic_ncols=True) if bar else None

    def finished(self, line: str) -> None:
        """One more student is done; ``line`` says how it went."""
        if self.bar is None:
            self.echo(line)
            return
        with self.bar.external_write_mode():
            self.echo(line)
        self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
