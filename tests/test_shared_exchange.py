"""One student cannot submit as another through a shared exchange (course_kit/exchange/vetted_collect.py).

The exchange is set up as docs/instructor_guide.md says (one folder every user can write, with the sticky
bit; the course's config points at it), and two students are Unix users the test creates.  The victim
fetches ps1 and submits the reference answers with ``nbgrader submit``, as that user.  The attacker, as
their own user, plants in ``inbound/``: the reported attack (a folder named for the victim, dated 2099,
holding the attacker's notebook and an on-time ``timestamp.txt``), a submission for the victim made with
``nbgrader submit --student=<victim>`` (dated now, so newer than the victim's), one for a made-up id, and
one for the id ``=1+2*3``.  Stock collect (nbgrader 0.9.6) takes the 2099 folder as the victim's
submission for good and creates the made-up students.  The instructor (root) collects and grades as the
guide says: what must hold is that the victim's own notebook is collected and graded to full marks, no
other student appears, each planted folder is refused with its reason in collect's record and in
``make grade``'s report, and the victim's later resubmission is collected by ``collect --update``.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import nbformat
import pytest
from instructors import Instructor

from conftest import TEST_SETTINGS
from course_kit.exchange import read_refusals, refusals_path
from course_kit.instructor import Course, copy_course
from course_kit.instructor.samples import build_submission, read_sample

REPO = Path(__file__).resolve().parents[1]
ASSIGNMENT = "ps1_naive_loss"
NOTEBOOK = "naive_loss.ipynb"
COURSE_ID = "from_logits"
NBGRADER = str(Path(sys.executable).parent / "nbgrader")
# Two students of the class, as Unix users; Instructor only runs commands as a user (setpriv, the lent Python).
VICTIM = Instructor("victim", "ck-exch-victim")
MALLORY = Instructor("attacker", "ck-exch-mallory")
MADE_UP = "ck-exch-nobody"  # no Unix user has it
FORMULA = "=1+2*3"

PLANT = """import os, sys
inbound, name, notebook, on_time = sys.argv[1:]
folder = os.path.join(inbound, name)
os.mkdir(folder)
with open(notebook, "rb") as src, open(os.path.join(folder, "naive_loss.ipynb"), "wb") as dest:
    dest.write(src.read())
with open(os.path.join(folder, "timestamp.txt"), "w") as stamp:
    stamp.write(on_time)
"""


def _nbgrader_time(when: datetime) -> str:
    return when.strftime("%Y-%m-%d %H:%M:%S.%f %Z")  # nbgrader's Exchange.timestamp_format, in UTC


def _random() -> str:
    return base64.urlsafe_b64encode(os.urandom(9)).decode("ascii")  # as nbgrader submit's suffix


def _ok(run: subprocess.CompletedProcess[str], what: str) -> subprocess.CompletedProcess[str]:
    assert run.returncode == 0, f"{what} failed ({run.returncode}):\n{run.stdout}\n{run.stderr}"
    return run


@pytest.fixture(scope="module")
def shared(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """The course (root's, private), a shared exchange, and a working folder in each student's home."""
    for user in (VICTIM, MALLORY):
        if reason := user.unavailable():
            request.node.add_marker(pytest.mark.safety_feature("a student cannot submit as another (shared exchange)"))
            pytest.skip(f"two student Unix users cannot be played here: {reason}")
    for user in (VICTIM, MALLORY):
        user.create()
    # As the guide: `mkdir -p /srv/nbgrader/exchange; chmod 1777`, here under a folder of the test's own.
    top = Path(tempfile.mkdtemp(prefix="ck-exch-"))
    works = [Path(tempfile.mkdtemp(prefix="from_logits-", dir=user.home())) for user in (VICTIM, MALLORY)]
    try:
        top.chmod(0o755)
        exchange = top / "exchange"
        exchange.mkdir()
        exchange.chmod(0o1777)
        for user, work in zip((VICTIM, MALLORY), works, strict=True):
            user.give(work)
        course_dir = copy_course(REPO, tmp_path_factory.mktemp("shared") / "course", [ASSIGNMENT])
        with (course_dir / "course_config.py").open("a") as config:
            config.write(f"c.Exchange.root = {str(exchange)!r}\n")  # the guide's one line
        with (course_dir / "nbgrader_config.py").open("a") as config:
            config.write(TEST_SETTINGS)
        course_dir.chmod(0o700)
        yield {"course": course_dir, "exchange": exchange, "victim": works[0], "attacker": works[1]}
    finally:
        for folder in (top, *works):
            shutil.rmtree(folder, ignore_errors=True)


def _instructor(course: Path, *argv: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run(list(argv), cwd=course, env=env, capture_output=True, text=True, timeout=timeout)


def _student(user: Instructor, work: Path, exchange: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return user.run([NBGRADER, *argv, f"--course={COURSE_ID}", f"--Exchange.root={exchange}"], cwd=work,
                    timeout=300)


def _write_as(user: Instructor, path: Path, notebook: nbformat.NotebookNode) -> None:
    nbformat.write(notebook, path)
    user.give(path)


def test_a_student_cannot_submit_as_another(shared: dict[str, Path]) -> None:
    course, exchange = shared["course"], shared["exchange"]
    inbound = exchange / COURSE_ID / "inbound"
    # Instructor: `make release`, then release_assignment (guide, sections 1 and 3).
    _ok(_instructor(course, NBGRADER, "generate_assignment", ASSIGNMENT, "--force"), "generate_assignment")
    _ok(_instructor(course, NBGRADER, "release_assignment", ASSIGNMENT), "release_assignment")
    assert (inbound.stat().st_mode & 0o7777) == 0o2733, oct(inbound.stat().st_mode)  # students cannot list it

    # The victim fetches and hands in the reference answers, as themselves.
    victim_nb = shared["victim"] / ASSIGNMENT / NOTEBOOK
    _ok(_student(VICTIM, shared["victim"], exchange, "fetch_assignment", ASSIGNMENT), "victim's fetch")
    release = course / "release" / ASSIGNMENT / NOTEBOOK
    reference = read_sample(REPO / "samples" / ASSIGNMENT / "reference.py")
    honest = build_submission(release, course / "source" / ASSIGNMENT / NOTEBOOK, reference)
    _write_as(VICTIM, victim_nb, honest)
    _ok(_student(VICTIM, shared["victim"], exchange, "submit", ASSIGNMENT), "victim's submit")
    first_submission = victim_nb.read_bytes()

    # The attacker fetches too, and hands in the blank notebook under other names, as themselves.
    attacker_work = shared["attacker"]
    _ok(_student(MALLORY, attacker_work, exchange, "fetch_assignment", ASSIGNMENT), "attacker's fetch")
    theirs = attacker_work / ASSIGNMENT / NOTEBOOK
    on_time = _nbgrader_time(datetime.now(UTC))
    planted = {
        "future": f"{VICTIM.user}+{ASSIGNMENT}+2099-01-01 00:00:00.000000 UTC+{_random()}",
        "formula": f"{FORMULA}+{ASSIGNMENT}+{on_time}+{_random()}",
    }
    for name in planted.values():
        _ok(MALLORY.run([sys.executable, "-c", PLANT, str(inbound), name, str(theirs), on_time], cwd=attacker_work),
            f"planting {name}")
    before = set(os.listdir(inbound))
    for student in (VICTIM.user, MADE_UP):  # stock nbgrader's own way to hand in under another name
        _ok(_student(MALLORY, attacker_work, exchange, "submit", ASSIGNMENT, f"--student={student}"),
            f"attacker's submit as {student}")
        (new,) = set(os.listdir(inbound)) - before
        before.add(new)
        planted["as victim, now" if student == VICTIM.user else "made-up id"] = new

    # Instructor: collect, then `make grade` (guide, section 4).
    collect = _ok(_instructor(course, NBGRADER, "collect", ASSIGNMENT), "collect")
    submitted = course / "submitted"
    assert sorted(os.listdir(submitted)) == [VICTIM.user], "a planted folder made a student"
    collected = submitted / VICTIM.user / ASSIGNMENT / NOTEBOOK
    assert collected.read_bytes() == first_submission, "the victim's submission is not their own notebook"

    refusals = {r.folder: r for r in read_refusals(refusals_path(course, ASSIGNMENT))}
    assert set(refusals) == set(planted.values()), refusals
    by_kind = {kind: refusals[name].reason for kind, name in planted.items()}
    owner = f"owned by {MALLORY.user}, not by {VICTIM.user}"
    assert owner in by_kind["future"] and "in the future" in by_kind["future"], by_kind
    assert owner in by_kind["as victim, now"] and "future" not in by_kind["as victim, now"], by_kind
    assert f"no Unix user is named {MADE_UP}" in by_kind["made-up id"], by_kind
    assert "not a plain login name" in by_kind["formula"], by_kind
    assert refusals[planted["formula"]].student_id == FORMULA
    assert all(name in collect.stderr for name in planted.values()), collect.stderr  # and in collect's log
    assert json.loads(refusals_path(course, ASSIGNMENT).read_text())["schema_version"] == 1

    grade = _instructor(course, sys.executable, "-m", "course_kit.instructor.grade_class", ASSIGNMENT,
                        "--course-dir", str(course), "--jobs", "1", timeout=600)
    assert grade.returncode == 1, f"refusals need a look:\n{grade.stdout}\n{grade.stderr}"
    for refusal in refusals.values():
        assert f"refused at collect: {refusal.folder}: {refusal.reason}" in grade.stdout, grade.stdout
    score, max_score = Course(course).score(ASSIGNMENT, VICTIM.user)
    assert max_score > 0 and score == max_score, f"the victim's reference answers scored {score} / {max_score}"

    # The victim thinks again and resubmits: `collect --update` takes it, the 2099 folder notwithstanding.
    second = nbformat.read(victim_nb, as_version=4)
    second.cells.append(nbformat.v4.new_markdown_cell("Resubmitted after the deadline extension."))
    _write_as(VICTIM, victim_nb, second)
    _ok(_student(VICTIM, shared["victim"], exchange, "submit", ASSIGNMENT), "victim's resubmission")
    _ok(_instructor(course, NBGRADER, "collect", "--update", ASSIGNMENT), "collect --update")
    assert collected.read_bytes() == victim_nb.read_bytes() != first_submission, "the resubmission was not taken"
    assert sorted(os.listdir(submitted)) == [VICTIM.user]
    assert {r.folder for r in read_refusals(refusals_path(course, ASSIGNMENT))} == set(planted.values())
