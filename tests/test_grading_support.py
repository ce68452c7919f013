"""The course's grading support: one reference cache that lasts the grading process, and named tolerances.

The autograder runs pytest in-process once per submission (course_kit.grading.run_graders).  The
exact references are expensive, so ``course_numerics.reference`` remembers them; that only pays if
pytest does not import the graders (and with them a fresh cache) again for every submission.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np

from conftest import REPO
from course_numerics import tolerances

GRADER = '''
import json, os
import numpy as np
from course_numerics import reference

with open(os.environ["IMPORT_LOG"], "a") as log:  # one line per import of this module
    log.write("imported\\n")


def test_asks_for_a_reference():
    with open(os.environ["IMPORT_LOG"], "a") as log:
        log.write(json.dumps(id(reference.sigmoid(np.array([1.0, 2.0])))) + "\\n")
'''

TWO_RUNS = '''
import sys
import pytest
for _ in range(2):  # as the autograder does: one in-process pytest run per submission
    code = pytest.main([sys.argv[1], f"--rootdir={sys.argv[2]}", "--import-mode=importlib", "-p", "no:cacheprovider",
                        "-q"])
    assert code == 0, code
'''


def test_graders_and_the_reference_cache_are_imported_once_per_grading_process(tmp_path: Path):
    graders = tmp_path / "course" / "graders"
    (graders / "a").mkdir(parents=True)
    (graders / "a" / "test_cell.py").write_text(GRADER)
    log = tmp_path / "imports.log"
    env = {**os.environ, "IMPORT_LOG": str(log), "PYTHONPATH": str(REPO / "graders")}
    subprocess.run([sys.executable, "-c", TWO_RUNS, str(graders / "a"), str(graders.parent)], env=env, cwd=tmp_path,
                   check=True, capture_output=True, timeout=300)
    imported, *reference_ids = log.read_text().splitlines()
    assert imported == "imported" and len(reference_ids) == 2, log.read_text()
    # The same array object both times: the second submission got the first one's cached reference.
    assert reference_ids[0] == reference_ids[1]


def test_a_cached_reference_cannot_be_changed_by_its_caller():
    from course_numerics import reference

    result = reference.softmax(np.array([[1.0, 2.0, 3.0]]))
    assert not result.flags.writeable
    assert reference.softmax(np.array([[1.0, 2.0, 3.0]])) is result


def test_a_tolerance_reads_as_its_factor_and_scale():
    assert str(tolerances.SCALED_BCE) == "4 eps (1 + |z|)"
    assert tolerances.scaled_bound(36.0, np.float64) == tolerances.SCALED_BCE.factor * np.finfo(float).eps * 37.0


def _check_names(path: Path) -> list[str]:
    """The docstrings of a grader module's test functions: the names students read."""
    tree = ast.parse(path.read_text())
    return [ast.get_docstring(node) or "" for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")]


def test_no_check_name_writes_a_tolerance_factor_by_hand():
    """A factor in a check's name comes from the Tolerance the check applies (shown_as), never typed again."""
    typed = {
        f"{path.relative_to(REPO)}: {name}"
        for path in sorted((REPO / "graders").rglob("test_*.py"))
        for name in _check_names(path)
        if re.search(r"\b\d+(\.\d+)? eps\b", name)
    }
    assert not typed, typed
