"""Seconds a grading process spends in named phases of the graders (figures, references), for the record.

The kit times what it runs itself: the kernel's start, the student's cells, the graders as a whole
(``ExecuteWithGraders``).  Inside the graders, the course's own code knows what is what: its figures
plugin and its reference functions wrap their work in ``phase("figures")`` / ``phase("references")``,
and the seconds add up per notebook into the grading record's ``timings.phases``
(``course_kit.grading.record``), from which ``make bench`` says where a class's time goes.  A phase
entered inside another of the same name counts once.  Nothing here changes what is graded: it is a
clock around code that runs anyway.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

_local = threading.local()  # one grading per thread: a worker grades one notebook at a time


def _totals() -> dict[str, float]:
    if not hasattr(_local, "totals"):
        _local.totals, _local.open = {}, set()
    return _local.totals


@contextmanager
def phase(name: str) -> Iterator[None]:
    """Add the seconds spent inside to ``name``'s total of this thread's current notebook."""
    totals = _totals()
    if name in _local.open:  # nested: the outer one counts
        yield
        return
    _local.open.add(name)
    started = time.perf_counter()
    try:
        yield
    finally:
        _local.open.discard(name)
        totals[name] = totals.get(name, 0.0) + time.perf_counter() - started


def start() -> None:
    """A new notebook: forget the last one's totals."""
    _totals().clear()


def totals() -> dict[str, float]:
    """This notebook's seconds per phase so far, rounded to the millisecond."""
    return {name: round(seconds, 3) for name, seconds in sorted(_totals().items())}
