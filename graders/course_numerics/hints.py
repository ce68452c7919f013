"""Hints on failed checks that name the cause, as the notebooks' public checks do (a pytest plugin).

A check that fails because the student's code raised reports numpy's own words: "operands could not be
broadcast together with shapes (10,3) (10,)" or "FloatingPointError: overflow encountered in exp".  Those
are true but name no cause.  The public checks in the notebooks explain the two usual ones; so does this
plugin, after the check has run, by appending one line to the message of a failed check whose message
shows the pattern:

* a broadcast of shapes (n, k) and (n,): a max or sum over the last axis without ``keepdims=True``;
* a floating-point error in exp (raised under ``fp_errors="raise"``): ``np.where`` computes both of its
  branches, so the branch meant for the other sign overflows.

And where a function calls another answer of the notebook (``CALLS``: ps2's sparse_cce_from_logits and
log_softmax may call logsumexp or softmax), a failed check of the caller says so when a check of the callee,
graded earlier in the same run, failed too: "calls your logsumexp, which fails its own check".  It never
says more than the two facts: which function the student's code calls, read from that function's own
code object, and that its check failed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from course_kit.grading.student_kernel import StudentCodeError, StudentKernel

BROADCAST = re.compile(r"could not be broadcast together with shapes \((\d+),(\d+)\) \((\d+),\)")
EXP_ERROR = re.compile(r"FloatingPointError: overflow encountered in exp")

KEEPDIMS = ("Hint: a max or sum over the last axis drops that axis unless you pass keepdims=True, so rows of "
            "shape {rows} minus one number per row, of shape ({n},), cannot broadcast: use keepdims=True.")
WHERE = ("Hint: np.where(condition, a, b) computes both a and b for every element before choosing, so exp in "
         "the branch meant for the other sign still overflows (an error here, where floating-point errors are "
         "raised): give exp only arguments <= 0, e.g. np.exp(-np.abs(z)).")

# grade_id of a caller's cell -> (its function, {function it may call: grade_id of that function's cell}).
CALLS = {
    "test_log_softmax": ("log_softmax", {"logsumexp": "test_logsumexp", "softmax": "test_softmax"}),
    "test_sparse_cce": ("sparse_cce_from_logits", {"logsumexp": "test_logsumexp", "log_softmax": "test_log_softmax",
                                                   "softmax": "test_softmax"}),
}

_FAILED = pytest.StashKey[dict]()  # grade_id -> whether a check of it has failed in this run


def hint_for(message: str) -> str | None:
    """The hint a failure message calls for, or None."""
    if (shapes := BROADCAST.search(message)) is not None and shapes[1] == shapes[3]:
        return KEEPDIMS.format(rows=f"({shapes[1]}, {shapes[2]})", n=shapes[1])
    if EXP_ERROR.search(message):
        return WHERE
    return None


def _calls(student: StudentKernel, function: str, names: dict[str, str]) -> list[str]:
    """Which of ``names`` the student's ``function`` refers to by name (its code object's co_names)."""
    try:
        used = student.json(f"list(getattr(getattr({function}, '__code__', None), 'co_names', ()))",
                            what=f"the names {function} uses")
    except StudentCodeError:
        return []
    return [name for name in names if isinstance(used, list) and name in used]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    cell = Path(str(item.path)).stem
    failed = item.config.stash.setdefault(_FAILED, {})
    try:
        result = yield
    except (AssertionError, StudentCodeError) as error:
        failed[cell] = True
        notes = [hint] if (hint := hint_for(str(error))) is not None else []
        student = getattr(item, "funcargs", {}).get("student")
        if cell in CALLS and isinstance(student, StudentKernel) and student.answers_in_time:
            function, callees = CALLS[cell]
            for callee in _calls(student, function, callees):
                if failed.get(callees[callee]):
                    notes.append(f"Note: {function} calls your {callee}, which fails its own check "
                                 f"({callees[callee].removeprefix('test_')} above); fix {callee} first.")
        if not notes:
            raise
        raise type(error)("\n".join([str(error), *notes])) from None
    failed.setdefault(cell, False)
    return result
