"""Failed checks name the cause: course_numerics.hints (message patterns, "calls your X") and .mistakes (values).

- Unit: a broadcast of (n, k) with (n,) gets the keepdims line; an overflow in exp gets the np.where line only
  from code that calls np.where, otherwise the "exponentiate only numbers <= 0" line; the values of softmax
  applied twice are recognised in float64 and float32, and right values or another mistake's are not.
- End to end, ps2's graders run by hand on submissions made of the audit corpus's variants
  (graders/ps2_stable_loss/audit/), so that the two never drift:
  * softmax applied twice inside sparse CCE: every failed check of the cell says so, and none accuses the
    student of silencing a warning (they got "a silenced warning is not a fixed formula" before);
  * a logsumexp that drops keepdims, under a right log_softmax that calls it (graded before logsumexp: the
    probe finds logsumexp wrong), a right softmax that calls log_softmax (graded after it: its recorded
    failure) and the right sparse CCE: each caller's messages open with "calls your <callee>"; before,
    log_softmax and softmax blamed only themselves.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

from conftest import REPO
from course_kit.instructor.audit import read_variant
from course_kit.instructor.samples import Sample, build_submission
from course_numerics.hints import EXP, KEEPDIMS, WHERE, hint_for
from course_numerics.mistakes import NAIVE, TWICE, named_mistake

ASSIGNMENT = "ps2_stable_loss"
CORPUS = REPO / "graders" / ASSIGNMENT / "audit"


def _numpy_says(code) -> str:
    with pytest.raises(Exception) as caught:
        code()
    return f"logsumexp(...) raised {type(caught.value).__name__}: {caught.value}"


def test_a_max_without_keepdims_is_named():
    z = np.zeros((10, 3))
    message = _numpy_says(lambda: z - np.max(z, axis=-1))
    assert hint_for(message) == KEEPDIMS.format(rows="(10, 3)", n=10)


def _where_both_branches():
    z = np.array([-800.0, 800.0])
    with np.errstate(over="raise"):
        return np.where(z >= 0, np.log1p(np.exp(-z)), -z + np.log1p(np.exp(z)))


def _unshifted():
    with np.errstate(over="raise"):
        return np.log(np.sum(np.exp(np.array([1000.0, 0.0]))))


def test_an_overflow_in_exp_blames_np_where_only_in_code_that_calls_it():
    assert hint_for(_numpy_says(_where_both_branches), uses={"np", "where", "exp", "log1p"}) == WHERE
    # The same error from a logsumexp without the max shift: no np.where there, so no np.where in the hint.
    assert hint_for(_numpy_says(_unshifted), uses={"np", "log", "sum", "exp"}) == EXP


def test_other_failures_get_no_hint():
    assert hint_for("sigmoid on edge values: 3 of 17 values outside the tolerance") is None
    assert hint_for("operands could not be broadcast together with shapes (4,3) (5,)") is None  # not one per row


def _softmax(z):
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def _cce(labels, z):
    m = np.max(z, axis=-1)
    return m + np.log(np.sum(np.exp(z - m[:, None]), axis=-1)) - z[np.arange(len(z)), labels]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_softmax_applied_twice_is_recognised_from_the_values(dtype):
    rng = np.random.default_rng(7)
    z = (rng.standard_normal((40, 5)) * 30).astype(dtype)
    labels = rng.integers(0, 5, 40)
    twice = _cce(labels, _softmax(z)).astype(dtype)  # the student's arithmetic, in the logits' dtype
    assert named_mistake("sparse_cce_from_logits", (labels, z), twice) == TWICE.format(name="sparse_cce_from_logits")
    assert named_mistake("sparse_cce_from_logits", (labels, z), _cce(labels, z).astype(dtype)) is None  # right
    with np.errstate(all="ignore"):
        log_of_softmax = -np.log(_softmax(z)[np.arange(40), labels])
    assert named_mistake("sparse_cce_from_logits", (labels, z), log_of_softmax) is None  # another mistake
    with np.errstate(all="ignore"):
        log_softmax_twice = (_softmax(z) - np.log(np.sum(np.exp(_softmax(z)), axis=-1, keepdims=True))).astype(dtype)
    assert named_mistake("log_softmax", (z,), log_softmax_twice) == TWICE.format(name="log_softmax")


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_naive_loss_is_recognised_by_where_it_breaks(dtype):
    z = np.array([0.0, 5.0, -17.0, 17.0, 37.0, -40.0, 100.0, 800.0, -800.0], dtype)
    y = np.tile(np.array([0.0, 1.0], dtype), 5)[:z.size]
    with np.errstate(all="ignore"):
        p = 1 / (1 + np.exp(-z))
        naive = -y * np.log(p) - (1 - y) * np.log(1 - p)  # the student's arithmetic, in the dtype given
        stable = np.where(z >= 0, z * (1 - y), -z * y) + np.log1p(np.exp(-np.abs(z)))
    assert not np.all(np.isfinite(naive))
    assert named_mistake("stable_bce", (y, z), naive) == NAIVE
    assert named_mistake("stable_bce", (y, z), stable) is None
    assert named_mistake("stable_bce", (y, z), np.nan_to_num(naive, posinf=0.0, nan=0.0)) is None  # silenced


# -- end to end: ps2's graders, run by hand on the audit corpus's variants ---------------------------------------

def _sections(name: str) -> dict[str, str]:
    return read_variant(CORPUS / f"{name}.py").sample.sections


def _failures(tmp_path: Path, sample: Sample) -> dict[str, list[str]]:
    """test cell -> the messages of its failed checks, for the reference notebook with ``sample``'s cells."""
    (release,) = (REPO / "release" / ASSIGNMENT).glob("*.ipynb")
    (source,) = (REPO / "source" / ASSIGNMENT).glob("*.ipynb")
    path = tmp_path / release.name
    nbformat.write(build_submission(release, source, sample), path)
    run = subprocess.run([sys.executable, "-m", "pytest", f"graders/{ASSIGNMENT}", "-p", "no:cacheprovider",
                          "--tb=line", "--submission", str(path)], cwd=REPO, capture_output=True, text=True,
                         timeout=600)
    assert re.search(r"^total: ", run.stdout, re.M), run.stdout[-3000:] + run.stderr[-2000:]
    failures: dict[str, list[str]] = {}
    # --tb=line: each failure is "E   <Error>: <first line>" followed by its further lines, indented.
    for block in re.split(r"^E   ", run.stdout, flags=re.M)[1:]:
        lines = block.split("\n")
        message = "\n".join([lines[0]] + [line.strip() for line in lines[1:] if line.startswith("    ")])
        cell = re.search(r"(?:^|\s)(\w+)\(\.\.\.\) raised|^\S*?(?:Error): (?:Cause: )?(\w+)", message)
        failures.setdefault(next(g for g in cell.groups() if g) if cell else "?", []).append(message)
    return failures


def test_softmax_twice_in_sparse_cce_is_named_and_nobody_is_accused_of_silencing(tmp_path):
    sample = Sample("twice", "softmax twice", _sections("scce_double_softmax"), "reference")
    failures = _failures(tmp_path, sample)
    messages = failures.get("sparse_cce_from_logits", [])
    assert len(messages) >= 5, failures  # extremes, random rows in both dtypes, shapes, no-warning checks
    assert all("softmax is applied twice" in m for m in messages), messages
    assert not any("silenced" in m for m in messages), messages


def test_a_caller_names_the_wrong_function_it_calls(tmp_path):
    sections = {**_sections("lsm_calls_broken_logsumexp"), **_sections("sm_calls_broken_log_softmax"),
                "log_softmax": _sections("lsm_calls_broken_logsumexp")["log_softmax"]}
    failures = _failures(tmp_path, Sample("callers", "callers of a broken logsumexp", sections, "reference"))
    for caller, callee in [("log_softmax", "logsumexp"), ("softmax", "log_softmax"),
                           ("sparse_cce_from_logits", "logsumexp")]:
        messages = [m for m in failures.get(caller, [])]
        assert messages, f"{caller} lost nothing: {sorted(failures)}"
        cause = f"Cause: {caller} calls your {callee}, which fails its own check"
        assert all(cause in m for m in messages), messages
    assert not any("Cause:" in m for m in failures.get("logsumexp", [])), failures["logsumexp"]
