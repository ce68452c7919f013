"""The numbers README.md states that can drift are those of the files and the shipped configuration.

Counts (the hostile corpus, the grader audit's variants) are computed from the files the suite grades, and
limits (the stop rule, the output caps, the memory cap, the message excerpts) read from the course's shipped
configuration and the kit's constants; each README sentence that states one must state that value.  When a
corpus grows or a limit changes, this test names the sentence to update.  (That the limits hold at those values
is tests/test_shipped_limits.py's and tests/test_excerpt.py's.)
"""

from __future__ import annotations

import ast
import re

import pytest

from conftest import ASSIGNMENTS, REPO
from course_kit.config import course_settings
from course_kit.confinement.confined_kernel import ConfinedKernelManager
from course_kit.grading.excerpt import MAX_EXCERPT_CHARS, MAX_MESSAGE_CHARS
from course_kit.instructor.audit import REFERENCE, read_corpus
from course_kit.preprocessors import ExecuteWithGraders

README = " ".join((REPO / "README.md").read_text().split())  # one space for every run of whitespace
WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine"}


def stated(pattern: str) -> tuple[str, ...]:
    """The groups of README's one sentence matching ``pattern`` (whitespace-normalised)."""
    found = re.findall(pattern, README)
    assert len(found) == 1, f"README.md should state, once: {pattern!r} (found {len(found)})"
    return found[0] if isinstance(found[0], tuple) else (found[0],)


def _module_constant(module: str, name: str):
    """A literal a test module defines at its top level (read, not imported: importing would collect it)."""
    tree = ast.parse((REPO / "tests" / module).read_text())
    for node in tree.body:
        if not isinstance(node, ast.Assign):
            continue
        for target in node.targets:
            if isinstance(target, ast.Name) and target.id == name:
                return ast.literal_eval(node.value)
            if isinstance(target, ast.Tuple) and name in [getattr(e, "id", None) for e in target.elts]:
                names = [getattr(e, "id", None) for e in target.elts]
                return ast.literal_eval(node.value)[names.index(name)]
    raise LookupError(f"{module} defines no {name}")


def hostile_corpus() -> dict[str, int]:
    corpus = sorted((REPO / "tests" / "corpus").glob("*/*.py"))
    broken = [s for s in _module_constant("test_broken_files.py", "TOLD") if s != "honest"]
    # The file-boundary class: its hostile students, and the flood root grades beside them.
    boundary = {*_module_constant("test_file_boundary.py", "HOSTILE"), "flood"}
    assert corpus and broken and boundary
    return {"corpus": len(corpus), "broken": len(broken), "boundary": len(boundary)}


def test_the_corpus_counts_are_the_files():
    counts = hostile_corpus()
    total, corpus, broken, boundary = stated(
        r"is (\d+) hostile or broken submissions across the three assignments: the cheats and faults in "
        r"`tests/corpus/` \((\d+) notebooks\), the malformed files of `tests/test_broken_files.py` \((\d+)\) and "
        r"the file-boundary class of `tests/test_file_boundary.py` \((\d+)\)")
    assert (int(corpus), int(broken), int(boundary)) == (counts["corpus"], counts["broken"], counts["boundary"])
    assert int(total) == sum(counts.values())
    (in_tests,) = stated(r"the (\d+) hostile or broken submissions of the security section")
    assert int(in_tests) == sum(counts.values())


def test_the_audit_counts_are_the_variants():
    counts = []
    for assignment in ASSIGNMENTS:
        variants = [v for v in read_corpus(REPO, assignment) if v is not REFERENCE]
        counts.append((sum(not v.right for v in variants), sum(v.right for v in variants)))
    (ps1_wrong, ps1_right, ps2_wrong, ps2_right, ps3_wrong, ps3_right) = map(int, stated(
        r"\(`# audit: wrong`, `# loses: test_sigmoid`, optionally `# keeps: others`\): (\d+) wrong and (\d+) right "
        r"for ps1, (\d+) and (\d+) for ps2, (\d+) and (\d+) for ps3"))
    assert ASSIGNMENTS == ["ps1_naive_loss", "ps2_stable_loss", "ps3_keras_from_logits"]
    assert counts == [(ps1_wrong, ps1_right), (ps2_wrong, ps2_right), (ps3_wrong, ps3_right)]


@pytest.fixture(scope="module")
def shipped() -> ExecuteWithGraders:
    return ExecuteWithGraders(config=course_settings(REPO))


def test_the_stop_rule_is_the_shipped_one(shipped):
    (count,) = stated(r"a notebook is stopped after (\w+) cell timeouts")
    assert count == WORDS[shipped.max_cell_timeouts]


def test_the_output_caps_are_the_shipped_ones(shipped):
    per_output, notebook = stated(r"is cut at ([\d,]+) characters while the notebook runs, and past ([\d.]+) "
                                  r"million characters for the notebook each later output is a one-line note")
    assert int(per_output.replace(",", "")) == shipped.max_output_chars
    assert float(notebook) * 1_000_000 == shipped.max_notebook_output_chars


def test_the_memory_cap_is_the_shipped_one():
    (gib,) = stated(r"share one cap \(`notebook_memory_limit_mb`, (\d+) GiB\)")
    assert int(gib) * 1024 == ConfinedKernelManager(config=course_settings(REPO)).notebook_memory_limit_mb


def test_the_message_excerpts_are_the_kits():
    excerpt, message = stated(r"an exception's message at most (\d+) characters, head and tail, saying how much was "
                              r"cut; a whole message at most (\d+)")
    assert (int(excerpt), int(message)) == (MAX_EXCERPT_CHARS, MAX_MESSAGE_CHARS)


def test_every_test_the_security_and_speed_sections_name_exists():
    """A section that says which test backs a claim names a real module (and test, where it names one)."""
    text = (REPO / "README.md").read_text()
    sections = re.split(r"^## ", text, flags=re.MULTILINE)
    named = [s for s in sections if s.startswith(("Security", "Speed"))]
    assert len(named) == 2
    refs, module = set(), None
    # `tests/test_x.py`, `tests/test_x.py::test_y`, and a bare `::test_z` after them: test_x's too.
    for m in re.finditer(r"tests/(test_\w+\.py)(?:::(\w+))?|`::(\w+)`", "\n".join(named)):
        module = m[1] or module
        refs.add((module, m[2] or m[3] or ""))
    assert refs and None not in {module for module, _ in refs}
    for module, test in refs:
        path = REPO / "tests" / module
        assert path.exists(), f"README names tests/{module}, which does not exist"
        if test:
            assert re.search(rf"^def {test}\(", path.read_text(), re.MULTILINE), f"no {test} in tests/{module}"


def test_the_attacks_the_security_section_sizes_are_those_the_tests_run():
    import test_inert_submissions  # its payloads are built by a function; importing it collects nothing here

    (payloads,) = stated(r"grades a ps1 submission carrying (\d+) output payloads")
    assert int(payloads) == len(test_inert_submissions.hostile_outputs("http://127.0.0.1:9"))
    messages, kb = stated(r"([\d,]+) `comm_open` messages of (\d+) KB")
    assert int(messages.replace(",", "")) == _module_constant("test_widget_flood.py", "MESSAGES")
    assert int(kb) * 1000 == _module_constant("test_widget_flood.py", "MESSAGE_CHARS")
