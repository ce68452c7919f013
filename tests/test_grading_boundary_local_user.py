"""Another local user, during a real ``make grade J=2``, can use nothing of the run: not its cluster, not its files.

A Unix user created here (``ck-dasktls-mallory``) runs ``boundary_probe.py``
for the whole of a real class run (ps1, three samples, two local Dask
workers), as root and as an ordinary instructor.  Round after round, while
the run lives, the probe is handed the ports the grader's processes listen on
(the test, as root, reads them off the process tree) and attacks each as an
attacker who found it in the world-readable ``/proc/net/tcp`` would: a Dask
connection without the run's key (plain, and TLS with a key of its own) and
the dashboard's HTTP pages; and it walks the run's temporary folder,
opening every file it sees or that a process's command line names.

The probe must have seen the run (its ports, its folder, the kernels' folders
named on bwrap's command lines, all while the run was alive) and reached
nothing; the class must still get the scores its samples expect.
"""

from __future__ import annotations

import json
import pwd
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import pytest
from instructors import INSTRUCTORS, ROOT, Instructor

from conftest import FULL, REPO, TEST_SETTINGS, expected_scores
from course_kit.instructor import Course, copy_course
from course_kit.instructor.samples import build_submission, read_sample

ASSIGNMENT = "ps1_naive_loss"
STUDENTS = ["errors", "partially_right", "reference"]
MALLORY = Instructor("another local user", "ck-dasktls-mallory")
PROBE = Path(__file__).with_name("boundary_probe.py")
RUN_TIMEOUT = 600  # the whole class run, on a loaded machine
ROUND_TIMEOUT = 300  # one probe round: its connections, all at once, give up after 3 s


@dataclass
class Round:
    ports: dict[int, int]  # port -> pid of the grader's process listening on it
    report: dict
    alive_after: bool  # the run was still going when the round's report came back


@dataclass
class Watched:
    course: Course
    grader_uid: int
    returncode: int
    output: str
    rounds: list[Round] = field(default_factory=list)

    @property
    def live(self) -> list[Round]:
        return [r for r in self.rounds if r.alive_after]


def _class(instructor: Instructor, base: Path) -> Course:
    parent = base if instructor is ROOT else instructor.home()
    course_dir = copy_course(REPO, parent / "from_logits_probed", [ASSIGNMENT])
    with (course_dir / "nbgrader_config.py").open("a") as config:
        config.write(TEST_SETTINGS)
    course = Course(course_dir)
    course.release(ASSIGNMENT)
    release, source = course.release_notebook(ASSIGNMENT), course.source_notebook(ASSIGNMENT)
    for student in STUDENTS:
        sample = read_sample(REPO / "samples" / ASSIGNMENT / f"{student}.py")
        course.submit(student, ASSIGNMENT, {release.name: build_submission(release, source, sample)})
    course.collect(ASSIGNMENT)
    instructor.give(course_dir)
    return course


def _listening_ports(pid: int) -> dict[int, int]:
    """Port -> pid, for every TCP socket the process ``pid`` and its descendants listen on."""
    try:
        tree = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        return {}
    ports = {}
    for process in tree:
        try:
            connections = process.net_connections(kind="tcp")
        except psutil.Error:  # it ended meanwhile
            continue
        ports |= {c.laddr.port: process.pid for c in connections if c.status == psutil.CONN_LISTEN}
    return ports


def _lines(pipe) -> queue.Queue:
    """The pipe's lines, as they come, on a queue (a read with a deadline: ``get(timeout=...)``)."""
    lines: queue.Queue = queue.Queue()

    def pump() -> None:
        for line in pipe:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    return lines


def _answer(lines: queue.Queue) -> dict:
    line = lines.get(timeout=ROUND_TIMEOUT)
    assert line is not None, "the probe ended before answering"
    return json.loads(line)


def _watch(instructor: Instructor, course: Course, temp: Path, logs: Path) -> Watched:
    command, env = MALLORY.command([sys.executable, "-I", str(PROBE), str(temp)])
    probe = subprocess.Popen(command, cwd="/", env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=(logs / "probe.err").open("w"), text=True)
    try:
        answers = _lines(probe.stdout)
        assert _answer(answers)["ready"] != 0
        command, env = instructor.command(instructor.grade_command(course.course_dir, ASSIGNMENT, "--jobs", "2"),
                                          env={"TMPDIR": str(temp)})
        with (logs / "grade.out").open("w+") as out:
            grader = subprocess.Popen(command, cwd=course.course_dir, env=env, stdout=out,
                                      stderr=subprocess.STDOUT, text=True)
            rounds = []
            deadline = time.monotonic() + RUN_TIMEOUT
            while grader.poll() is None and time.monotonic() < deadline:  # each round is the polling interval
                ports = _listening_ports(grader.pid)
                probe.stdin.write(json.dumps({"ports": sorted(ports)}) + "\n")
                probe.stdin.flush()
                report = _answer(answers)
                rounds.append(Round(ports, report, grader.poll() is None))
                with (logs / "rounds.jsonl").open("a") as record:  # for a failure's post-mortem
                    record.write(json.dumps({"at": time.monotonic(), **vars(rounds[-1])}) + "\n")
            returncode = grader.wait(timeout=60)
            out.seek(0)
            output = out.read()
        grader_uid = 0 if instructor is ROOT else pwd.getpwnam(instructor.user).pw_uid
        return Watched(course, grader_uid, returncode, output, rounds)
    finally:
        probe.stdin.close()
        try:
            probe.wait(timeout=ROUND_TIMEOUT)
        except subprocess.TimeoutExpired:
            probe.kill()
            probe.wait(timeout=30)


@pytest.fixture(scope="module")
def run_temp() -> Iterator[Path]:
    """The runs' TMPDIR: world-writable and sticky like /tmp, where every user can look; short (ipc paths)."""
    folder = Path(tempfile.mkdtemp(prefix="ck-dasktls-", dir="/tmp"))
    folder.chmod(0o1777)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module", params=INSTRUCTORS, ids=[i.name for i in INSTRUCTORS])
def watched(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
            run_temp: Path) -> Iterator[Watched]:
    instructor: Instructor = request.param
    problem = instructor.unavailable() or MALLORY.unavailable()
    if problem:
        # request.node: the module (a module fixture), whose tests all skip with it
        request.node.add_marker(pytest.mark.safety_feature("another local user reaches nothing of a grading run"))
        pytest.skip(problem)
    instructor.create()
    MALLORY.create()
    scratch = tmp_path_factory.mktemp("probed")
    course = _class(instructor, scratch)
    try:
        yield _watch(instructor, course, run_temp, scratch)
    finally:
        if instructor is not ROOT:
            shutil.rmtree(course.course_dir, ignore_errors=True)


def test_another_user_reaches_nothing_of_a_grading_run(watched: Watched):
    assert watched.returncode in (0, 1), watched.output[-3000:]
    assert all(r.report["uid"] not in (0, watched.grader_uid) for r in watched.rounds)
    # Nothing answered, nothing listed or read, in any round ...
    for round_ in watched.rounds:
        for port, probed in round_.report["ports"].items():
            for attempt in ("dask_tcp", "dask_tls"):
                assert not probed[attempt].startswith("answered"), (port, probed)
            for answer in probed["http"]:
                assert re.fullmatch(r"\S+ (no answer: \w+|404 .*)", answer), (port, answer)
            assert probed["listed"] == {"address": "127.0.0.1", "uid": watched.grader_uid}, (port, probed)
        temp = round_.report["temp"]
        assert temp["listed"] == [] and temp["read"] == [], temp

    # ... and not for want of looking: while the run was alive the probe saw the cluster's ports (the
    # scheduler in the grader's process, the workers in theirs) and attacked each, saw the run's folder in the
    # temporary folder, and the kernels' folders named on bwrap's command lines.
    live = watched.live
    assert live, f"no probe round ended while the run was alive ({len(watched.rounds)} rounds)"
    seen = {port: r.ports[port] for r in live for port in r.ports}
    assert len(set(seen.values())) >= 3, seen  # the grader (scheduler, nannies) and its two workers
    attacked = {int(port) for r in watched.rounds for port in r.report["ports"]}
    assert set(seen) <= attacked, (seen, attacked)
    assert any(name.startswith("ck-run-") for r in live for name in r.report["temp"]["seen"]), live[-1].report
    assert any("/confined-kernel-" in path for r in live for path in r.report["temp"]["named_by_processes"])


def test_the_watched_class_gets_its_expected_scores(watched: Watched):
    course = watched.course
    for student in STUDENTS:
        cells = {c.grade_id: c for c in course.cell_results(ASSIGNMENT, student)}
        for cell, (points, _) in expected_scores(REPO / "samples" / ASSIGNMENT / f"{student}.py").items():
            want = cells[cell].max_score if points == FULL else points
            assert cells[cell].score == pytest.approx(want), (student, cell, watched.output[-2000:])
