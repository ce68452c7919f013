"""Hints on failed checks that name the cause, as the notebooks' public checks do (a pytest plugin).

A check that fails because the student's code raised reports numpy's own words: "operands could not be
broadcast together with shapes (10,3) (10,)" or "FloatingPointError: overflow encountered in exp".  Those
are true but name no cause.  The public checks in the notebooks explain the two usual ones; so does this
plugin, after the check has run, by appending one line to the message of a failed check whose message
shows the pattern:

* a broadcast of shapes (n, k) and (n,): a max or sum over the last axis without ``keepdims=True``;
* a floating-point error in exp (raised under ``fp_errors="raise"``): in code that calls ``np.where``, both of
  its branches are computed, so the branch meant for the other sign overflows; in other code, exp of a
  positive number (a row not shifted by its max).

And where a function calls another answer of the notebook (``ANSWERS``: any of ps2's functions of logits
may call another, as the public checks assume), a failed check of the caller names the callee first when
the callee is wrong: "Cause: sparse_cce_from_logits calls your logsumexp, which fails its own check (in
logsumexp's cell): fix logsumexp first".  Which callees: the global names the caller's own code loads
(``global_names``; the public checks read co_names, attribute names too).  Wrong: its cell's checks
failed, if pytest graded that cell earlier in this run; otherwise (pytest grades the modules in file-name
order, so log_softmax before logsumexp) ``probe``, the callee on a few public rows against its exact
values and bound, in both dtypes and with floating-point errors raised, as its own checks call it.  The
note states only those two facts, and quotes nothing the student's kernel said.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from course_kit.grading.student_kernel import StudentCodeError, StudentKernel, in_order
from course_numerics import reference
from course_numerics.tolerances import log_softmax_bound, logsumexp_bound, softmax_bound

BROADCAST = re.compile(r"could not be broadcast together with shapes \((\d+),(\d+)\) \((\d+),\)")
EXP_ERROR = re.compile(r"FloatingPointError: overflow encountered in exp")

KEEPDIMS = ("Hint: a max or sum over the last axis drops that axis unless you pass keepdims=True, so rows of "
            "shape {rows} minus one number per row, of shape ({n},), cannot broadcast: use keepdims=True.")
WHERE = ("Hint: np.where(condition, a, b) computes both a and b for every element before choosing, so exp in "
         "the branch meant for the other sign still overflows (an error here, where floating-point errors are "
         "raised): give exp only arguments <= 0, e.g. np.exp(-np.abs(z)).")
EXP = ("Hint: exp of a large positive number overflows (an error here, where floating-point errors are raised): "
       "exponentiate only numbers <= 0, such as z - max(z) along a row, or -|z| for one logit.")
CALLER = re.compile(r"(\w+)\(\.\.\.\) raised")  # "logsumexp(...) raised FloatingPointError: ...": who raised

# ps2's answers that another answer may call: grade_id of its test cell -> the function.
ANSWERS = {
    "test_logsumexp": "logsumexp",
    "test_softmax": "softmax",
    "test_log_softmax": "log_softmax",
    "test_sparse_cce": "sparse_cce_from_logits",
    "test_stable_bce": "stable_bce",
}
# The callees ``probe`` can judge on its own: function -> (exact values, bound(z, exact, dtype)).
PROBED: dict[str, tuple[Callable[..., np.ndarray], Callable[..., np.ndarray]]] = {
    "logsumexp": (reference.logsumexp, lambda z, exact, dtype: logsumexp_bound(z, dtype)),
    "softmax": (reference.softmax, softmax_bound),
    "log_softmax": (reference.log_softmax, log_softmax_bound),
}
# Public rows like the notebook's own checks: overflow, underflow, a batch of rows (keepdims), dtypes.
PROBE_ROWS = np.array([[1000.0, 0.0, -1000.0], [-800.0, -800.0, -800.0], [0.0, np.log(2.0), np.log(5.0)],
                       [1e4, 1e4, 0.0]])
PROBE_ROWS32 = np.array([[100.0, 0.0, -100.0], [-120.0, -120.0, -120.0], [0.0, 1.0, 2.0]], np.float32)
# Names through which code silences numpy's floating-point warnings.
SILENCERS = frozenset({"errstate", "seterr", "nan_to_num", "catch_warnings", "filterwarnings", "simplefilter"})

_FAILED = pytest.StashKey[dict]()  # grade_id -> whether a check of it has failed in this run
_PROBED = pytest.StashKey[dict]()  # function -> whether ``probe`` found it wrong in this run


def hint_for(message: str, uses: set[str] | frozenset[str] = frozenset()) -> str | None:
    """The hint a failure message calls for, or None.  ``uses``: the names the failing function's code refers to
    (``code_names``): an overflow in exp is blamed on np.where only in code that calls it."""
    if (shapes := BROADCAST.search(message)) is not None and shapes[1] == shapes[3]:
        return KEEPDIMS.format(rows=f"({shapes[1]}, {shapes[2]})", n=shapes[1])
    if EXP_ERROR.search(message):
        return WHERE if "where" in uses else EXP
    return None


def code_names(student: StudentKernel, function: str) -> set[str]:
    """The global and attribute names the student's ``function`` refers to: its code object's co_names, and those
    of the code it holds (a comprehension, a lambda, a nested def), as the public checks read them."""
    expression = (f"sorted({{n for c in [getattr({function}, '__code__', None)] + "
                  f"list(getattr(getattr({function}, '__code__', None), 'co_consts', ())) "
                  f"for n in getattr(c, 'co_names', ()) if isinstance(n, str)}})")
    return _names(student, expression, f"the names {function} uses")


def global_names(student: StudentKernel, function: str) -> set[str]:
    """The global names the student's ``function`` (and the code it holds) loads: the functions it can call by
    name.  Not attribute names: ``scipy.special.logsumexp(z)`` does not call the student's logsumexp."""
    code = f"getattr({function}, '__code__', None)"
    expression = (f"sorted({{i.argval for c in [{code}] + list(getattr({code}, 'co_consts', ())) "
                  f"if hasattr(c, 'co_code') for i in __import__('dis').get_instructions(c) "
                  f"if i.opname in ('LOAD_GLOBAL', 'LOAD_NAME') and isinstance(i.argval, str)}})")
    return _names(student, expression, f"the global names {function} uses")


def _names(student: StudentKernel, expression: str, what: str) -> set[str]:
    """The strings of the list ``expression`` gives in the student's kernel; none if it fails or is not a list."""
    try:
        used = student.json(expression, what=what)
    except StudentCodeError:
        return set()
    return {name for name in used if isinstance(name, str)} if isinstance(used, list) else set()


def probe(student: StudentKernel, function: str) -> bool:
    """Whether the student's ``function`` (one of ``PROBED``) is wrong on the public probe rows: an error (with
    floating-point errors raised), a wrong shape or dtype, or a value outside its bound."""
    exact_fn, bound = PROBED[function]
    cases = [PROBE_ROWS, PROBE_ROWS[0], PROBE_ROWS32]
    try:
        answers = list(in_order(student.call_many(function, [(z,) for z in cases], fp_errors="raise")))
    except StudentCodeError:
        return True
    for z, got in zip(cases, answers, strict=True):
        exact = exact_fn(z)
        if got.shape != exact.shape or got.dtype != z.dtype:
            return True
        with np.errstate(invalid="ignore", over="ignore"):
            if not np.all(np.abs(got.astype(np.float64) - exact) <= bound(z, exact, z.dtype)):
                return True
    return False


def _wrong(item: pytest.Item, student: StudentKernel, cell: str) -> bool:
    """Whether the answer of test cell ``cell`` is wrong: its checks failed in this run, or (not graded yet) the
    probe finds it wrong."""
    failed = item.config.stash.setdefault(_FAILED, {})
    if cell in failed:
        return failed[cell]
    function = ANSWERS[cell]
    if function not in PROBED:
        return False
    probed = item.config.stash.setdefault(_PROBED, {})
    if function not in probed:
        probed[function] = probe(student, function)
    return probed[function]


def wrong_callees(item: pytest.Item, student: StudentKernel, cell: str) -> list[str]:
    """The other answers that the answer of ``cell`` calls and that are wrong themselves, in notebook order."""
    used = global_names(student, ANSWERS[cell])
    return [function for callee, function in ANSWERS.items()
            if callee != cell and function in used and _wrong(item, student, callee)]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    cell = Path(str(item.path)).stem
    failed = item.config.stash.setdefault(_FAILED, {})
    try:
        result = yield
    except (AssertionError, StudentCodeError) as error:
        failed[cell] = True
        student = getattr(item, "funcargs", {}).get("student")
        uses: set[str] = set()
        if EXP_ERROR.search(str(error)) and (caller := CALLER.search(str(error))) is not None \
                and isinstance(student, StudentKernel) and student.answers_in_time:
            uses = code_names(student, caller[1])
        notes = [hint] if (hint := hint_for(str(error), uses)) is not None else []
        causes = []
        if cell in ANSWERS and isinstance(student, StudentKernel) and student.answers_in_time:
            function = ANSWERS[cell]
            # First: the student reads the cause before the symptom, and an 800-character cut keeps the head.
            causes = [f"Cause: {function} calls your {callee}, which fails its own check (in {callee}'s cell): fix "
                      f"{callee} first, and this check may then pass too."
                      for callee in wrong_callees(item, student, cell)]
        if not notes and not causes:
            raise
        raise type(error)("\n".join([*causes, str(error), *notes])) from None
    failed.setdefault(cell, False)
    return result
