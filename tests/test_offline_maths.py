"""Offline, the maths a TA grades and a student reads renders: formgrader and the feedback need no network.

A classroom machine may have no internet, and nothing may be downloaded at run time.  nbgrader's pages
loaded MathJax from a CDN, so there the derivation showed as raw ``$...$``.  Here a ps2 submission (the
reference sample: its derivation is the model answer) is graded by the kit (``grade_class``, confined),
its feedback made by a real ``nbgrader generate_feedback``, and then, in Debian's Chromium with every
request that is not to this machine aborted and recorded:

1. the feedback HTML, opened from its file as a student opens it;
2. formgrader's Manual grading view of the submission, from a JupyterLab serving the course, after a
   real login;
3. JupyterLab's own view of the graded notebook (its MathJax is bundled with it, no CDN).

In 1 and 2 every formula of every Markdown cell is a ``<math>`` element, the derivation's with as many
fractions and superscripts as its TeX has, laid out by the browser (each numerator above its
denominator, each exponent raised above its base); no ``$`` is left in the Markdown's text, no script,
link or stylesheet of the page points to another host, and the page asked for nothing beyond this
machine.  On the code before the kit made MathML (``course_kit/inert/tex_mathml.py``) the pages
asked a CDN for MathJax and showed the TeX.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import nbformat
import pytest
from bs4 import BeautifulSoup
from formula_finder import formulas
from lab_session import SCREENSHOTS, LabServer, Screenshots, chromium
from nbformat import NotebookNode
from nbgrader.api import Gradebook
from playwright.sync_api import Browser, Locator, Page, Request, Route

from conftest import REPO
from course_kit.instructor import Course, copy_course
from course_kit.instructor.grade_class import EXIT_NEEDS_A_LOOK
from course_kit.instructor.samples import build_submission, read_sample

ASSIGNMENT, STUDENT, DERIVATION = "ps2_stable_loss", "ada", "derivation"
GRADING_TIMEOUT_S = 300  # one confined ps2 notebook: ~15 s on an idle machine
FEEDBACK_TIMEOUT_S = 300
STEP_TIMEOUT_MS = 60_000
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


@dataclass
class Graded:
    course: Course
    lab: LabServer
    feedback: Path

    @property
    def notebook(self) -> str:
        return self.course.source_notebook(ASSIGNMENT).stem

    def graded(self) -> NotebookNode:
        path = self.course.course_dir / "autograded" / STUDENT / ASSIGNMENT / f"{self.notebook}.ipynb"
        return nbformat.read(path, as_version=4)

    def derivation(self) -> str:
        (cell,) = [c for c in self.graded().cells if c.metadata.get("nbgrader", {}).get("grade_id") == DERIVATION]
        return cell.source


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Graded]:
    """ps2's reference handed in by one student, graded by the kit, its feedback generated; a JupyterLab on it."""
    scratch = tmp_path_factory.mktemp("offline-maths")
    course = Course(copy_course(REPO, scratch / "course", [ASSIGNMENT]))
    lab = LabServer(course.course_dir, scratch)
    try:
        course.release(ASSIGNMENT)
        release, source = course.release_notebook(ASSIGNMENT), course.source_notebook(ASSIGNMENT)
        sample = read_sample(REPO / "samples" / ASSIGNMENT / "reference.py")
        course.submit(STUDENT, ASSIGNMENT, {release.name: build_submission(release, source, sample)})
        course.collect(ASSIGNMENT)
        env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
        grading = subprocess.run([sys.executable, "-m", "course_kit.instructor.grade_class", ASSIGNMENT,
                                  "--course-dir", str(course.course_dir)],
                                 capture_output=True, text=True, env=env, timeout=GRADING_TIMEOUT_S)
        # Graded in full; the derivation waits for a TA (exit 1: a look needed).
        assert grading.returncode == EXIT_NEEDS_A_LOOK, grading.stdout + grading.stderr
        feedback = subprocess.run([sys.executable, "-m", "nbgrader", "generate_feedback", ASSIGNMENT,
                                   "--student", STUDENT], cwd=course.course_dir, capture_output=True, text=True,
                                  env=env, timeout=FEEDBACK_TIMEOUT_S)
        assert feedback.returncode == 0, feedback.stdout + feedback.stderr
        html = course.course_dir / "feedback" / STUDENT / ASSIGNMENT / f"{source.stem}.html"
        lab.wait_until_up()
        yield Graded(course, lab, html)
    finally:
        lab.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@contextlib.contextmanager
def offline_page(browser: Browser) -> Iterator[tuple[Page, list[str]]]:
    """A page for which only this machine exists: every other request is aborted, and listed."""
    context = browser.new_context(viewport={"width": 1300, "height": 1000})
    context.set_default_timeout(STEP_TIMEOUT_MS)
    elsewhere: list[str] = []

    def local(url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme in {"file", "data", "blob", "about"} or parts.hostname in LOOPBACK

    def route(route: Route) -> None:
        if local(route.request.url):
            route.continue_()
        else:
            route.abort("internetdisconnected")

    def seen(request: Request) -> None:  # every request the page starts, routed or not
        if not local(request.url):
            elsewhere.append(request.url)

    context.route("**/*", route)
    page = context.new_page()
    page.on("request", seen)
    try:
        yield page, elsewhere
    finally:
        context.close()


def assert_no_external_resource(html: str) -> None:
    """No script, stylesheet, frame or image of the page comes from another host (CDN or otherwise)."""
    soup = BeautifulSoup(html, "html.parser")
    for tag, attribute in (("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src"),
                           ("source", "src"), ("object", "data"), ("embed", "src")):
        for element in soup.find_all(tag):
            value = (element.get(attribute) or "").strip().lower()
            assert not value.startswith(("http:", "https:", "//")), str(element)[:200]
    assert not re.search(r"cdnjs|jsdelivr|unpkg|mathjax[^\"']*\.js", html, re.IGNORECASE)


def assert_maths_rendered(cell: Locator, found: list[tuple[bool, str]]) -> None:
    """``cell`` shows each of ``found`` as MathML that the browser laid out: fractions and exponents in place."""
    maths = cell.locator("math")
    assert maths.count() == len(found) > 0
    assert "$" not in cell.inner_text()
    assert maths.evaluate_all("ms => ms.map(m => m.getAttribute('display'))") == [
        "block" if display else "inline" for display, _ in found]
    fractions = maths.evaluate_all("""ms => ms.map(m => [...m.querySelectorAll('mfrac')].map(f => {
        const [top, bottom] = [...f.children].map(c => c.getBoundingClientRect());
        return top.height > 0 && bottom.height > 0 && top.bottom <= bottom.top + 1; }))""")
    assert [len(f) for f in fractions] == [tex.count(r"\frac") for _, tex in found]
    assert all(all(f) for f in fractions), fractions
    powers = maths.evaluate_all("""ms => ms.map(m => [...m.querySelectorAll('msup')].map(s => {
        const [base, power] = [...s.children].map(c => c.getBoundingClientRect());
        return power.height > 0 && power.bottom < base.bottom && power.top < base.top; }))""")
    assert [len(p) for p in powers] == [tex.count("^") for _, tex in found]
    assert all(all(p) for p in powers), powers


def assert_every_formula_rendered(page: Page, nb: NotebookNode) -> None:
    """The derivation in detail, and every formula of the notebook's Markdown as MathML, none left as TeX."""
    every = [f for cell in nb.cells if cell.cell_type == "markdown" for f in formulas(cell.source)]
    derivation = [c.source for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == DERIVATION][0]
    assert_maths_rendered(page.locator(".text_cell_render", has_text="Model answer."), formulas(derivation))
    assert page.locator(".text_cell_render math").count() == len(every)
    assert page.locator(".text_cell_render span.tex").count() == 0
    assert "$" not in " ".join(page.locator(".text_cell_render").all_inner_texts())


def test_the_feedback_file_renders_its_maths_offline(graded: Graded, browser: Browser) -> None:
    html = graded.feedback.read_text()
    assert_no_external_resource(html)
    with offline_page(browser) as (page, elsewhere):
        page.goto(graded.feedback.as_uri())
        page.wait_for_load_state("networkidle")
        page.locator(".text_cell_render", has_text="Model answer.").scroll_into_view_if_needed()
        Screenshots(SCREENSHOTS, "offline-maths-feedback").take(page, "derivation")
        assert_every_formula_rendered(page, graded.graded())
        assert elsewhere == []


def test_formgrader_renders_the_derivation_offline(graded: Graded, browser: Browser) -> None:
    with Gradebook(graded.course.api.coursedir.db_url, graded.course.course_id) as gradebook:
        submission = gradebook.find_submission_notebook(graded.notebook, ASSIGNMENT, STUDENT).id
    port = graded.lab.port
    with offline_page(browser) as (page, elsewhere):
        # Logged in as the instructor is (the login form sets the cookie; a token in the URL alone does not).
        page.goto(f"http://127.0.0.1:{port}/login?next=%2Fapi%2Fstatus")
        page.locator("#password_input").fill(graded.lab.token)
        page.locator("#password_input").press("Enter")
        page.wait_for_url("**/api/status")
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"http://127.0.0.1:{port}/formgrader/submissions/{submission}/")
        page.wait_for_load_state("networkidle")
        # formgrader's own script set itself up in full (its keyboard shortcuts come last, after it waited for
        # MathJax's signal): nothing on the page failed for want of MathJax.
        assert errors == [] and page.evaluate("window.formgrader.loaded") is True, errors
        page.locator(".text_cell_render", has_text="Model answer.").scroll_into_view_if_needed()
        Screenshots(SCREENSHOTS, "offline-maths-formgrader").take(page, "manual-grading")
        assert_no_external_resource(page.content())
        assert_every_formula_rendered(page, graded.graded())
        # The TA can still grade it: the derivation's score box is there, and the keys move between the boxes.
        assert page.locator(f"input.score#{DERIVATION}").count() == 1
        assert page.evaluate("window.formgrader.keyboard_manager !== undefined") is True
        assert elsewhere == []


def test_jupyterlab_shows_the_graded_notebook_with_its_own_mathjax(graded: Graded, browser: Browser) -> None:
    """The instructor opening the graded notebook itself: JupyterLab typesets with the MathJax it bundles."""
    path = f"autograded/{STUDENT}/{ASSIGNMENT}/{graded.notebook}.ipynb"
    with offline_page(browser) as (page, elsewhere):
        page.goto(graded.lab.url(f"lab/tree/{path}"))
        rendered = page.locator(".jp-RenderedMarkdown", has_text="Model answer.")
        rendered.locator("mjx-container").first.wait_for()
        rendered.scroll_into_view_if_needed()
        Screenshots(SCREENSHOTS, "offline-maths-jupyterlab").take(page, "graded-notebook")
        assert rendered.locator("mjx-container").count() == len(formulas(graded.derivation()))
        assert elsewhere == []
