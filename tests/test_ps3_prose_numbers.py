"""Every number ps3's prose states is what its cells compute, or a setting its code is written with.

The source notebook is executed once, as a student runs it. NUMBERS lists, per markdown cell, each
number its text states (as written) and where it comes from:

* ``Computed(expression)``: evaluated in the kernel after the last cell; the written number must be
  that value rounded to the digits written (``about=f``: within a factor f, for run times);
* ``Timed(cells)``: a run time; listed here, measured and printed by ``make bench`` (a claim about speed
  is not asserted in a test);
* ``InCode(cell)``: a setting or an input the prose restates; it must appear literally in that cell;
* ``Math(reason)``: part of a formula, not a result (the 10 of 10^-7).

A number in the prose that NUMBERS does not list fails the test, so an edit cannot add an unchecked
number; single digits are exempt unless listed (section numbers, "problem set 2", "class 1").
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import datetime

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import REPO

SOURCE = REPO / "source" / "ps3_keras_from_logits" / "keras_from_logits.ipynb"
NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:e-?\d+)?(?!\w)")


@dataclass(frozen=True)
class Computed:
    expression: str
    about: float | None = None


@dataclass(frozen=True)
class Timed:
    """Seconds the run spent in the cells named (all code cells if none), within a factor `about`."""

    cells: tuple[str, ...] = ()
    about: float = 3.0


@dataclass(frozen=True)
class InCode:
    cell: str


@dataclass(frozen=True)
class Math:
    reason: str


NUMBERS = {
    "intro": {
        "0.01": InCode("compile_model"),
        "50": InCode("train"),
        "9": Timed(),
        "4": Timed(("setup",), about=4),  # the setup cell is the import, and the slowest part of a cold start
    },
    "data_intro": {"1.4": InCode("data")},
    "folded_note": {
        "1000": Computed("Z[1, 0]"),
        "-1000": Computed("Z[1, 2]"),
        "2000": Computed("keras_loss.numpy()[1]"),
    },
    "build_intro": {"25": InCode("obvious"), "15": InCode("obvious")},
    "compile_intro": {
        "0.01": InCode("compile_model"),
        "3": InCode("train_model"),
        "0.001": Computed("keras.optimizers.Adam().learning_rate"),
    },
    "train_intro": {
        "50": InCode("train"),
        "1000": Computed("len(X_train)"),
        "20": Computed("history.params['steps']"),
    },
    "relu_row_note": {
        "3": Computed("np.argmax(np_softmax(z_row))"),
        "0.6109": Computed("np_softmax(z_row)[3]"),
        "0.25": Computed("np_softmax(np.maximum(z_row, 0.0))[0]"),
    },
    "relu_model_note": {
        "0.7720": Computed("relu_loss"),
        "0.467": Computed("relu_accuracy"),
        "1": Computed("quiet_units[0]"),
        "3": Computed("quiet_units[1]"),
        "505": Computed("np.sum(all_zero)"),
        "0": Computed("np.bincount(y_train[all_zero], minlength=4)[0]"),
        "252": Computed("np.bincount(y_train[all_zero], minlength=4)[1]"),
        "253": Computed("np.bincount(y_train[all_zero], minlength=4)[3]"),
    },
    "binary_intro": {
        "16": InCode("build_binary_model"),
        "0.01": InCode("build_binary_model"),
        "0.0": InCode("build_binary_model"),
        "0.5": Computed("keras.metrics.BinaryAccuracy().threshold"),
        "0.3": InCode("test_binary_model"),
    },
    "binary_note": {"0.5": Computed("numpy_sigmoid(gap32)")},
    "sigmoid_gap_note": {
        "0.5": Computed("numpy_sigmoid(gap32)"),
        "1.23e-7": Computed("gap32"),
        "5.96e-8": Computed("gap32_keras"),
        "1.7e-16": Computed("gap64", about=1.15),  # 1.67e-16 (AVX2 here), 1.56e-16 with AVX-512
        "1000": Computed("np.sum((pb > 0.5) == (zb > 0))"),
    },
    "keras_cache_intro": {"40": InCode("keras_cache"), "-800": InCode("keras_cache")},
    "keras_cache_note": {"280.0162": Computed("keras.losses.BinaryCrossentropy(from_logits=True)(y, z)")},
    "keras_clip_intro": {
        "1.0": InCode("keras_clip"),
        "10": Math("the base of 10^-7"),
        "-7": Computed("np.log10(keras.config.epsilon())"),
    },
    "keras_clip_note": {
        "40": Computed("keras.losses.BinaryCrossentropy(from_logits=True, reduction=None)(y, z)[0]"),
        "800": Computed("keras.losses.BinaryCrossentropy(from_logits=True, reduction=None)(y, z)[1]"),
        "15.942385": Computed("bce(y, p_numpy)[0]"),
        "16.118095": Computed("bce(y, p_numpy)[1]"),
        "10": Math("the base of 10^-7"),
        "-7": Computed("np.log10(keras.config.epsilon())"),
    },
    "why_from_logits": {"16": Computed("-np.log(eps32)")},
    "double_softmax_note": {
        "0.4754": Computed("np_softmax(np.array([1.0, 0, 0, 0]))[0]"),
        "10": Math("the base of 10^-7"),
        "-7": Computed("np.log10(keras.config.epsilon())"),
        "16": Computed("-np.log(eps32)"),
    },
}


def markdown_cells() -> dict[str, str]:
    nb = nbformat.read(SOURCE, as_version=4)
    return {c.metadata["nbgrader"]["grade_id"]: c.source for c in nb.cells if c.cell_type == "markdown"}


def code_cells() -> dict[str, str]:
    nb = nbformat.read(SOURCE, as_version=4)
    return {c.metadata["nbgrader"]["grade_id"]: c.source for c in nb.cells if c.cell_type == "code"}


def agrees(written: str, value: float, about: float | None) -> bool:
    """value, rounded to the digits written, is the written number (or within a factor `about` of it)."""
    target = float(written)
    if about is not None:
        return target / about <= value <= target * about
    mantissa, _, exponent = written.lstrip("-").partition("e")
    decimals = len(mantissa.partition(".")[2])
    half_unit = 0.5 * 10.0 ** (int(exponent or 0) - decimals)
    return abs(value - target) <= half_unit * (1 + 1e-9)


def test_agrees_reads_the_digits_written():
    assert agrees("0.430", 0.43, None) and agrees("1.23e-7", 1.2318972e-07, None) and agrees("16", 16.118, None)
    assert not agrees("0.431", 0.43, None) and not agrees("1.24e-7", 1.2318972e-07, None)
    assert not agrees("15", 16.118, None) and not agrees("20", 70.0, 3) and agrees("20", 50.0, 3)


def test_every_number_in_the_prose_is_listed():
    cells = markdown_cells()
    assert set(NUMBERS) <= set(cells), f"NUMBERS names cells the notebook lacks: {set(NUMBERS) - set(cells)}"
    problems = []
    for cell, text in cells.items():
        found = set(NUMBER.findall(text))
        listed = NUMBERS.get(cell, {})
        if unlisted := sorted(n for n in found - set(listed) if not re.fullmatch(r"-?\d", n)):
            problems.append(f"{cell} states {unlisted}, which NUMBERS does not list: add where each comes from")
        if gone := sorted(set(listed) - found):
            problems.append(f"NUMBERS lists {gone} for {cell}, whose text no longer states them")
    assert not problems, "\n".join(problems)


def test_settings_the_prose_restates_are_in_the_code():
    code = code_cells()
    for cell, numbers in NUMBERS.items():
        for written, source in numbers.items():
            if isinstance(source, InCode):
                in_code = {float(n) for n in NUMBER.findall(code[source.cell])}
                assert float(written) in in_code, f"{cell} says {written}; cell {source.cell} holds no such number"


def seconds_in(nb: nbformat.NotebookNode, cells: tuple[str, ...]) -> float:
    """Seconds the executed notebook spent in these code cells (all but the probe if none), per nbclient."""
    total = 0.0
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.cell_type == "code" and grade_id and (not cells or grade_id in cells):
            timing = cell.metadata["execution"]
            start, end = (datetime.fromisoformat(timing[k]) for k in ("iopub.execute_input", "shell.execute_reply"))
            total += (end - start).total_seconds()
    return total


@pytest.fixture(scope="module")
def computed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, float]:
    """The source notebook run once, as a student runs it; then every Computed expression, in its kernel."""
    nb = nbformat.read(SOURCE, as_version=4)
    expressions = sorted({s.expression for n in NUMBERS.values() for s in n.values() if isinstance(s, Computed)})
    probe = f"import json\nprint(json.dumps({{e: float(eval(e)) for e in {expressions!r}}}))"
    nb.cells.append(nbformat.v4.new_code_cell(probe))
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    workdir = str(tmp_path_factory.mktemp("ps3_prose"))
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": workdir}}).execute()
    printed = "".join(o.text for o in nb.cells[-1].outputs if o.get("name") == "stdout")
    values = json.loads(printed.strip().splitlines()[-1])
    return values


# Run times (Timed) are not asserted here: they depend on the machine and its load, and a speed claim belongs in
# `make bench`, which prints each one beside a run (scripts/benchmark.py, prose_run_times).
COMPUTED_CELLS = [cell for cell, numbers in NUMBERS.items() if any(isinstance(s, Computed) for s in numbers.values())]


@pytest.mark.parametrize("cell", COMPUTED_CELLS)
def test_computed_numbers_agree_with_the_cells(computed, cell):
    for written, source in NUMBERS[cell].items():
        if isinstance(source, Computed):
            value = computed[source.expression]
            assert agrees(written, value, source.about), (
                f"{cell} says {written}; the cells compute {source.expression} = {value!r}"
            )
