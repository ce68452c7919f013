"""From pytest reports to a score per test cell.

Each grader module ``graders/<assignment>/test_<cell>.py`` scores the
notebook's test cell whose nbgrader ``grade_id`` is ``test_<cell>``.  The
cell's points are split over the module's checks in proportion to their
``weight`` marker (default 1).  A check with weight 0 is reported to the
student but carries no points: that is how a stricter accuracy tier is shown
without being silently required.

A check's message is what the student reads of a failure, and it may quote the submission (an
exception's message, a returned value): it is cut to ``MAX_MESSAGE_CHARS`` here, whatever the
grader put in it (``course_kit.grading.excerpt``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from course_kit.grading.excerpt import MAX_MESSAGE_CHARS, excerpt
from course_kit.grading.student_kernel import StudentCodeError


@dataclass
class CheckResult:
    name: str  # as the student sees it: the test's docstring's first line, and its parameter id
    weight: float
    passed: bool
    message: str = ""
    # Optional data a grader attaches with pytest's record_property (see ResultCollector); None: not given.
    worst_input: Any = None
    figure: str | None = None  # a PNG, base64


@dataclass
class CellReport:
    cell_id: str
    checks: list[CheckResult] = field(default_factory=list)

    def fraction(self) -> float:
        total = sum(c.weight for c in self.checks)
        if total == 0:
            return 1.0 if all(c.passed for c in self.checks) else 0.0
        return sum(c.weight for c in self.checks if c.passed) / total

    def score(self, points: float) -> float:
        # Round down so that rounding can never hand out more than was earned.
        return math.floor(points * self.fraction() * 100 + 1e-9) / 100

    def render(self, points: float) -> str:
        count = f"{len(self.checks)} check{'s' if len(self.checks) != 1 else ''}"
        lines = [f"Scored by the hidden grader, outside your notebook ({count}):"]
        for check in self.checks:
            mark = "passed" if check.passed else "FAILED"
            note = "" if check.weight else " (reported only, no points)"
            lines.append(f"  {mark:6}  {check.name}{note}")
            if check.message and not check.passed:
                lines.extend(f"            {line}" for line in check.message.splitlines())
        lines.append(f"Score for this cell: {self.score(points):g} of {points:g}")
        return "\n".join(lines)


def _check_name(item: pytest.Item) -> str:
    doc = getattr(getattr(item, "function", None), "__doc__", None) or item.name
    name = doc.strip().splitlines()[0].rstrip(".")
    callspec = getattr(item, "callspec", None)
    return f"{name} [{callspec.id}]" if callspec else name


def _failure_message(excinfo: pytest.ExceptionInfo[BaseException]) -> str:
    """What the student reads of a failed check: the error's message, at most MAX_MESSAGE_CHARS of it."""
    return excerpt(_full_message(excinfo), MAX_MESSAGE_CHARS)


def _full_message(excinfo: pytest.ExceptionInfo[BaseException]) -> str:
    error = excinfo.value
    if isinstance(error, StudentCodeError):
        return str(error)
    if isinstance(error, AssertionError):
        # pytest appends its own "assert ..." explanation, which quotes grader source: drop it.
        return str(error).split("\nassert ")[0].strip() or "check failed"
    return f"the grader could not run this check ({type(error).__name__}: {error}); tell your instructor"


ATTACHED = ("worst_input", "figure")  # what a check may attach: ``record_property("worst_input", [36.0, 0.0])``


class ResultCollector:
    """pytest plugin that records one CheckResult per test, grouped by grader module.

    A check can attach data to its result with pytest's ``record_property`` fixture, under the names in
    ``ATTACHED``: the input its message names, as data, and a figure; they go into the grading record.
    """

    def __init__(self) -> None:
        self.cells: dict[str, CellReport] = {}

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]):
        report = yield
        if report.when == "call" or (report.when == "setup" and not report.passed):
            cell_id = Path(str(item.path)).stem
            marker = item.get_closest_marker("weight")
            weight = float(marker.args[0]) if marker else 1.0
            message = "" if report.passed else _failure_message(call.excinfo) if call.excinfo else ""
            attached = {k: v for k, v in item.user_properties if k in ATTACHED}
            self.cells.setdefault(cell_id, CellReport(cell_id)).checks.append(
                CheckResult(_check_name(item), weight, report.passed, message, **attached)
            )
        return report
