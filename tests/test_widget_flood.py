"""A flood of widget (comm) messages costs the grader no more than the output budget, and is named.

nbclient keeps every widget's state it is sent (``NotebookClient.widget_state``) and writes it into the graded
notebook.  Before the kit counted comm messages against the notebook's output budget, 1,500 ``comm_open``
messages of 190 KB each (4 s of kernel time), each under the per-output limit, grew the grading process to
1.55 GiB and the graded notebook to 285 MB, for full marks with nothing flagged.

One ps1 class of two: ``honest`` and ``widgets`` (the same honest work, plus a cell that sends the flood and
then raises an error naming how many messages it sent: the marker that proves the attack ran, kept because an
error survives the spent budget).  Each is graded by plain ``nbgrader autograde`` in a process of its own whose
memory peak is measured as ``tests/instructors.py`` measures ``make grade``'s; then ``make grade`` is run.
Not in ``tests/corpus/``: the corpus is graded in the session's shared classes, where a peak is nobody's.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import zmq

from conftest import TEST_SETTINGS
from course_kit.grading.executor import NotebookStopRules
from course_kit.grading.output_budget import MAX_NOTEBOOK_CHARS, MAX_OUTPUT_CHARS
from course_kit.grading.record import read_record, record_path
from course_kit.instructor import Course, copy_course
from course_kit.instructor.grade_class import main
from course_kit.instructor.samples import build_submission, read_sample

REPO = Path(__file__).resolve().parents[1]
ASSIGNMENT = "ps1_naive_loss"
NOTEBOOK = "naive_loss.ipynb"
MESSAGES, MESSAGE_CHARS = 1500, 190_000
MARKER = "WIDGET FLOOD SENT"
FLOOD = f"""from comm import create_comm
_blob = "w" * {MESSAGE_CHARS}
for _i in range({MESSAGES}):
    create_comm(target_name="jupyter.widget", data={{"state": {{
        "_model_name": "FloodModel", "_model_module": "flood", "_model_module_version": "1.0.0", "value": _blob}},
        "buffer_paths": []}})
raise RuntimeError(f"{MARKER} {{_i + 1}} comm_open messages")
"""
# plain `nbgrader autograde` (what formgrader's button runs too), reporting the grading process's own peak
MEASURED_AUTOGRADE = (
    "import resource, runpy, sys\n"
    "sys.argv[0] = 'nbgrader'\n"
    "try:\n"
    "    runpy.run_module('nbgrader', run_name='__main__')\n"
    "finally:\n"
    "    print(f'grader peak: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MiB', file=sys.stderr)\n"
)

pytestmark = pytest.mark.skipif(shutil.which("bwrap") is None,
                                reason="bubblewrap is not installed: autograde refuses to grade anyone")


def _peak_mib(run: subprocess.CompletedProcess[str]) -> int:
    line = next(line for line in run.stderr.splitlines() if line.startswith("grader peak: "))
    return int(line.split()[2])


def _caps(course: Course) -> tuple[int, int]:
    """(max_output_chars, max_notebook_output_chars) as the course configures ExecuteWithGraders."""
    settings = course.config.get("ExecuteWithGraders", {})
    return (int(settings.get("max_output_chars", MAX_OUTPUT_CHARS)),
            int(settings.get("max_notebook_output_chars", MAX_NOTEBOOK_CHARS)))


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Course, dict[str, subprocess.CompletedProcess[str]]]:
    course_dir = copy_course(REPO, tmp_path_factory.mktemp("widgets") / "course", [ASSIGNMENT])
    with (course_dir / "nbgrader_config.py").open("a") as config:
        config.write(TEST_SETTINGS)
        # The flood's cell takes 4-11 s here, but the suite's 20 s cell timeout on a loaded machine cut it off
        # before it was done (and its marker never came): this test is about memory, not timeouts.
        config.write("c.ExecuteWithGraders.timeout = 120\n")
    course = Course(course_dir)
    course.release(ASSIGNMENT)
    release, source = course.release_notebook(ASSIGNMENT), course.source_notebook(ASSIGNMENT)
    honest = build_submission(release, source, read_sample(REPO / "samples" / ASSIGNMENT / "reference.py"))
    flooded = nbformat.from_dict(honest)
    flooded.cells.insert(1, nbformat.v4.new_code_cell(FLOOD))  # a cell of the student's own
    course.submit("honest", ASSIGNMENT, {release.name: honest})
    course.submit("widgets", ASSIGNMENT, {release.name: flooded})
    course.collect(ASSIGNMENT)
    limit = NotebookStopRules(config=course.config).notebook_time_limit + 180
    runs = {student: subprocess.run([sys.executable, "-c", MEASURED_AUTOGRADE, "autograde", ASSIGNMENT,
                                     "--student", student], cwd=course_dir, capture_output=True, text=True,
                                    timeout=limit)
            for student in ["honest", "widgets"]}
    for run in runs.values():
        assert run.returncode == 0, run.stderr[-3000:]
    return course, runs


def _record(course: Course):
    graded = course.course_dir / "autograded" / "widgets" / ASSIGNMENT
    return read_record(record_path(graded, "naive_loss"), ASSIGNMENT, "widgets", "naive_loss")


def test_the_flood_ran(graded):
    course, _ = graded
    record = _record(course)
    one, notebook = _caps(course)
    # Far more than the budget reached the grader, which dropped all but the budget's worth.  Not every message
    # need arrive: zmq's iopub PUB socket drops messages past its high-water mark when the grader falls behind.
    assert record.widget_messages_dropped * MESSAGE_CHARS > 10 * notebook
    nb = nbformat.read(course.course_dir / "autograded" / "widgets" / ASSIGNMENT / NOTEBOOK, as_version=4)
    errors = [o.evalue for o in nb.cells[1].outputs if o.output_type == "error"]
    if record.kernel.ran_to_the_end:
        assert errors == [f"{MARKER} {MESSAGES} comm_open messages"], nb.cells[1].outputs
    else:  # on a loaded machine the PUB socket may drop the cell's last messages too (its error, its "idle")
        assert "its messages stopped coming" in str(record.kernel.why), record.kernel


def test_the_grader_holds_no_more_than_the_budget(graded):
    course, runs = graded
    one, notebook = _caps(course)
    # What the flood may leave in the grader: the budget's worth of widget state (plus one message past it),
    # held a few times over while nbclient and nbformat copy, validate and serialise it (about 7.5 bytes a
    # character, measured with budgets of 1, 5 and 20 million), and the messages that arrived but are not
    # read yet: at most zmq's receive high-water mark of them, each under one output here.  Measured at the
    # default caps: 36-69 MiB; unbounded: 285 MB of state and a 1.55 GiB grader.
    with zmq.Context.instance().socket(zmq.SUB) as iopub:  # as jupyter_client makes it: zmq's default
        in_flight = iopub.getsockopt(zmq.RCVHWM) * one
    bound_mib = (8 * (notebook + one) + in_flight) / 2**20
    grown = _peak_mib(runs["widgets"]) - _peak_mib(runs["honest"])
    assert grown < bound_mib, f"the grader grew by {grown} MiB grading the flood (bound {bound_mib:.0f} MiB)"


def test_the_graded_notebook_stays_within_the_budget(graded):
    course, _ = graded
    one, notebook = _caps(course)
    size = {s: (course.course_dir / "autograded" / s / ASSIGNMENT / NOTEBOOK).stat().st_size
            for s in ["honest", "widgets"]}
    assert size["widgets"] - size["honest"] < 2 * (notebook + one), size
    nb = nbformat.read(course.course_dir / "autograded" / "widgets" / ASSIGNMENT / NOTEBOOK, as_version=4)
    notes = [o.text for o in nb.cells[1].outputs if o.output_type == "stream"]
    assert any("widget (comm) messages dropped" in text for text in notes), nb.cells[1].outputs


def test_the_flood_scores_the_honest_work_beneath_it(graded):
    course, _ = graded
    assert course.score(ASSIGNMENT, "honest") == (7.0, 7.0)
    # As the honest work beneath, unless its kernel went silent (test_the_flood_ran): then 0, with the reason.
    expected = (7.0, 7.0) if _record(course).kernel.ran_to_the_end else (0.0, 7.0)
    assert course.score(ASSIGNMENT, "widgets") == expected


def test_make_grade_names_the_flood(graded, capsys):
    course, _ = graded
    status = main([ASSIGNMENT, "--course-dir", str(course.course_dir)])
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines() if line.startswith("  ")}
    assert status == 1
    assert "NEEDS A LOOK" in lines["widgets"] and "widget (comm) messages were dropped" in lines["widgets"]
    assert "NEEDS A LOOK" not in lines["honest"]

