"""The kit as its two kinds of users meet it: JupyterLab and nbgrader's extensions in a real browser.

One JupyterLab (``lab_session.LabServer``) serves a copy of the course with the
course's own configuration; Debian's Chromium drives it through Playwright.

* The student opens the Assignments list, fetches ps1 from the course's
  exchange, opens the notebook, types the reference answers into its answer
  cells, runs all cells, sees every public check pass in the page, saves and
  submits from the list; the submission lands in the exchange's inbound folder.
* The instructor opens Formgrader, finds the ps2 submission that the kit's own
  ``grade_class`` autograded (confined, as always) just before, gives the
  hand-graded derivation cell its points, and the gradebook has them.

The student's kernel is an ordinary one: it runs on the student's own machine.
Every step leaves a screenshot in ``browser-screenshots/`` (README, "Browser tests").
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from lab_session import SCREENSHOTS, LabServer, Screenshots, chromium
from nbgrader.api import Gradebook
from playwright.sync_api import Browser, FrameLocator, Page, expect

from conftest import REPO
from course_kit.instructor import Course as CourseDirectory
from course_kit.instructor import copy_course
from course_kit.instructor.grade_class import EXIT_NEEDS_A_LOOK
from course_kit.instructor.samples import build_submission, read_sample, reference_solutions

STUDENT_PS, GRADED_PS = "ps1_naive_loss", "ps2_stable_loss"
GRADED_STUDENT, MANUAL_CELL, MANUAL_POINTS = "alice", "derivation", 2
# Steps wait on a kernel or on nbgrader's server; the machine running the suite may be busy.
STEP_TIMEOUT_MS = 60_000
RUN_ALL_TIMEOUT_MS = 180_000  # a kernel starting and running the whole notebook (~10 s on an idle machine)
expect.set_options(timeout=STEP_TIMEOUT_MS)


class Course:
    """A copy of the course; ``prepare`` releases ps1, and submits, collects and starts autograding ps2's reference."""

    def __init__(self, root: Path) -> None:
        # The shipped configuration as it is: not the suite's short timeouts, which are there for faults and
        # which a busy machine can exceed on an honest notebook.
        course_dir = copy_course(REPO, root, [STUDENT_PS, GRADED_PS])
        self.run = CourseDirectory(course_dir)
        self.grading_log = root.parent / "grade_class.log"
        self.grading: subprocess.Popen | None = None

    def prepare(self) -> None:
        self.run.release(STUDENT_PS)
        self.run.release(GRADED_PS)
        release, source = self.run.release_notebook(GRADED_PS), self.run.source_notebook(GRADED_PS)
        sample = read_sample(REPO / "samples" / GRADED_PS / "reference.py")
        self.run.submit(GRADED_STUDENT, GRADED_PS, {release.name: build_submission(release, source, sample)})
        self.run.collect(GRADED_PS)
        # The kit's confined autograding (tens of seconds) runs while the student's scenario does.
        command = [sys.executable, "-m", "course_kit.instructor.grade_class", GRADED_PS,
                   "--course-dir", str(self.run.course_dir)]
        env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
        with self.grading_log.open("w") as log:
            self.grading = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)

    def wait_for_grading(self) -> None:
        assert self.grading is not None, "the course was not prepared"
        code = self.grading.wait(timeout=300)
        log = self.grading_log.read_text()
        # Autograded in full, and the kit says the derivation is still to grade by hand (exit 1: a look needed).
        assert code == EXIT_NEEDS_A_LOOK, f"grade_class exited {code}:\n{log}"
        assert f"1 cell to grade by hand: {MANUAL_CELL}" in log, log

    def stop_grading(self) -> None:
        if self.grading is not None and self.grading.poll() is None:  # a test failed before waiting for it
            self.grading.kill()
            self.grading.wait(timeout=60)

    def derivation_grade(self) -> DerivationGrade:
        with Gradebook(self.run.api.coursedir.db_url, self.run.course_id) as gradebook:
            notebook = self.run.source_notebook(GRADED_PS).stem
            grade = gradebook.find_grade(MANUAL_CELL, notebook, GRADED_PS, GRADED_STUDENT)
            submission = gradebook.find_submission(GRADED_PS, GRADED_STUDENT)
            return DerivationGrade(grade.manual_score, grade.needs_manual_grade, submission.score, submission.max_score)


@dataclass(frozen=True)
class DerivationGrade:
    """What the gradebook says of the hand-graded cell, and of the submission's total."""

    manual_score: float | None
    needs_manual_grade: bool
    total: float
    max_total: float


@pytest.fixture(scope="module")
def classroom(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Course, LabServer]]:
    """The prepared course and one JupyterLab serving it, for both scenarios (the server starts meanwhile)."""
    scratch = tmp_path_factory.mktemp("browser")
    course = Course(scratch / "course")
    lab = LabServer(course.run.course_dir, scratch)
    try:
        course.prepare()
        lab.wait_until_up()
        yield course, lab
    finally:
        lab.stop()
        course.stop_grading()


@pytest.fixture
def course(classroom: tuple[Course, LabServer]) -> Course:
    return classroom[0]


@pytest.fixture
def lab(classroom: tuple[Course, LabServer]) -> LabServer:
    return classroom[1]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Browser, classroom: tuple[Course, LabServer], request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh tab on JupyterLab, loaded; one per scenario so that a failed one leaves no dialog behind."""
    scenario, lab = request.node.name.split("_")[1], classroom[1]  # test_student_... -> "student"
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(STEP_TIMEOUT_MS)
    tab = context.new_page()
    tab.goto(lab.url(f"lab/workspaces/{scenario}"))  # its own layout, not the one the other scenario left
    tab.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").wait_for()
    failures = request.session.testsfailed
    yield tab
    if request.session.testsfailed > failures:  # the page as the failure left it, and what the server said
        tab.screenshot(path=SCREENSHOTS / f"{scenario}-failed.png")
        print(f"jupyter lab's log (last lines):\n{lab.log()[-6000:]}")
    context.close()


def open_from_nbgrader_menu(page: Page, command: str) -> None:
    """Nbgrader menu -> an item, as nbgrader's own UI tests open its panels."""
    page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
    page.locator(f'#jp-mainmenu-nbgrader li[data-command="nbgrader:{command}"]').click()


def type_into_cell(page: Page, index: int, source: str) -> None:
    """Replace the text of the notebook's ``index``-th cell, as a student pasting their answer would."""
    editor = page.locator(".jp-NotebookPanel:visible .jp-Notebook .jp-Cell").nth(index).locator(".cm-content")
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(source)  # one insertion: no auto-indent or bracket closing on the way


def test_student_fetches_runs_and_submits_ps1(course: Course, lab: LabServer, page: Page) -> None:
    shots = Screenshots(SCREENSHOTS, "student")
    open_from_nbgrader_menu(page, "open-assignment-list")
    released = page.locator("#released_assignments_list > .list_item").filter(has_text=STUDENT_PS)
    expect(released.locator(".item_name")).to_have_text(STUDENT_PS)
    expect(released.locator(".item_course")).to_have_text(course.run.course_id)
    shots.take(page, "assignment-list")

    released.locator(".item_status button", has_text="Fetch").click()
    fetched = page.locator("#fetched_assignments_list > .list_item")
    expect(fetched).to_have_count(1)
    fetched.locator("a.assignment-notebooks-link", has_text=STUDENT_PS).click()
    notebook = course.run.release_notebook(STUDENT_PS).stem
    notebook_link = fetched.locator(".nested_list_item .item_name a", has_text=notebook)
    expect(notebook_link).to_be_visible()
    shots.take(page, "fetched")

    # The fetched copy (exchange paths include the course id), whose cells the page shows in this order.
    workspace = course.run.course_dir / course.run.course_id / STUDENT_PS
    fetched_nb = nbformat.read(workspace / f"{notebook}.ipynb", as_version=4)
    answers = reference_solutions(course.run.source_notebook(STUDENT_PS))
    answer_cells = [
        (i, answers[cell.metadata.nbgrader["grade_id"]])
        for i, cell in enumerate(fetched_nb.cells)
        if cell.metadata.get("nbgrader", {}).get("solution")
    ]
    assert len(answer_cells) == 3, answer_cells

    notebook_link.click()
    cells = page.locator(".jp-NotebookPanel:visible .jp-Notebook .jp-Cell")
    expect(cells).to_have_count(len(fetched_nb.cells))
    for index, source in answer_cells:
        type_into_cell(page, index, source.rstrip("\n"))
    shots.take(page, "answers-typed")

    page.locator(".lm-MenuBar-itemLabel", has_text="Run").click()
    page.locator('.lm-Menu-item:has(.lm-Menu-itemLabel:text-is("Run All Cells"))').click()
    outputs = page.locator(".jp-NotebookPanel:visible .jp-OutputArea-output")
    passed = outputs.filter(has_text="All public checks passed.")
    expect(passed).to_have_count(len(answer_cells), timeout=RUN_ALL_TIMEOUT_MS)
    expect(outputs.filter(has_text="NOT passed")).to_have_count(0)
    # Every code cell ran: its prompt shows a number, not "[ ]:" (never ran) or "[*]:" (queued or running).
    prompts = page.locator(".jp-NotebookPanel:visible .jp-CodeCell .jp-InputPrompt")
    expect(prompts.filter(has_text="[ ]")).to_have_count(0)
    expect(prompts.filter(has_text="[*]")).to_have_count(0, timeout=RUN_ALL_TIMEOUT_MS)
    passed.first.scroll_into_view_if_needed()
    shots.take(page, "public-checks-passed")

    page.keyboard.press("Control+s")
    expect(page.locator(".lm-TabBar-tab", has_text=f"{notebook}.ipynb")).not_to_have_class(re.compile("jp-mod-dirty"))
    page.locator(".lm-TabBar-tab", has_text="Assignments").click()
    fetched.locator(".item_status button", has_text="Submit").click()
    submitted = page.locator("#submitted_assignments_list > .list_item")
    expect(submitted).to_have_count(1)
    expect(submitted.locator(".item_name").first).to_have_text(STUDENT_PS)
    shots.take(page, "submitted")
    # The list reads nbgrader's submission cache: the server's own, not that of whoever runs the suite.
    (cached,) = (lab.data_dir / "nbgrader_cache" / course.run.course_id).glob(f"*+{STUDENT_PS}+*")

    # What reached the instructor: the typed answers, run, with the checks' output.
    inbound = course.run.course_dir / "exchange" / course.run.course_id / "inbound"
    (handed_in,) = inbound.glob(f"*+{STUDENT_PS}+*/{notebook}.ipynb")
    cells_in = nbformat.read(handed_in, as_version=4).cells
    for index, source in answer_cells:
        assert cells_in[index].source.strip() == source.strip()
    assert all(c.execution_count for c in cells_in if c.cell_type == "code"), "not every cell ran before saving"
    printed = "".join(o.get("text", "") for c in cells_in if c.cell_type == "code" for o in c.outputs)
    assert printed.count("All public checks passed.") == len(answer_cells)


def formgrader(page: Page) -> FrameLocator:
    return page.frame_locator(".jp-MainAreaWidget:visible iframe")


def test_instructor_grades_the_derivation_in_formgrader(course: Course, page: Page) -> None:
    course.wait_for_grading()
    before = course.derivation_grade()
    assert before.manual_score is None and before.needs_manual_grade, before
    shots = Screenshots(SCREENSHOTS, "instructor")

    open_from_nbgrader_menu(page, "open-formgrader")
    frame = formgrader(page)
    row = frame.locator("tr", has=frame.locator("td", has_text=GRADED_PS))
    expect(row.locator("td.num-submissions")).to_have_text("1")
    shots.take(page, "manage-assignments")

    row.locator("td.num-submissions a").click()
    student = frame.locator("tr", has=frame.locator("td.student-id", has_text=GRADED_STUDENT))
    expect(student.locator("td.status")).to_have_text("needs manual grading")
    expect(student.locator("td.score")).to_have_text(f"{before.total:g} / {before.max_total:g}")
    shots.take(page, "autograded-submission")

    frame.locator("a", has_text="Manual Grading").first.click()
    frame.locator("a", has_text=GRADED_PS).click()
    frame.locator("a", has_text=course.run.source_notebook(GRADED_PS).stem).click()
    submission = frame.locator("tr", has=frame.locator("td.needs-manual-grade .glyphicon-ok"))
    expect(submission).to_have_count(1)
    shots.take(page, "needs-manual-grade")

    submission.locator("a").first.click()
    # The page renders, then fetches the grades: the field is live once it is marked as needing a grade, and
    # loses that mark when the saved grade comes back from the server.
    score = frame.locator(f"input.score#{MANUAL_CELL}")
    expect(score).to_have_class(re.compile("needs_manual_grade"))
    score.fill(str(MANUAL_POINTS))
    score.press("Tab")  # the change event saves the grade
    expect(score).not_to_have_class(re.compile("needs_manual_grade"))
    expect(score).to_have_value(str(MANUAL_POINTS))
    shots.take(page, "derivation-graded")

    after = saved(course)
    assert after.manual_score == MANUAL_POINTS and not after.needs_manual_grade, after
    assert after.total == pytest.approx(before.total + MANUAL_POINTS), (before, after)


def saved(course: Course, limit_s: float = 30.0) -> DerivationGrade:
    """The derivation's grade once it has a manual score: the formgrader saves in the background after the change."""
    deadline = time.monotonic() + limit_s
    while (grade := course.derivation_grade()).manual_score is None and time.monotonic() < deadline:
        time.sleep(0.2)
    return grade
