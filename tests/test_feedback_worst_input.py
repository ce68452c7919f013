"""A failed check's message names the worst input at most, never the hidden set (README, Security).

ps2's row-wise graders draw each student's random rows from the seed in the student's grading record
(``random_table``, graders/ps2_stable_loss/conftest.py).  For every student of the session's ps2 class (samples,
cheats and audit variants: many fail those checks), the rows are drawn again from the record's seeds, and every
failed check's message is searched for them: it shows the values of one row at most (the worst), out of the
hundreds drawn, and the student's whole feedback a sliver of the set.  The test first makes sure there is
something to look at: checks that failed on hidden rows, and messages that do name their worst row.
"""

from __future__ import annotations

import importlib.util
import re
import sys

import numpy as np
import pytest

from conftest import REPO
from course_kit.grading.record import read_record, record_path

ASSIGNMENT = "ps2_stable_loss"
MODULES = ["test_logsumexp", "test_softmax", "test_log_softmax"]  # their random rows: ROW_SIZES, unlabelled
# The grader modules imported here to draw a student's rows again register no marks in this process.
pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnknownMarkWarning")
_NUMBER = re.compile(r"-?\d+\.\d+(?:e[-+]?\d+)?")


def _graders(name: str):
    path = REPO / "graders" / ASSIGNMENT / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"worst_input_{ASSIGNMENT}_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def hidden_rows(seed: str, module: str) -> np.ndarray:
    """Every value of the random rows ``module`` drew for the student with this seed (float64)."""
    sys.path.insert(0, str(REPO / "graders"))
    try:
        table = _graders("conftest").random_table(int(seed, 16), tuple(_graders(module).ROW_SIZES))
    finally:
        sys.path.remove(str(REPO / "graders"))
    return np.unique(np.concatenate([rows.ravel() for rows in table.values()]))


def shown(message: str, hidden: np.ndarray) -> int:
    """How many of the hidden values the message prints (as numpy prints a row: 6 decimals, or float32's)."""
    numbers = np.array([float(x) for x in _NUMBER.findall(message)])
    if numbers.size == 0:
        return 0
    close = np.abs(hidden[:, None] - numbers[None, :]) <= 1e-5 * np.maximum(1.0, np.abs(hidden[:, None]))
    return int(close.any(axis=1).sum())


def test_a_failed_check_names_one_row_at_most_never_the_hidden_set(graded, course):
    results = graded(ASSIGNMENT)
    checked = named = 0
    for student, result in results.items():
        if not result.success:
            continue
        failed = {module: [c.message for c in result.cells[module].checks if not c.passed and "random rows" in c.name]
                  for module in MODULES}
        if not any(failed.values()):
            continue  # no check on hidden rows failed (or none ran: a notebook that broke its own kernel)
        folder = course.course_dir / "autograded" / student / ASSIGNMENT
        (notebook,) = folder.glob("*.ipynb")
        seeds = read_record(record_path(folder, notebook.stem), ASSIGNMENT, student, notebook.stem).hidden_seeds
        assert seeds and set(MODULES) <= set(seeds), (student, seeds)
        for module, messages in failed.items():
            hidden = hidden_rows(seeds[module], module)
            largest_row = max(_graders(module).ROW_SIZES)
            for message in messages:
                checked += 1
                count = shown(message, hidden)
                named += count > 0
                assert count <= largest_row, f"{student}/{module}: {count} hidden values in one message:\n{message}"
            assert sum(shown(m, hidden) for m in messages) <= len(messages) * largest_row < hidden.size / 10
    assert checked >= 10 and named >= 10, (checked, named)  # there was something to look at, and it was found
