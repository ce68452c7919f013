"""Every number the notebooks' prose states is one their cells compute.

The prose of a source notebook quotes results: thresholds (36.74, 709.78), errors (0.04, 4%), losses
(1.5586e-133). The cells print them live next to the prose, but nothing made the two agree, so an edit of a
cell or of numpy could leave the text behind. This test executes each source notebook (nbclient, a plain
kernel, no grading), collects every number its markdown states and every number its outputs print, and
requires each stated number to be what some output prints, rounded to the digits the prose gives: prose
"36.0437" matches an output 36.04365338911715, "4%" matches 0.0427, "6.416e+132" matches 6.415825835e+132.

Which numbers count: decimals (36.74, 0.04, .5 is not written), numbers in scientific notation (1.11e-16,
5.96e-08) and percentages. Integers do not: in this prose they are the inputs the cells are given (z = 40,
y = 0), counts (53 significant bits, 3 points) and exponents ($10^{-16}$), and a bare integer would match
almost any output. A decimal that is not a result (the grid step 0.01, an input such as y = 0.25) is listed
in the notebook's ``given`` table below with the reason, so that every other decimal must be computed.

Data-driven: to cover another notebook (ps3), add an entry to NOTEBOOKS.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import REPO


@dataclass(frozen=True)
class Notebook:
    path: str  # relative to the repository
    given: dict[str, str] = field(default_factory=dict)  # a prose number that is an input or a definition -> why
    timeout: int = 60


NOTEBOOKS = {
    "ps1_naive_loss": Notebook(
        "source/ps1_naive_loss/naive_loss.ipynb",
        given={
            "0.00": "the grid's first value, a definition",
            "0.01": "the grid step, a definition",
            "0.02": "the grid's third value, a definition",
            "50.00": "the grid's last value, a definition",
        },
    ),
    "ps2_stable_loss": Notebook("source/ps2_stable_loss/stable_loss.ipynb"),
}

# A decimal, a number in scientific notation or a percentage, not part of a word or an identifier
# (float32, log1p, ps2) nor of a LaTeX command argument like 10^{-16} (an integer anyway).
_NUMBER = re.compile(r"(?<![\w.])(\d+\.\d+(?:e[+-]?\d+)?|\d+e[+-]?\d+|\d+(?:\.\d+)?%)(?![\w.]*\w)")
_OUTPUT_NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:e[+-]?\d+)?")


def stated_numbers(markdown: str) -> list[str]:
    """The numbers a markdown text states, as written (code spans excluded: they show code, not results)."""
    text = re.sub(r"`[^`]*`", " ", markdown)
    return _NUMBER.findall(text)


def printed_numbers(text: str) -> list[float]:
    """Every number an output prints, unsigned; a percentage also as the fraction it stands for."""
    values = []
    for match in _OUTPUT_NUMBER.finditer(text):
        value = abs(float(match.group()))
        values.append(value)
        if text.startswith("%", match.end()):
            values.append(value / 100)
    return [v for v in values if math.isfinite(v)]


def rounds_to(value: float, stated: str) -> bool:
    """Whether `value`, rounded to the digits `stated` shows, reads as `stated` (signs ignored: the prose writes
    thresholds like -709.78 with a typographic minus, the outputs print exp(709.78))."""
    if stated.endswith("%"):
        number = stated[:-1]
        decimals = len(number.partition(".")[2])
        return f"{100 * value:.{decimals}f}" == number
    if "e" in stated:
        mantissa, _, _ = stated.partition("e")
        digits = len(mantissa.partition(".")[2])
        return float(f"{value:.{digits}e}") == float(stated)
    decimals = len(stated.partition(".")[2])
    return f"{value:.{decimals}f}" == stated


def executed(notebook: Notebook) -> nbformat.NotebookNode:
    path = REPO / notebook.path
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=notebook.timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb


def outputs_text(nb: nbformat.NotebookNode) -> str:
    parts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.output_type == "stream":
                parts.append(output.text)
            elif output.output_type in ("execute_result", "display_data"):
                parts.append(output.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)


@pytest.mark.parametrize("name", list(NOTEBOOKS))
def test_every_number_in_the_prose_is_computed(name):
    notebook = NOTEBOOKS[name]
    nb = executed(notebook)
    printed = printed_numbers(outputs_text(nb))
    stated = [(cell.id, number) for cell in nb.cells if cell.cell_type == "markdown"
              for number in stated_numbers(cell.source)]
    assert stated, f"{name}: no numbers found in the prose; is the pattern broken?"
    unmatched = [(cell_id, number) for cell_id, number in stated
                 if number not in notebook.given and not any(rounds_to(v, number) for v in printed)]
    assert not unmatched, (
        f"{name}: the prose states numbers that no cell prints (cell id, number): {unmatched}. "
        "Fix the prose, print the number where the prose quotes it, or list it in `given` with the reason."
    )
    unused = set(notebook.given) - {number for _, number in stated}
    assert not unused, f"{name}: `given` lists numbers the prose no longer states: {sorted(unused)}"


@pytest.mark.parametrize(
    ("value", "stated", "expected"),
    [(36.04365338911715, "36.0437", True), (0.0427, "4%", True), (6.415825835e132, "6.416e+132", True),
     (36.74, "36.74", True), (36.76, "36.7", False), (16.64, "36.74", False), (0.0437, "4%", True),
     (0.0551, "4%", False), (5.960464477539063e-08, "5.96e-08", True)],
    ids=lambda v: str(v),
)
def test_rounding_rule(value, stated, expected):
    assert rounds_to(value, stated) is expected


def test_printed_percentages_count_as_fractions():
    assert printed_numbers("off by 4.3%, z = -800") == [4.3, 0.043, 800.0]


def test_number_pattern_skips_integers_code_and_identifiers():
    text = "z = 40 and 36.74, `1.5` in code, float32, log1p, 1.11e-16, 4% off, $10^{-16}$, ps2, 709.78."
    assert stated_numbers(text) == ["36.74", "1.11e-16", "4%", "709.78"]
