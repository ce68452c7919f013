"""The course on JupyterHub, end to end in a browser: real Unix users, the repository's hub/jupyterhub_config.py.

The test makes an instructor and two students as Unix users with passwords (``ck-hub-*``), gives the instructor a
copy of the course (mode 700, in their home) and a shared exchange set up as the guide says (1777), and starts
JupyterHub as root from ``hub/jupyterhub_config.py`` on free loopback ports, its servers from the prefix that
``make hub-prefix`` builds (PAM logins, each server as its user).  Then, all in Debian's Chromium:

* the instructor logs in and, in formgrader, generates and releases ps1;
* each student logs in, fetches ps1 in the Assignments panel, types an answer (one the reference, one a
  sample's partly wrong answer), saves, validates and submits;
* the instructor collects, autogrades each student from formgrader (the kit's configuration: confined kernels,
  the submission gate, the graders outside the kernel), generates and releases feedback;
* each student fetches the feedback and opens it: their score and the graders' check tables.

It asserts the gradebook's scores (the reference full marks, the wrong one less), that ``make grade``'s engine
gives the same scores on the same submissions, that a student's browser reaches neither formgrader (their own
server has none; the instructor's refuses them) nor a classmate's files, and that nothing of the course's
hidden parts (graders, source, gradebook, secret) is readable by a student or reached their home.

Slow (two minutes or more) and it needs root, useradd, chromium and the hub prefix: ``make test-hub`` runs it
(CK_TEST_HUB=1); the main suite skips it.  Every user, process and folder it made is removed at the end.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat
import psutil
import pytest

if not os.environ.get("CK_TEST_HUB"):
    pytest.skip("the JupyterHub end-to-end test runs with `make test-hub` (CK_TEST_HUB=1)", allow_module_level=True)

from lab_session import SCREENSHOTS, USER_SETTINGS, Screenshots, chromium  # noqa: E402


def distinct_free_ports(count: int) -> list[int]:
    """Ports free on 127.0.0.1 now, all held open together so they differ.  JupyterHub takes its three ports from
    its configuration, not from the kernel (unlike JupyterLab, which the suite starts on port 0): a process that
    took one in between would make the hub fail to start, loudly, never pass wrongly."""
    probes = [socket.socket() for _ in range(count)]
    try:
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [probe.getsockname()[1] for probe in probes]
    finally:
        for probe in probes:
            probe.close()
from nbgrader.api import Gradebook  # noqa: E402
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect  # noqa: E402

from conftest import REPO  # noqa: E402
from course_kit.grading.record import record_path  # noqa: E402
from course_kit.instructor import Course, copy_course  # noqa: E402
from course_kit.instructor.samples import read_sample, reference_solutions  # noqa: E402

ASSIGNMENT, NOTEBOOK, COURSE_ID = "ps1_naive_loss", "naive_loss", "from_logits"
PREFIX = Path(os.environ.get("FROM_LOGITS_HUB_PREFIX", "/opt/from_logits-hub"))
INSTRUCTOR = "ck-hub-teacher"
# Each student and the sample whose answers they type: the reference (full marks) and a partly wrong one.
STUDENTS = {"ck-hub-ada": "reference", "ck-hub-bob": "partially_right"}
HUB_START_S = 120  # the hub and its proxy answering /hub/health
SPAWN_MS = 180_000  # a user's server started and JupyterLab loaded (c.Spawner.start_timeout + the page)
STEP_MS = 60_000  # a page step against a server or nbgrader
AUTOGRADE_MS = 600_000  # one confined autograde of ps1 from formgrader, on a busy machine
expect.set_options(timeout=STEP_MS)


def _run(argv: list[str], **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, check=True, capture_output=True, text=True, timeout=120, **kwargs)


def as_user(user: str, argv: list[str]) -> subprocess.CompletedProcess[str]:
    """``argv`` as ``user``, with no privilege left: what that user's own server could do."""
    return subprocess.run(["setpriv", "--reuid", user, "--regid", user, "--init-groups", "--", *argv],
                          capture_output=True, text=True, timeout=120, cwd="/")


@dataclass
class Hub:
    url: str
    course: Path
    exchange: Path
    passwords: dict[str, str]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def _unavailable() -> str | None:
    if os.geteuid() != 0:
        return "JupyterHub spawns each user's server as that user: the test must run as root"
    missing = [tool for tool in ("useradd", "userdel", "chpasswd", "setpriv", "bwrap") if not shutil.which(tool)]
    if missing:
        return f"{', '.join(missing)} missing"
    if not (PREFIX / "venv" / "bin" / "jupyterhub-singleuser").exists():
        return f"no hub prefix at {PREFIX}: run `make hub-prefix` (make test-hub does)"
    if not (REPO / "hub" / "node_modules" / ".bin" / "configurable-http-proxy").exists():
        return "the proxy is not installed: run `make hub-prefix` (npm ci in hub/)"
    return None


def _make_user(name: str, password: str) -> Path:
    with contextlib.suppress(KeyError):
        pwd.getpwnam(name)
        _remove_user(name)  # left by an earlier, killed run
    _run(["useradd", "--create-home", "--shell", "/bin/sh", name])
    _run(["chpasswd"], input=f"{name}:{password}\n")
    home = Path(pwd.getpwnam(name).pw_dir)
    entry = pwd.getpwnam(name)
    # JupyterLab's settings of the other browser tests: no news toast, every cell in the page.
    for plugin, settings in USER_SETTINGS.items():
        path = home / ".jupyter" / "lab" / "user-settings" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(settings))
    _run(["chown", "-R", f"{entry.pw_uid}:{entry.pw_gid}", str(home)])
    return home


def _remove_user(name: str) -> None:
    try:
        uid = pwd.getpwnam(name).pw_uid
    except KeyError:
        return
    for process in psutil.process_iter(["uids"]):
        with contextlib.suppress(psutil.Error):
            if process.info["uids"] and process.info["uids"].real == uid:
                process.kill()
    subprocess.run(["userdel", "--remove", name], capture_output=True, timeout=60)


def _wait_for_hub(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + HUB_START_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"jupyterhub exited with {process.returncode}:\n{log.read_text()[-6000:]}")
        try:
            with urllib.request.urlopen(f"{url}/hub/health", timeout=5):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"jupyterhub did not answer within {HUB_START_S} s:\n{log.read_text()[-6000:]}")


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM: the hub stops every user's server (cleanup_servers) and its proxy; anything left is killed."""
    if process.poll() is None:
        started = psutil.Process(process.pid).children(recursive=True)
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)
        for child in started:
            with contextlib.suppress(psutil.NoSuchProcess):
                child.kill()


@pytest.fixture(scope="module")
def hub() -> Iterator[Hub]:
    if reason := _unavailable():
        pytest.skip(f"the hub cannot be run here: {reason}")
    users = [INSTRUCTOR, *STUDENTS]
    passwords = {user: secrets.token_urlsafe(12) for user in users}
    top = Path(tempfile.mkdtemp(prefix="ck-hub-"))
    process = None
    try:
        homes = {user: _make_user(user, password) for user, password in passwords.items()}
        top.chmod(0o755)
        exchange = top / "exchange"  # as the guide: `mkdir -p /srv/nbgrader/exchange; chmod 1777`
        exchange.mkdir()
        exchange.chmod(0o1777)
        state = top / "state"  # the hub's database and cookie secret: root's
        state.mkdir(mode=0o700)
        # The instructor's course, as cloned into their home: the repo's configuration, the exchange named in its
        # local_config.py (docs/jupyterhub.md), the root folder mode 700.
        course = copy_course(REPO, homes[INSTRUCTOR] / COURSE_ID, [ASSIGNMENT])
        (course / "local_config.py").write_text(f"c.Exchange.root = {str(exchange)!r}\n")
        teacher = pwd.getpwnam(INSTRUCTOR)
        _run(["chown", "-R", f"{teacher.pw_uid}:{teacher.pw_gid}", str(course)])
        course.chmod(0o700)

        port, hub_port, proxy_port = distinct_free_ports(3)
        env = {
            "PATH": f"{PREFIX / 'venv' / 'bin'}:/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
            "FROM_LOGITS_HUB_PREFIX": str(PREFIX), "FROM_LOGITS_HUB_STATE": str(state),
            "FROM_LOGITS_COURSE_ROOT": str(course), "FROM_LOGITS_EXCHANGE": str(exchange),
            "FROM_LOGITS_INSTRUCTORS": INSTRUCTOR, "FROM_LOGITS_STUDENTS": " ".join(STUDENTS),
            "FROM_LOGITS_HUB_URL": f"http://127.0.0.1:{port}",
            "FROM_LOGITS_HUB_API_URL": f"http://127.0.0.1:{hub_port}",
            "FROM_LOGITS_PROXY_API_URL": f"http://127.0.0.1:{proxy_port}",
            "CONFIGPROXY_AUTH_TOKEN": secrets.token_hex(32),
        }  # fmt: skip
        log_path = top / "jupyterhub.log"
        with log_path.open("w") as log:  # a file: a full pipe would stall the hub
            process = subprocess.Popen(
                [str(PREFIX / "venv" / "bin" / "jupyterhub"), "-f", str(REPO / "hub" / "jupyterhub_config.py")],
                cwd=state, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        url = f"http://127.0.0.1:{port}"
        _wait_for_hub(url, process, log_path)
        yield Hub(url, course, exchange, passwords, log_path)
    finally:
        if process is not None:
            _stop(process)
            log_copy = SCREENSHOTS / "hub-jupyterhub.log"
            SCREENSHOTS.mkdir(exist_ok=True)
            shutil.copyfile(top / "jupyterhub.log", log_copy)
        for user in users:
            _remove_user(user)
        shutil.rmtree(top, ignore_errors=True)


class SandboxWatch:
    """Seen while it runs: a bubblewrap process of ``user`` (the confined kernels the kit's autograde starts)."""

    def __init__(self, user: str) -> None:
        self.uid, self.seen, self._stop = pwd.getpwnam(user).pw_uid, threading.Event(), threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not (self.seen.is_set() or self._stop.is_set()):
            for process in psutil.process_iter(["name", "uids"]):
                if process.info["name"] == "bwrap" and process.info["uids"] and process.info["uids"].real == self.uid:
                    self.seen.set()
            self._stop.wait(0.05)

    def __enter__(self) -> SandboxWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def log_in(browser: Browser, hub: Hub, user: str) -> tuple[BrowserContext, Page]:
    """The hub's login form, then the user's own JupyterLab, spawned for them."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(STEP_MS)
    page = context.new_page()
    page.goto(f"{hub.url}/hub/login")
    page.fill("#username_input", user)
    page.fill("#password_input", hub.passwords[user])
    page.click("#login_submit")
    page.wait_for_url(re.compile(rf"/user/{user}/lab"), timeout=SPAWN_MS)
    page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").wait_for(timeout=SPAWN_MS)
    return context, page


def open_assignments(page: Page) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
    page.locator('#jp-mainmenu-nbgrader li[data-command="nbgrader:open-assignment-list"]').click()


def formgrader_action(page: Page, link: Locator, timeout_ms: float = STEP_MS) -> None:
    """Click a formgrader table's action link and wait for its success dialog (an error one fails the test)."""
    link.click()
    outcome = page.locator("#success-modal, #error-modal")
    expect(outcome).to_be_visible(timeout=timeout_ms)
    assert outcome.get_attribute("id") == "success-modal", outcome.inner_text()
    outcome.locator("button.btn-primary", has_text="OK").click()
    expect(outcome).to_have_count(0)


def type_into_cell(page: Page, index: int, source: str) -> None:
    editor = page.locator(".jp-NotebookPanel:visible .jp-Notebook .jp-Cell").nth(index).locator(".cm-content")
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(source)


def student_submits(browser: Browser, hub: Hub, student: str, sample: str, shots: Screenshots) -> str:
    """Fetch, answer, save, validate and submit ps1 as ``student``; the validation's verdict."""
    context, page = log_in(browser, hub, student)
    try:
        # Nothing of formgrader in a student's page: its menu items are off (hub/students/labconfig).
        page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
        menu = page.locator("#jp-mainmenu-nbgrader")
        expect(menu.locator('li[data-command="nbgrader:open-assignment-list"]')).to_be_visible()
        # The menu plugin lists every nbgrader command; those of disabled plugins do not exist, and stay hidden.
        expect(menu.locator('li[data-command^="nbgrader:open-formgrader"]:visible')).to_have_count(0)
        expect(menu.locator('li[data-command="nbgrader:open-course-list"]:visible')).to_have_count(0)
        menu.locator('li[data-command="nbgrader:open-assignment-list"]').click()
        released = page.locator("#released_assignments_list > .list_item").filter(has_text=ASSIGNMENT)
        expect(released.locator(".item_course")).to_have_text(COURSE_ID)
        # Course membership through the hub: this course's assignments, and nothing else listed.
        expect(page.locator("#released_assignments_list > .list_item")).to_have_count(1)
        released.locator(".item_status button", has_text="Fetch").click()
        fetched = page.locator("#fetched_assignments_list > .list_item")
        expect(fetched).to_have_count(1)
        fetched.locator("a.assignment-notebooks-link", has_text=ASSIGNMENT).click()
        notebook_row = fetched.locator(".nested_list_item", has_text=NOTEBOOK)
        expect(notebook_row).to_be_visible()
        shots.take(page, f"{student}-fetched")

        home = Path(pwd.getpwnam(student).pw_dir)
        fetched_nb = nbformat.read(home / COURSE_ID / ASSIGNMENT / f"{NOTEBOOK}.ipynb", as_version=4)
        source = REPO / "source" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
        typed = read_sample(REPO / "samples" / ASSIGNMENT / f"{sample}.py").sections
        answers = {**reference_solutions(source), **typed}
        answer_cells = [(i, answers[cell.metadata.nbgrader["grade_id"]]) for i, cell in enumerate(fetched_nb.cells)
                        if cell.metadata.get("nbgrader", {}).get("solution")]
        notebook_row.locator(".item_name a").click()
        expect(page.locator(".jp-NotebookPanel:visible .jp-Notebook .jp-Cell")).to_have_count(len(fetched_nb.cells))
        for index, text in answer_cells:
            type_into_cell(page, index, text.rstrip("\n"))
        page.keyboard.press("Control+s")
        tab = page.locator(".lm-TabBar-tab", has_text=f"{NOTEBOOK}.ipynb")
        expect(tab).not_to_have_class(re.compile("jp-mod-dirty"))
        shots.take(page, f"{student}-answered")

        page.locator(".lm-TabBar-tab", has_text="Assignments").click()
        notebook_row.locator("button", has_text="Validate").click()
        dialog = page.locator(".jp-Dialog")
        expect(dialog).to_be_visible(timeout=AUTOGRADE_MS)  # the student's server runs the notebook
        verdict = dialog.inner_text()
        shots.take(page, f"{student}-validated")
        assert "error running the validate command" not in verdict, verdict
        dialog.locator("button.jp-mod-accept, button").last.click()
        expect(dialog).to_have_count(0)

        fetched.locator(".item_status button", has_text="Submit").click()
        expect(page.locator("#submitted_assignments_list > .list_item")).to_have_count(1)
        shots.take(page, f"{student}-submitted")

        # The student's server has no formgrader; the instructor's and a classmate's refuse this student.
        own = page.request.get(f"{hub.url}/user/{student}/formgrader/manage_assignments", max_redirects=0)
        assert own.status == 404, (own.status, own.text()[:500])
        theirs = page.request.get(f"{hub.url}/user/{INSTRUCTOR}/formgrader/manage_assignments")
        assert theirs.status in (403, 404) and "Manage Assignments" not in theirs.text(), theirs.status
        classmate = next(s for s in STUDENTS if s != student)
        files = page.request.get(f"{hub.url}/user/{classmate}/api/contents/{COURSE_ID}/{ASSIGNMENT}")
        assert files.status in (403, 404) and NOTEBOOK not in files.text(), (files.status, files.text()[:500])
        return verdict
    finally:
        context.close()


def student_reads_feedback(browser: Browser, hub: Hub, student: str, shots: Screenshots) -> str:
    context, page = log_in(browser, hub, student)
    try:
        open_assignments(page)
        submitted = page.locator("#submitted_assignments_list > .list_item")
        submitted.locator("button", has_text="Fetch Feedback").click()
        expect(submitted.locator("text=(view feedback)")).to_be_visible()
        shots.take(page, f"{student}-feedback-fetched")
        home = Path(pwd.getpwnam(student).pw_dir)
        (feedback,) = (home / COURSE_ID / ASSIGNMENT / "feedback").glob(f"*/{NOTEBOOK}.html")
        page.goto(f"{hub.url}/user/{student}/files/{feedback.relative_to(home)}")
        expect(page.locator("h4", has_text="Score")).to_be_visible()
        # One table of the graders' checks per test cell (course_kit/grading/report_html.py).
        test_cells = page.locator("#toc li", has_text="Test cell")
        checks = page.locator("table", has=page.locator("th", has_text="Check")).filter(
            has=page.locator("th", has_text="Message"))
        expect(checks).to_have_count(test_cells.count())
        assert test_cells.count() > 0
        shots.take(page, f"{student}-feedback")
        return page.content()
    finally:
        context.close()


def gradebook_scores(course: Path) -> dict[str, tuple[float, float]]:
    with Gradebook("sqlite:///" + str(course / "gradebook.db"), COURSE_ID) as gradebook:
        return {s: (gradebook.find_submission(ASSIGNMENT, s).score, gradebook.find_submission(ASSIGNMENT, s).max_score)
                for s in STUDENTS}


def test_the_course_runs_on_jupyterhub_end_to_end(hub: Hub, browser: Browser, tmp_path: Path) -> None:
    shots = Screenshots(SCREENSHOTS, "hub")
    # The instructor generates and releases ps1 in formgrader.
    context, teacher = log_in(browser, hub, INSTRUCTOR)
    teacher.goto(f"{hub.url}/user/{INSTRUCTOR}/formgrader/manage_assignments")
    row = teacher.locator("tr", has=teacher.locator("td", has_text=ASSIGNMENT))
    expect(row).to_have_count(1)
    formgrader_action(teacher, row.locator("td.assign a"))
    formgrader_action(teacher, row.locator("td.release a"))
    expect(row.locator("td.status")).to_have_text("released")
    shots.take(teacher, "instructor-released")

    verdicts = {student: student_submits(browser, hub, student, sample, shots) for student, sample in STUDENTS.items()}
    assert all("Success!" in v or "failed" in v for v in verdicts.values()), verdicts

    # The instructor collects, autogrades each student from formgrader, and releases feedback.
    teacher.goto(f"{hub.url}/user/{INSTRUCTOR}/formgrader/manage_assignments")
    formgrader_action(teacher, row.locator("td.collect a"))
    teacher.reload()
    expect(row.locator("td.num-submissions")).to_have_text(str(len(STUDENTS)))
    teacher.goto(f"{hub.url}/user/{INSTRUCTOR}/formgrader/manage_submissions/{ASSIGNMENT}")
    with SandboxWatch(INSTRUCTOR) as sandbox:
        for student in STUDENTS:
            line = teacher.locator("tr", has=teacher.locator("td.student-id", has_text=student))
            formgrader_action(teacher, line.locator("td.autograde a"), AUTOGRADE_MS)
    # Formgrader's button graded with the course's configuration: kernels in bubblewrap, as the instructor.
    assert sandbox.seen.is_set(), "formgrader's autograde started no bubblewrap sandbox"
    teacher.reload()
    expect(teacher.locator("td.status", has_text="graded")).to_have_count(len(STUDENTS))
    shots.take(teacher, "instructor-autograded")
    teacher.goto(f"{hub.url}/user/{INSTRUCTOR}/formgrader/manage_assignments")
    formgrader_action(teacher, row.locator("td.generate-feedback a"), AUTOGRADE_MS)
    formgrader_action(teacher, row.locator("td.release-feedback a"))
    shots.take(teacher, "instructor-feedback-released")
    context.close()

    scores = gradebook_scores(hub.course)
    ada, bob = (scores[s] for s in STUDENTS)
    assert ada[1] > 0 and ada[0] == ada[1], f"the reference answers scored {ada}"
    assert bob[0] < bob[1], f"the partly wrong answers scored {bob}"
    # Graded through the kit's pipeline (its last step writes the grading record), not stock nbgrader's.
    for student in STUDENTS:
        graded = hub.course / "autograded" / student / ASSIGNMENT
        assert record_path(graded, NOTEBOOK).is_file() or record_path(graded, f"{NOTEBOOK}.ipynb").is_file(), graded

    # Each student fetches and reads their feedback: their score and the graders' check tables.
    for student in STUDENTS:
        html = student_reads_feedback(browser, hub, student, shots)
        score, max_score = scores[student]
        assert re.search(rf"Score: {score:g}(\.0+)? / {max_score:g}(\.0+)?", html), re.findall(r"Score[^<]*", html)

    # make grade's engine on the same submissions (a copy of the course with the same secret) agrees.
    regrade = copy_course(REPO, tmp_path / "regrade", [ASSIGNMENT])
    shutil.copytree(hub.course / "submitted", regrade / "submitted", symlinks=True)
    shutil.copy2(hub.course / ".grading-secret", regrade / ".grading-secret")
    Course(regrade).generate(ASSIGNMENT)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    run = subprocess.run([sys.executable, "-m", "course_kit.instructor.grade_class", ASSIGNMENT, "--course-dir",
                          str(regrade)], cwd=regrade, env=env, capture_output=True, text=True, timeout=900)
    assert run.returncode in (0, 1), run.stdout + run.stderr
    assert gradebook_scores(regrade) == scores, (gradebook_scores(regrade), scores, run.stdout)

    # Nothing hidden reached a student: the course's hidden parts are unreadable to them, and none is in their home.
    hidden = [hub.course / "graders" / ASSIGNMENT, hub.course / "source" / ASSIGNMENT / f"{NOTEBOOK}.ipynb",
              hub.course / "gradebook.db", hub.course / ".grading-secret"]
    grader_lines = {max(p.read_text().splitlines(), key=len) for p in (REPO / "graders" / ASSIGNMENT).rglob("*.py")
                    if p.read_text().strip()}
    for student in STUDENTS:
        for path in hidden:
            probe = as_user(student, [str(PREFIX / "venv" / "bin" / "python"), "-c",
                                      "import os, sys; p = sys.argv[1]; os.listdir(p) if os.path.isdir(p) else "
                                      "open(p, 'rb').read(1)", str(path)])
            assert probe.returncode != 0 and "PermissionError" in probe.stderr, (student, path, probe.stderr)
        home = Path(pwd.getpwnam(student).pw_dir)
        for file in (f for f in home.rglob("*") if f.is_file()):
            assert file.name not in {"gradebook.db", ".grading-secret"}, file
            text = file.read_bytes().decode("utf-8", "replace")
            assert not [line for line in grader_lines if line in text], f"a grader's line is in {file}"
    exchange_modes = {p.name: oct(p.stat().st_mode & 0o7777) for p in (hub.exchange / COURSE_ID).iterdir()}
    assert exchange_modes.get("inbound") == "0o2733", exchange_modes  # students cannot list the submissions
