"""A submission that records the graders' hidden inputs and raises them into its feedback carries out almost none,
and what it does carry is its own: another student's inputs are different.

The attack, as it was reproduced against the kit: the notebook wraps every function the graders call; after its
last cell has run (the one tell a determined student always has: the graders call after it) each call records its
arguments and raises an exception whose message holds every argument recorded so far, compressed and in base64,
headed by a marker with a digest of the call's own arguments.  Before the excerpts, the feedback table showed
200,000 characters of it per check: 13,283 hidden values were decoded from one student's feedback.

Graded here by real ``nbgrader autograde`` (ps1, two such students and an honest one), with the feedback generated,
the records and the feedback are searched: every message is short, the payload in each is cut, the values that can
be decoded from the excerpts are a sliver of the inputs; the inputs' digests in the messages are those of the
inputs drawn from the seeds in each student's record (the record says truly what was drawn), the two attackers got
different inputs, and a regrade draws the same ones again.  The honest student beside them gets full marks.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import html
import importlib.util
import re
import zlib

import nbformat
import numpy as np
import pytest
from nbformat.v4 import new_code_cell

from conftest import REFERENCE, REPO, TEST_SETTINGS
from course_kit.grading.excerpt import MAX_MESSAGE_CHARS
from course_kit.grading.record import GradingRecord, read_record, record_path
from course_kit.instructor import Course, copy_course
from course_kit.instructor.samples import build_submission

ASSIGNMENT = "ps1_naive_loss"
ATTACKERS = ("mallory", "trudy")
# The grader modules imported here to draw a student's inputs again register no marks in this process.
pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnknownMarkWarning")
HONEST = "ada"

ATTACK = '''
import base64, hashlib, zlib
import numpy as np

_grading = [False]  # set at the end of this, the last, cell: every call after it is a grader's
_recorded = []
_calls = [0]

def _leak(function):
    def leaking(*args, **kwargs):
        if not _grading[0]:
            return function(*args, **kwargs)
        _calls[0] += 1
        arrays = [a for a in args if isinstance(a, (np.ndarray, np.generic))]  # not a kernel object such as a dtype
        digest = hashlib.sha256(b"".join(np.asarray(a).tobytes() for a in arrays)).hexdigest()[:16]
        for a in args:
            try:
                _recorded.append(np.asarray(a, dtype=np.float64).ravel())
            except (TypeError, ValueError):
                pass
        blob = base64.b64encode(zlib.compress(b"".join(r.tobytes() for r in _recorded), 9)).decode()
        values = sum(r.size for r in _recorded)
        raise RuntimeError(f"EXFIL call={_calls[0]} sha={digest} values={values} payload={blob}")
    return leaking

for _name in ("sigmoid", "naive_bce", "first_inf_logit"):
    globals()[_name] = _leak(globals()[_name])
print("EXFILTRATION ARMED")
_grading[0] = True
'''

_MESSAGE = re.compile(r"EXFIL call=(?P<call>\d+) sha=(?P<sha>[0-9a-f]{16}) values=(?P<values>\d+) "
                      r"payload=(?P<payload>[A-Za-z0-9+/=]*)")


def _graders_module(name: str):
    """A grader module of the course, imported here to draw its inputs from a recorded seed."""
    spec = importlib.util.spec_from_file_location(f"exfiltration_{name}", REPO / "graders" / ASSIGNMENT / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _digest(*arrays: np.ndarray) -> str:
    return hashlib.sha256(b"".join(np.asarray(a).tobytes() for a in arrays)).hexdigest()[:16]


def _decoded_values(payload: str) -> np.ndarray:
    """The float64 values an attacker decodes from the part of a payload the message kept (a zlib stream's head)."""
    data = payload[: len(payload) // 4 * 4]
    try:
        raw = zlib.decompressobj().decompress(base64.b64decode(data))
    except (binascii.Error, zlib.error):
        return np.zeros(0)
    return np.frombuffer(raw[: len(raw) // 8 * 8], dtype=np.float64)


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Course:
    course_dir = copy_course(REPO, tmp_path_factory.mktemp("exfiltration") / "course", assignments=[ASSIGNMENT])
    with (course_dir / "nbgrader_config.py").open("a") as config:
        config.write(TEST_SETTINGS)
    course = Course(course_dir)
    course.release(ASSIGNMENT)
    release, source = course.release_notebook(ASSIGNMENT), course.source_notebook(ASSIGNMENT)
    honest = build_submission(release, source, REFERENCE)
    attack = build_submission(release, source, REFERENCE)
    attack.cells.append(new_code_cell(ATTACK))
    for student in ATTACKERS:
        course.submit(student, ASSIGNMENT, {release.name: attack})
    course.submit(HONEST, ASSIGNMENT, {release.name: honest})
    course.collect(ASSIGNMENT)
    for student in (*ATTACKERS, HONEST):
        outcome = course.autograde(ASSIGNMENT, student)
        assert outcome["success"], outcome.get("log", "")[-3000:]
    course.generate_feedback(ASSIGNMENT)
    return course


def _record(course: Course, student: str) -> GradingRecord:
    folder = course.course_dir / "autograded" / student / ASSIGNMENT
    (notebook,) = folder.glob("*.ipynb")
    return read_record(record_path(folder, notebook.stem), ASSIGNMENT, student, notebook.stem)


def _messages(record: GradingRecord) -> list[str]:
    return [check.message for cell in record.cells for check in cell.checks if check.message]


def _feedback(course: Course, student: str) -> str:
    (page,) = (course.course_dir / "feedback" / student / ASSIGNMENT).glob("*.html")
    return page.read_text()


def _hidden_inputs(seeds: dict[str, str]) -> dict[str, np.ndarray]:
    """Every random hidden input of ps1's graders for a student, drawn from the seeds in their record."""
    sigmoid, naive_bce = _graders_module("test_sigmoid"), _graders_module("test_naive_bce")
    inputs = {}
    for dtype in (np.float64, np.float32):
        flat, grid = sigmoid.random_grids(dtype, int(seeds["test_sigmoid"], 16))
        inputs[f"sigmoid flat {dtype.__name__}"], inputs[f"sigmoid grid {dtype.__name__}"] = flat, grid
        for labels in ("hard", "soft"):
            y, z = naive_bce.well_conditioned(dtype, labels, int(seeds["test_naive_bce"], 16))
            inputs[f"bce y {labels} {dtype.__name__}"], inputs[f"bce z {labels} {dtype.__name__}"] = y, z
    return inputs


def test_the_attack_ran_and_its_messages_carry_a_sliver_of_the_inputs(course):
    record = _record(course, "mallory")
    graded = nbformat.read(next((course.course_dir / "autograded" / "mallory" / ASSIGNMENT).glob("*.ipynb")), 4)
    outputs = "".join(o.get("text", "") for c in graded.cells if c.cell_type == "code" for o in c.outputs)
    assert "EXFILTRATION ARMED" in outputs  # the attack was set up in the kernel...
    leaks = [m for m in _messages(record) if _MESSAGE.search(m)]
    assert len(leaks) >= 10, _messages(record)  # ...and raised its payload in the graders' calls
    assert all(len(m) <= MAX_MESSAGE_CHARS for m in _messages(record))
    largest = max(int(_MESSAGE.search(m)["values"]) for m in leaks)
    assert largest > 5000  # what it had gathered by its last call: every hidden input it was given
    assert any("characters cut" in m for m in leaks)

    hidden = np.concatenate([a.astype(np.float64).ravel() for a in _hidden_inputs(record.hidden_seeds).values()])
    decoded = np.concatenate([_decoded_values(_MESSAGE.search(m)["payload"]) for m in leaks])
    recovered = np.intersect1d(decoded, hidden)
    # A zlib stream's head still decodes: a few values per message, never the set.
    assert recovered.size <= 0.02 * np.unique(hidden).size, (recovered.size, np.unique(hidden).size)

    for student in ATTACKERS:
        page = html.unescape(_feedback(course, student))
        assert "EXFIL call=" in page  # the messages are in the feedback, as excerpts
        payloads = re.findall(r"payload=([A-Za-z0-9+/=]+)", page)
        assert payloads and max(map(len, payloads)) < MAX_MESSAGE_CHARS
        seeds = _record(course, student).hidden_seeds
        drawn = np.unique(np.concatenate([a.astype(np.float64).ravel() for a in _hidden_inputs(seeds).values()]))
        texts = [text for text in map(repr, map(float, drawn[::5])) if len(text) > 12]  # drawn, not 0, 10, 0.5
        assert len(texts) > 500
        shown = [text for text in texts if text in page]
        assert not shown  # no hidden value printed as a number


def test_the_record_names_the_seeds_of_the_inputs_each_student_got(course):
    """The digests the attack put in its messages are those of the inputs drawn from the record's seeds: the
    record tells truly what was drawn, two students drew differently, and the digests prove it in the kernel."""
    digests = {}
    for student in ATTACKERS:
        record = _record(course, student)
        assert set(record.hidden_seeds) >= {"test_sigmoid", "test_naive_bce"}
        inputs = _hidden_inputs(record.hidden_seeds)
        shown = {m["sha"] for m in map(_MESSAGE.search, _messages(record)) if m}
        expected = {_digest(inputs["sigmoid flat float64"]), _digest(inputs["sigmoid flat float32"]),
                    _digest(inputs["bce y hard float64"], inputs["bce z hard float64"])}
        assert expected <= shown, (expected, shown)
        digests[student] = expected
    assert _record(course, "mallory").hidden_seeds != _record(course, "trudy").hidden_seeds
    assert not digests["mallory"] & digests["trudy"]  # what mallory leaks is of no use to trudy


def test_a_regrade_draws_the_same_inputs(course):
    before = _record(course, "mallory")
    outcome = course.autograde(ASSIGNMENT, "mallory")
    assert outcome["success"], outcome.get("log", "")[-3000:]
    after = _record(course, "mallory")
    assert after.hidden_seeds == before.hidden_seeds
    sha = [{m["sha"] for m in map(_MESSAGE.search, _messages(r)) if m} for r in (before, after)]
    assert sha[0] == sha[1]
    assert [c.score for c in after.cells] == [c.score for c in before.cells]


def test_the_honest_student_beside_them_gets_full_marks(course):
    score, max_score = course.score(ASSIGNMENT, HONEST)
    assert score == max_score > 0
    record = _record(course, HONEST)
    assert all(check.passed for cell in record.cells for check in cell.checks)
    assert record.hidden_seeds and record.hidden_seeds != _record(course, "mallory").hidden_seeds
    assert "EXFIL" not in _feedback(course, HONEST)
    assert (course.course_dir / ".grading-secret").stat().st_mode & 0o777 == 0o600
