"""The grader audit (``make audit``, course_kit/instructor/audit.py): its corpora, its rules, and that it can fail.

- Every assignment's corpus reads, names only real test cells, and is as large as issue 24 asks; the cases
  the issue names are in it with the verdict it gives them.
- The rules (``judge``), on hand-made results: a wrong variant that keeps full marks where its mistake is,
  a right one that loses points, a wrong one that loses where it says it must not: each is named; a
  ``# known-hole:`` line excuses one, and a mark whose expectation now holds is reported.
- The variants the suite grades with its session classes (``AUDITED_IN_SUITE``, tests/conftest.py) meet the
  audit's rules with the real graders, known holes aside, and no known-hole mark outlives its hole.
- End to end, ``python -m course_kit.instructor.audit`` on a copy of the toy course with a second assignment
  whose grader is deliberately broken: it passes the sound one, fails the broken one naming the variant and
  the cell, and exits 1.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ASSIGNMENTS, AUDIT_STUDENT, AUDITED_IN_SUITE, REPO, audit_variant_path
from course_kit.grading.results import CheckResult
from course_kit.instructor.audit import (
    REFERENCE,
    AssignmentAudit,
    AuditError,
    Cell,
    Variant,
    judge,
    read_corpus,
    read_variant,
    report,
)

# Issue 24's minimum corpus sizes: (wrong, right).  An assignment not named needs one of each.
MINIMUM = {"ps1_naive_loss": (30, 10), "ps2_stable_loss": (30, 10), "ps3_keras_from_logits": (10, 5)}

# The cases issue 24 names, with the verdict it gives them.
ISSUE_CASES = {
    "ps1_naive_loss": {"sigmoid_float64_rounded": True, "sigmoid_logaddexp": True, "fil_closed_form": False,
                       "fil_loss_above_30": False, "sigmoid_tanh": False, "sigmoid_clipped_eps": False,
                       "bce_clipped_eps": False},
    "ps2_stable_loss": {"lse_missing_keepdims": False, "sm_missing_keepdims": False, "scce_double_softmax": False,
                        "sbce_where_both_branches": False, "sbce_tensorflow_form": True, "sbce_logaddexp": True},
    "ps3_keras_from_logits": {"unshifted_softmax_relu_model": False, "softmax_output_from_logits": False,
                              "relu_output": False, "argmax_axis0": False},
}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_corpus_reads_and_is_large_enough(assignment):
    variants = read_corpus(REPO, assignment)  # raises on a malformed variant or a cell the notebook lacks
    wrong = sum(not v.right for v in variants)
    right = sum(v.right for v in variants if v is not REFERENCE)
    want_wrong, want_right = MINIMUM.get(assignment, (1, 1))
    assert wrong >= want_wrong and right >= want_right, f"{assignment}: {wrong} wrong and {right} right variants"


@pytest.mark.parametrize("assignment", sorted(ISSUE_CASES))
def test_the_issues_cases_are_in_the_corpus(assignment):
    variants = {v.name: v for v in read_corpus(REPO, assignment)}
    for name, right in ISSUE_CASES[assignment].items():
        assert name in variants, f"graders/{assignment}/audit/{name}.py is missing"
        assert variants[name].right == right, f"{name} should be {'right' if right else 'wrong'}"


# -- the rules, on hand-made results ------------------------------------------------------------------------

def _cells(**lost: float) -> dict[str, Cell]:
    """Three cells of 2 points; ``lost`` says how much each lost (a failed check is recorded where it did)."""
    return {name: Cell(2 - lost.get(name, 0.0), 2.0,
                       [CheckResult("a check", 1.0, not lost.get(name), "it went wrong" if lost.get(name) else "")])
            for name in ("test_a", "test_b", "test_c")}


def _wrong(**kw) -> Variant:
    return Variant("slip", "A slip.", right=False, **kw)


def test_a_wrong_variant_must_lose_where_its_mistake_is():
    variant = _wrong(loses=["test_b"])
    assert judge(variant, _cells(test_b=0.5)) == []
    (broken,) = judge(variant, _cells(test_a=1.0))  # it lost, but elsewhere: the mistake went unseen in test_b
    assert (broken.variant, broken.cell) == ("slip", "test_b") and "kept full marks" in broken.why


def test_a_wrong_variant_must_keep_what_it_says_it_keeps():
    assert judge(_wrong(loses=["test_b"]), _cells(test_a=1.0, test_b=1.0)) == []  # no keeps: losing elsewhere is fine
    (broken,) = judge(_wrong(loses=["test_b"], keeps=["test_a"]), _cells(test_a=1.0, test_b=1.0))
    assert broken.cell == "test_a" and "no mistake there" in broken.why and "a check: it went wrong" in broken.why
    others = judge(_wrong(loses=["test_b"], keeps_others=True), _cells(test_a=1.0, test_b=1.0, test_c=0.5))
    assert sorted(b.cell for b in others) == ["test_a", "test_c"]


def test_a_right_variant_must_keep_full_marks_everywhere():
    right = Variant("other_form", "Another form.", right=True)
    assert judge(right, _cells()) == []
    (broken,) = judge(right, _cells(test_c=0.01))
    assert broken.cell == "test_c" and "a right answer" in broken.why
    (not_graded,) = judge(right, None, ["the kernel died"])
    assert not_graded.cell is None and "the kernel died" in not_graded.why


def test_a_wrong_variant_must_be_told_the_cause_it_says(tmp_path):
    """``# says: <cell> <phrase>``: a failed check of that cell must carry the phrase in its message."""
    path = tmp_path / "slip.py"
    path.write_text('"""A slip."""\n# audit: wrong\n# loses: test_b\n# says: test_b went wrong\n'
                    "# %% [b]\ndef b():\n    return 1\n")
    variant = read_variant(path)
    assert variant.says == [("test_b", "went wrong")]
    assert judge(variant, _cells(test_b=1.0)) == []  # _cells' failed check says "it went wrong"
    told_otherwise = _cells(test_b=1.0)
    told_otherwise["test_b"].checks[0].message = "operands could not be broadcast"
    (broken,) = judge(variant, told_otherwise)
    assert broken.cell == "test_b" and "no failed check says 'went wrong'" in broken.why
    path.write_text('"""Fine."""\n# audit: right\n# says: test_b went wrong\n# %% [b]\ndef b():\n    return 1\n')
    with pytest.raises(AuditError, match="keeps full marks everywhere"):
        read_variant(path)


def test_a_known_hole_is_reported_not_failed_and_its_mark_must_go_once_closed():
    variant = _wrong(loses=["test_b"], known_holes={"test_b": "issue 24: no search checked"})
    still_open = AssignmentAudit("a", ["test_a", "test_b", "test_c"], [REFERENCE, variant],
                                 {"reference": _cells(), "slip": _cells()}, {})
    assert [b.known_hole for b in still_open.broken] == ["issue 24: no search checked"]
    assert still_open.failures == [] and still_open.closed_holes == []
    lines: list[str] = []
    assert report(still_open, echo=lines.append) == 0
    assert any(line.startswith("KNOWN   slip / test_b") for line in lines)
    closed = AssignmentAudit("a", ["test_a", "test_b", "test_c"], [REFERENCE, variant],
                             {"reference": _cells(), "slip": _cells(test_b=1.0)}, {})
    assert closed.broken == [] and closed.closed_holes == [("slip", "test_b")]


def test_the_report_names_each_broken_expectation_and_fails():
    audit = AssignmentAudit("a", ["test_a", "test_b", "test_c"],
                            [REFERENCE, _wrong(loses=["test_b"]), Variant("fine", "Fine.", right=True)],
                            {"reference": _cells(), "slip": _cells(), "fine": _cells(test_a=2.0)}, {})
    lines: list[str] = []
    assert report(audit, echo=lines.append) == 1
    broken = [line for line in lines if line.startswith("BROKEN")]
    assert len(broken) == 2 and "slip / test_b: kept full marks" in broken[0] and "fine / test_a: lost 2" in broken[1]
    matrix = "\n".join(lines)
    assert "*full !" in matrix and "-2/2 !" in matrix  # where the mistake is, and the broken marks


@pytest.mark.parametrize(("header", "complaint"), [
    ("", "# audit: right"),
    ("# audit: wrong\n", "must say where its mistake is"),
    ("# audit: right\n# loses: test_cube\n", "keeps full marks everywhere"),
    ("# audit: maybe\n", "# audit: right"),
])
def test_a_variant_that_says_nothing_checkable_is_refused(tmp_path, header, complaint):
    path = tmp_path / "cube_abs.py"
    path.write_text(f'"""Cube as |x| ** 3."""\n{header}# %% [cube]\ndef cube(x):\n    return np.abs(x) ** 3\n')
    with pytest.raises(AuditError, match=complaint):
        read_variant(path)


def test_the_documented_example_reads(tmp_path):
    """docs/adding_an_assignment.md's example variant, comments and all, reads as it says."""
    docs = (REPO / "docs" / "adding_an_assignment.md").read_text()
    example = docs.split('```python\n"""Cube as |x| ** 3', 1)[1].split("```", 1)[0]
    path = tmp_path / "cube_abs.py"
    path.write_text('"""Cube as |x| ** 3' + example)
    variant = read_variant(path)
    assert (variant.right, variant.loses, variant.keeps, variant.keeps_others) == (False, ["test_cube"], [], True)
    assert "np.abs(x) ** 3" in variant.sample.sections["cube"]


def test_a_variant_naming_no_test_cell_of_the_notebook_is_refused(tmp_path):
    course = tmp_path / "toy"
    shutil.copytree(TOY, course)
    audit = course / "graders" / "squares" / "audit"
    audit.mkdir()
    (audit / "typo.py").write_text('"""A typo."""\n# audit: wrong\n# loses: test_cubes\n')
    with pytest.raises(AuditError, match=r"\['test_cubes'\], not test cells of squares"):
        read_corpus(course, "squares")


# -- the real graders, on the variants the session grades -------------------------------------------------------

SUITE_CASES = [(assignment, variant) for assignment, names in AUDITED_IN_SUITE.items() for variant in names]


@pytest.mark.parametrize(("assignment", "name"), SUITE_CASES)
def test_the_graders_meet_the_audit_on_the_suites_variants(graded, assignment, name):
    result = graded(assignment)[AUDIT_STUDENT.format(name)]
    assert result.success, result.log
    variant = read_variant(audit_variant_path(assignment, name))
    cells = {cell_id: Cell(c.score, c.max_score, c.checks) for cell_id, c in result.cells.items()}
    broken = judge(variant, cells)
    failures = [b.line() for b in broken if b.known_hole is None]
    assert not failures, "\n".join(failures)
    still_open = {b.cell for b in broken}
    closed = [cell for cell in variant.known_holes if cell not in still_open]
    assert not closed, (f"graders/{assignment}/audit/{name}.py: the grader now meets the expectation in {closed}: "
                        "remove its `# known-hole:` line")


# -- end to end: the command, on a course whose second assignment has a broken grader ---------------------------

TOY = REPO / "tests" / "toy_course"
TOY_VARIANTS = {
    "cube_abs": '"""Cube as |x| ** 3: loses the sign."""\n# audit: wrong\n# loses: test_cube\n# keeps: others\n'
                "# %% [cube]\ndef cube(x):\n    return np.abs(x) ** 3\n",
    "cube_power": '"""Cube as x ** 3."""\n# audit: right\n# %% [cube]\ndef cube(x):\n    return x ** 3\n',
}
BROKEN_GRADER = '''"""A broken grader of test_cube: it checks nothing."""


def test_anything(student):
    """cube is fine"""
'''


@pytest.fixture(scope="module")
def two_toy_assignments(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The toy course with ``squares`` and ``squares_broken`` (the same notebook; test_cube's grader checks
    nothing), each with the same audit corpus."""
    course = tmp_path_factory.mktemp("audit") / "toy_course"
    shutil.copytree(TOY, course, ignore=shutil.ignore_patterns("samples"))
    shutil.copytree(course / "source" / "squares", course / "source" / "squares_broken")
    shutil.copytree(course / "graders" / "squares", course / "graders" / "squares_broken")
    (course / "graders" / "squares_broken" / "test_cube.py").write_text(BROKEN_GRADER)
    for assignment in ("squares", "squares_broken"):
        folder = course / "graders" / assignment / "audit"
        folder.mkdir()
        for name, text in TOY_VARIANTS.items():
            (folder / f"{name}.py").write_text(text)
    return course


def test_the_audit_command_passes_sound_graders_and_fails_a_broken_one(two_toy_assignments, tmp_path):
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    run = subprocess.run([sys.executable, "-m", "course_kit.instructor.audit", "--course-dir",
                          str(two_toy_assignments), "--work-dir", str(tmp_path), "--jobs", "1"],
                         capture_output=True, text=True, env=env, timeout=600)
    assert run.returncode == 1, f"exit {run.returncode}\n{run.stdout}\n{run.stderr}"
    out = run.stdout
    assert "squares: the audit passes (0 broken, 0 known holes)" in out, out
    assert "squares_broken: the audit FAILS (1 broken, 0 known holes)" in out, out
    broken = [line for line in out.splitlines() if line.startswith("BROKEN")]
    assert broken == ["BROKEN  cube_abs / test_cube: kept full marks (1): the mistake goes unseen"], out
    assert not list(tmp_path.iterdir()), "the throwaway course copy was left behind"
