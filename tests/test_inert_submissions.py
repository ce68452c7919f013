"""A submission built to run script as the instructor is graded and shown, and nothing in it runs.

One student of ps1 hands in the reference answers plus every way a notebook can carry script into a
page: outputs of ``text/html`` (``<script>``, ``<img onerror>``, ``<iframe srcdoc>``, ``<svg onload>``,
``<object>``, ``<embed>``, ``<meta http-equiv=refresh>``, ``<base>``, ``<link>``, ``<style>``, CSS
``url()``, a ``javascript:`` link, a form), ``application/javascript``, ``image/svg+xml``,
``text/markdown`` with raw HTML, a widget view, a PNG whose metadata smuggles an attribute into the
``<img>`` tag, MathML (``<maction>``, ``href`` on ``<mi>``, ``<annotation-xml>`` holding ``<svg onload>``,
``<mglyph src>``, the ``<mtext><table><mglyph><style>`` mutation); a Markdown cell with raw ``<script>``,
``<img onerror>`` and the same MathML beside its maths, ``\\href{javascript:...}`` in its TeX, an SVG
attachment, an HTML raw cell, saved widget state.  Each script, if it ran, would say so four ways: a
line on the console, a name in ``window.__ck_ran``, a request to a marker HTTP server the test runs, and
(one of them) a ``POST /api/kernels`` with the instructor's cookie and ``_xsrf``, which starts a kernel.

The kit grades it for real (``grade_class``: confined autograde), then:

1. the graded notebook on disk holds no script, event handler, ``javascript:`` URL or active MIME type
   (parsed with an HTML parser), while the kit's check tables and the graders' figures are there;
2. formgrader's Manual grading view, opened in headless Chromium from a JupyterLab serving the course,
   runs nothing, shows every PNG (the student's plot included) and the Markdown's maths as MathML
   (and loads no MathJax: ``tests/test_offline_maths.py`` checks that rendering offline);
3. the feedback HTML of a real ``nbgrader generate_feedback``, opened in Chromium, the same, with the
   check tables and the graders' figures;

and 2 and 3 again on the same notebook with the hostile content written back into it, as a notebook
graded by stock nbgrader (or before the kit cleaned it) would hold it: the render-time defence alone.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import stat
import struct
import subprocess
import sys
import threading
import urllib.request
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from lab_session import SCREENSHOTS, LabServer, Screenshots, chromium
from nbformat import NotebookNode
from nbformat.v4 import new_markdown_cell, new_output, new_raw_cell
from nbgrader.api import Gradebook
from playwright.sync_api import Browser, Page

from conftest import REPO
from course_kit.grading.report_html import table_html
from course_kit.grading.results import CellReport, CheckResult
from course_kit.inert import clean
from course_kit.instructor import Course, copy_course
from course_kit.instructor.grade_class import is_graded
from course_kit.instructor.samples import Sample, build_submission
from course_kit.preprocessors.inert_notebook import KEPT_AS_IS

ASSIGNMENT, STUDENT = "ps1_naive_loss", "mallory"
GRADING_TIMEOUT_S = 300  # one confined ps1 notebook: ~20 s on an idle machine
STEP_TIMEOUT_MS = 60_000
MATHS = r"$\frac{\partial L}{\partial z} = \sigma(z) - y$"  # the student's own Markdown maths
INTRO_MATHS = r"$1/(1 + e^{-z})$"  # the release notebook's, in the sigmoid's introduction
ACTIVE_TAGS = {"script", "iframe", "object", "embed", "meta", "base", "link", "style", "form", "svg",
               "maction", "annotation-xml", "semantics", "mglyph"}  # MathML's own: the policy keeps <math> now


def tiny_png() -> bytes:
    """A valid 2x2 PNG, so that an <img> of it loads (naturalWidth 2)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def js(name: str, marker: str) -> str:
    """What each payload runs: visible on the console, in a global and at the marker server. No double quotes."""
    return (f"(function(){{window.__ck_ran=(window.__ck_ran||[]).concat(['{name}']);console.log('CK-RAN {name}');"
            f"try{{fetch('{marker}/ran/{name}',{{mode:'no-cors'}})}}catch(e){{}}}})()")


def kernel_js(marker: str) -> str:
    """The colleague's payload: start a kernel as the instructor, with the page's cookie and _xsrf (absolute: a
    <base> elsewhere in the page would move a relative URL)."""
    return (js("post-api-kernels", marker) + ";var m=document.cookie.match(/_xsrf=([^;]*)/);"
            "fetch(location.origin+'/api/kernels',{method:'POST',credentials:'same-origin',headers:{'Content-Type':'application/json',"
            "'X-XSRFToken':m?decodeURIComponent(m[1]):''},body:'{}'})")


def mathml_payloads(name: str, marker: str) -> str:
    """MathML that would run script, link to it or load a URL if the policy kept it (name tells them apart)."""
    return (f'<math><maction actiontype="statusline#{name}" onclick="{js(name + "-maction", marker)}"><mi>x</mi>'
            f"<mtext>{name}</mtext></maction></math>"
            f'<math><mi href="javascript:{js(name + "-mi-href", marker)}">click</mi></math>'
            f'<math><semantics><mi>y</mi><annotation-xml encoding="text/html"><svg onload="'
            f'{js(name + "-annotation-svg", marker)}"></svg></annotation-xml></semantics></math>'
            f'<math><mglyph src="{marker}/ran/{name}-mglyph"></mglyph></math>'
            f'<math><mtext><table><mglyph><style><img src="x-missing.png" onerror="{js(name + "-mutation", marker)}">'
            "</style></mglyph></table></mtext></math>")


def hostile_outputs(marker: str) -> list[NotebookNode]:
    """Every output payload, as the kernel displays it."""
    def html(name: str, fragment: str) -> NotebookNode:
        return new_output("display_data", data={"text/html": fragment, "text/plain": f"<{name}>"})

    atob = js("png-width-attribute", marker)
    atob += " " * (-len(atob) % 3)  # no base64 padding: '=' would end the unquoted attribute early
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" onload="{js("svg-onload", marker)}">'
           f'<script>{js("svg-script", marker)}</script></svg>')
    return [
        html("script", f"<script>{js('html-script', marker)}</script>"),
        html("onerror", f'<img src="x-missing.png" onerror="{js("img-onerror", marker)}">'),
        html("iframe", f'<iframe srcdoc="<script>{js("iframe-srcdoc", marker)}</script>"></iframe>'),
        html("kernel", f"<script>{kernel_js(marker)}</script>"),
        html("svg-inline", svg.replace("svg-onload", "inline-svg-onload").replace("svg-script", "inline-svg-script")),
        html("object", f'<object data="{marker}/ran/object"></object><embed src="{marker}/ran/embed">'),
        html("css", f'<div style="background-image: url({marker}/ran/css-url)">styled</div>'
                    f"<style>@import url({marker}/ran/style-import);</style>"
                    f'<link rel="stylesheet" href="{marker}/ran/link-stylesheet">'),
        html("links", f'<a class="ck-link" href="javascript:{js("javascript-url", marker)}">click me</a>'
                      f'<form action="{marker}/ran/form" method="post"><button>send</button></form>'),
        html("base", f'<base href="{marker}/ran/base/"><img src="relative-pixel.png">'),
        html("refresh", f'<meta http-equiv="refresh" content="0;url={marker}/ran/meta-refresh">'),
        html("mathml", mathml_payloads("html-mathml", marker)),
        new_output("display_data", data={"application/javascript": js("application-javascript", marker) + ";alert(1)",
                                         "text/plain": "<javascript>"}),
        new_output("display_data", data={"image/svg+xml": svg, "text/plain": "<svg>"}),
        new_output("display_data", data={
            "text/markdown": f"**markdown output** <img src=x onerror=\"{js('markdown-output', marker)}\">",
            "text/plain": "<markdown>"}),
        new_output("display_data", data={"application/vnd.jupyter.widget-view+json": {
            "model_id": "0" * 32, "version_major": 2, "version_minor": 0}, "text/plain": "<widget>"}),
        new_output("display_data", data={"image/png": base64.b64encode(tiny_png()).decode(), "text/plain": "<png>"},
                   metadata={"image/png": {"width": "2 onerror=eval(atob('"
                                           + base64.b64encode(atob.encode()).decode() + "'))"}}),
        new_output("display_data", data={"text/latex": MATHS, "text/plain": "<latex>"}),
    ]


def hostile_cells(marker: str) -> list[NotebookNode]:
    """The cells the student adds: Markdown with maths and raw HTML (and an SVG attachment), an HTML raw cell."""
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" onload="{js("attachment-svg", marker)}"><circle r="4"/></svg>'
    markdown = new_markdown_cell(
        f"**My derivation.** {MATHS}\n\n<script>{js('markdown-script', marker)}</script>\n\n"
        f'<img src="x-missing.png" onerror="{js("markdown-onerror", marker)}">\n\n![diagram](attachment:diagram.svg)'
        f"\n\n{mathml_payloads('markdown-mathml', marker)}\n\n"
        r"Linked maths: $\href{javascript:alert(document.cookie)}{x^2}$")
    markdown.attachments = {"diagram.svg": {"image/svg+xml": base64.b64encode(svg.encode()).decode()}}
    raw = new_raw_cell(f"<script>{js('raw-cell', marker)}</script><b>raw</b>", metadata={"format": "text/html"})
    return [markdown, raw]


WIDGET_STATE = {"application/vnd.jupyter.widget-state+json": {"version_major": 2, "version_minor": 0, "state": {}}}


def submission_code(marker: str) -> str:
    """Answer-cell code that displays every hostile output (put in front of the sigmoid's reference answer)."""
    bundles = [{"data": o.data, "metadata": o.get("metadata", {})} for o in hostile_outputs(marker)]
    return ("import json as _json\nfrom IPython.display import display as _display\n"
            f"for _o in _json.loads({json.dumps(json.dumps(bundles))}):\n"
            "    _display(_o['data'], raw=True, metadata=_o['metadata'])\n")


class Marker:
    """A loopback HTTP server that records every request and serves the files given to it."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.files: dict[str, bytes] = {}
        marker = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                marker.requests.append(f"{self.command} {self.path}")
                body = marker.files.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(body or b"")

            do_GET = do_POST = do_PUT = _answer

            def log_message(self, *args) -> None:  # quiet: the test reads .requests
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def payload_hits(self) -> list[str]:
        """Requests that only a payload makes: anything but the pages the test itself served."""
        return [r for r in self.requests if r.split(" ", 1)[1] not in self.files and not r.endswith("/favicon.ico")]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Classroom:
    course: Course
    lab: LabServer
    marker: Marker
    grading_log: str
    seen: dict[str, list[str]] = field(default_factory=dict)

    @property
    def graded_path(self) -> Path:
        return self.course.course_dir / "autograded" / STUDENT / ASSIGNMENT / f"{self.notebook}.ipynb"

    @property
    def notebook(self) -> str:
        return self.course.source_notebook(ASSIGNMENT).stem

    def graded(self) -> NotebookNode:
        return nbformat.read(self.graded_path, as_version=4)

    def kernels(self) -> list[str]:
        with urllib.request.urlopen(self.lab.url("api/kernels"), timeout=30) as answer:
            return [k["id"] for k in json.load(answer)]


@pytest.fixture(scope="module")
def classroom(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Classroom]:
    """ps1 with the hostile submission, graded by the kit; a JupyterLab serving the course; the marker server."""
    scratch = tmp_path_factory.mktemp("inert")
    course = Course(copy_course(REPO, scratch / "course", [ASSIGNMENT]))
    lab = LabServer(course.course_dir, scratch)
    marker = Marker()
    try:
        course.release(ASSIGNMENT)
        release, source = course.release_notebook(ASSIGNMENT), course.source_notebook(ASSIGNMENT)
        sample = Sample(STUDENT, "every way to carry script", {"before sigmoid": submission_code(marker.url)},
                        base="reference")
        nb = build_submission(release, source, sample)
        nb.cells.extend(hostile_cells(marker.url))
        nb.metadata["widgets"] = WIDGET_STATE
        course.submit(STUDENT, ASSIGNMENT, {release.name: nb})
        course.collect(ASSIGNMENT)
        env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
        command = [sys.executable, "-m", "course_kit.instructor.grade_class", ASSIGNMENT,
                   "--course-dir", str(course.course_dir)]
        grading = subprocess.run(command, capture_output=True, text=True, env=env, timeout=GRADING_TIMEOUT_S)
        log = grading.stdout + grading.stderr
        assert is_graded(course, ASSIGNMENT, STUDENT), log
        lab.wait_until_up()
        yield Classroom(course, lab, marker, log)
    finally:
        lab.stop()
        marker.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@dataclass
class Watched:
    """What a page did that only a payload would do."""

    console: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


@contextlib.contextmanager
def watched_page(browser: Browser) -> Iterator[tuple[Page, Watched]]:
    context = browser.new_context(viewport={"width": 1300, "height": 1000})
    context.set_default_timeout(STEP_TIMEOUT_MS)
    page, seen = context.new_page(), Watched()
    page.on("console", lambda message: seen.console.append(message.text))
    page.on("dialog", lambda dialog: (seen.dialogs.append(dialog.message), dialog.dismiss()))
    try:
        yield page, seen
    finally:
        context.close()


def assert_nothing_ran(page: Page, seen: Watched, marker: Marker, kernels_before: list[str], kernels_after: list[str]):
    """No sign of any payload, all signs gathered first so that a failure lists every one that ran."""
    # Every MathML element clicked first: a link or action the policy let through on one would run now.
    page.locator("math, math *").evaluate_all("els => els.forEach(e => e.dispatchEvent("
                                              "new MouseEvent('click', {bubbles: true, cancelable: true})))")
    page.wait_for_load_state("networkidle")
    evidence = {
        "globals set": page.evaluate("window.__ck_ran || []"),
        "console": [m for m in seen.console if "CK-RAN" in m],
        "dialogs": seen.dialogs,
        "marker server reached": marker.payload_hits(),
        "kernels started": sorted(set(kernels_after) - set(kernels_before)),
        # A click would not run anything either: no link (on any element, MathML's too) or form leads to script
        # or away with data.
        "clickable": page.locator('[href^="javascript:" i], form, iframe, object, embed').count(),
    }
    assert evidence == {key: 0 if key == "clickable" else [] for key in evidence}


def png_outputs(nb: NotebookNode) -> int:
    return sum("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.outputs)


def assert_pictures_and_maths(page: Page, nb: NotebookNode) -> None:
    """Every PNG output is shown and loaded (the student's plot, the graders' figures); the maths is there as
    MathML, and no MathJax is loaded."""
    images = page.locator(".output_png img")
    assert images.count() == png_outputs(nb) > 0
    widths = images.evaluate_all("imgs => imgs.map(i => i.complete ? i.naturalWidth : -1)")
    assert all(w > 0 for w in widths), widths
    markdown = " ".join(page.locator(".text_cell_render").all_inner_texts())
    # Both formulas are MathML made by the kit: their TeX is no longer in the text, their fractions are elements.
    assert MATHS not in markdown and INTRO_MATHS not in markdown, markdown[:2000]
    student = page.locator(".text_cell_render", has_text="My derivation.")
    assert student.locator("math mfrac").first.text_content() == "∂L∂z"
    intro = page.locator(".text_cell_render", has_text="Write sigmoid(z) as")
    assert intro.locator("math msup").count() == 1  # the e^{-z} of the sigmoid's 1/(1 + e^{-z})
    assert page.locator(".output_html math mfrac").count() >= 1  # the text/latex output, as MathML too
    assert page.locator('script[src*="mathjax" i]').count() == 0


def make_as_stock_nbgrader_leaves_it(classroom: Classroom) -> None:
    """Put the hostile content back into the graded notebook, as autograde without the kit's cleaning leaves it."""
    nb = classroom.graded()
    (answer,) = [c for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "sigmoid"]
    answer.outputs = hostile_outputs(classroom.marker.url) + answer.outputs
    markdown, raw = hostile_cells(classroom.marker.url)
    nb.cells[-2:] = [markdown, raw]  # the student's two cells, last in the notebook
    nb.metadata["widgets"] = WIDGET_STATE
    # nbgrader leaves the graded notebook read-only: root writes it anyway, an ordinary instructor must ask.
    classroom.graded_path.chmod(classroom.graded_path.stat().st_mode | stat.S_IWUSR)
    nbformat.write(nb, classroom.graded_path)


def formgrader_view(classroom: Classroom, browser: Browser, shot: str) -> None:
    with Gradebook(classroom.course.api.coursedir.db_url, classroom.course.course_id) as gradebook:
        submission = gradebook.find_submission_notebook(classroom.notebook, ASSIGNMENT, STUDENT).id
    before = classroom.kernels()
    classroom.marker.requests.clear()
    with watched_page(browser) as (page, seen):
        # Logged in as the instructor is (the login form sets the cookie; a token in the URL alone does not).
        page.goto(f"http://127.0.0.1:{classroom.lab.port}/login?next=%2Fapi%2Fstatus")
        page.locator("#password_input").fill(classroom.lab.token)
        page.locator("#password_input").press("Enter")
        page.wait_for_url("**/api/status")
        page.goto(f"http://127.0.0.1:{classroom.lab.port}/formgrader/submissions/{submission}/")
        page.wait_for_load_state("networkidle")  # every request the page (or a payload) starts has settled
        assert_nothing_ran(page, seen, classroom.marker, before, classroom.kernels())
        # The student's plot: the widest picture of the page.
        page.evaluate("[...document.querySelectorAll('.output_png img')]"
                      ".sort((a, b) => b.naturalWidth - a.naturalWidth)[0].scrollIntoView({block: 'center'})")
        Screenshots(SCREENSHOTS, f"inert-formgrader-{shot}").take(page, "manual-grading")
        # Every cell is on the page (a raw cell is pasted bare, without a cell box).
        cells = sum(c.cell_type != "raw" for c in classroom.graded().cells)
        assert page.locator("#notebook-container .cell").count() == cells
        assert_pictures_and_maths(page, classroom.graded())


def feedback_view(classroom: Classroom, browser: Browser, shot: str) -> None:
    course = classroom.course
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    run = subprocess.run([sys.executable, "-m", "nbgrader", "generate_feedback", ASSIGNMENT, "--student", STUDENT,
                          "--force"], cwd=course.course_dir, capture_output=True, text=True, env=env, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    html_path = course.course_dir / "feedback" / STUDENT / ASSIGNMENT / f"{classroom.notebook}.html"
    html = html_path.read_bytes()
    # Served by the marker server: the page's own origin is then the one its scripts would reach.
    classroom.marker.files = {"/feedback.html": html}
    classroom.marker.requests.clear()
    with watched_page(browser) as (page, seen):
        page.goto(f"{classroom.marker.url}/feedback.html")
        page.wait_for_load_state("networkidle")
        assert_nothing_ran(page, seen, classroom.marker, [], [])
        tables = page.locator("table.course-kit-report")
        tables.first.scroll_into_view_if_needed()
        Screenshots(SCREENSHOTS, f"inert-feedback-{shot}").take(page, "feedback")
        assert_pictures_and_maths(page, classroom.graded())
        # The honest work beneath scores full marks, and its check tables are all there, every check passed.
        test_cells = [c for c in classroom.graded().cells if c.get("metadata", {}).get("nbgrader", {}).get("grade")
                      and not c.metadata.nbgrader.get("solution")]
        assert tables.count() == len(test_cells) == 3
        for text in tables.all_inner_texts():
            assert "passed" in text and "failed" not in text.replace("checks failed", ""), text


def test_graded_notebook_on_disk_is_inert(classroom: Classroom) -> None:
    nb = classroom.graded()
    score, max_score = classroom.course.score(ASSIGNMENT, STUDENT)
    assert score == max_score == 7, classroom.grading_log  # the reference answers beneath, in full
    html_pieces: list[str] = []
    for cell in nb.cells:
        if cell.cell_type == "raw":
            html_pieces.append(cell.source)
        for name, bundle in cell.get("attachments", {}).items():
            assert set(bundle) <= {"image/png", "image/jpeg", "image/gif", "image/webp", "text/plain"}, (name, bundle)
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            assert set(data) <= KEPT_AS_IS | {"text/html"}, set(data)
            html_pieces += [data["text/html"]] if "text/html" in data else []
            for meta in output.get("metadata", {}).values():
                if isinstance(meta, dict):
                    assert all(isinstance(v, (int, float)) for k, v in meta.items() if k in ("width", "height")), meta
    assert "widgets" not in nb.metadata
    soup = BeautifulSoup("\n".join(html_pieces), "html.parser")
    assert soup.find_all(ACTIVE_TAGS) == []
    for element in soup.find_all(True):
        for attribute, value in element.attrs.items():
            assert not attribute.lower().startswith("on"), (element.name, attribute)
            text = " ".join(value) if isinstance(value, list) else value
            assert "javascript:" not in text.lower() and "url(" not in text.lower(), (element.name, attribute, text)
    # What the kit itself wrote is all there: a check table per test cell and the graders' figures (PNG).
    assert len(soup.select("table.course-kit-report")) == 3
    figures = [o for c in nb.cells for o in c.get("outputs", [])
               if "<figure:" in str(o.get("data", {}).get("text/plain", ""))]
    assert figures and all("image/png" in o.data for o in figures)


def test_formgrader_and_feedback_run_nothing(classroom: Classroom, browser: Browser) -> None:
    formgrader_view(classroom, browser, "kit-graded")
    feedback_view(classroom, browser, "kit-graded")


def test_render_time_defence_alone(classroom: Classroom, browser: Browser) -> None:
    """A notebook that still holds every payload (graded by stock nbgrader, or before the kit cleaned it)."""
    make_as_stock_nbgrader_leaves_it(classroom)
    assert "<script>" in classroom.graded_path.read_text()  # the payloads are really back on disk
    formgrader_view(classroom, browser, "stock-graded")
    feedback_view(classroom, browser, "stock-graded")


def _styles(soup: BeautifulSoup) -> list[dict[str, str]]:
    """Each element's inline style as {property: value}, whatever the spacing."""
    return [dict((part.split(":", 1)[0].strip(), part.split(":", 1)[1].strip())
                 for part in element.get("style", "").split(";") if ":" in part) for element in soup.find_all(True)]


def test_the_kits_report_table_passes_the_cleaner_unchanged() -> None:
    """The check table WriteGraderScores writes is made only of what the policy keeps: same elements, text, styles."""
    report = CellReport("test_sigmoid", [CheckResult("sigmoid <of> 0 & 1", 1.0, False, "got <b>0.4</b>\nexpected 0.5"),
                                         CheckResult("float32 in, float32 out", 2.0, True, "")])
    original = BeautifulSoup(table_html(report, 3), "html.parser")
    cleaned = BeautifulSoup(clean(table_html(report, 3)), "html.parser")
    assert [e.name for e in cleaned.find_all(True)] == [e.name for e in original.find_all(True)]
    assert cleaned.get_text() == original.get_text()
    assert _styles(cleaned) == _styles(original)
