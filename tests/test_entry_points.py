"""Every way into autograde is as safe as ``make grade``: plain ``nbgrader autograde`` and formgrader's button.

``make grade`` checks each submitted folder before nbgrader sees it.  An instructor may instead run
``nbgrader autograde ps1_naive_loss`` in the course root, or press Autograde in formgrader (nbgrader's
``NbGraderAPI.autograde`` in the Jupyter server); both load the course's ``nbgrader_config.py`` and nothing of
``make grade``.  Before the kit's gate (``course_kit.instructor.submission_gate``), nbgrader then copied a
symlinked hidden grader or classmate's notebook, as the grader, into the kernel's folder, and a FIFO in place of
the notebook stalled the run for good.

One ps1 class, submitted and collected through the exchange: ``honest`` and ``probe`` (honest work that also
looks for the hidden grader from its kernel), then, in their submitted folders, ``grader_link`` (a symlink to
``graders/ps1_naive_loss/test_sigmoid.py`` beside an honest notebook), ``peer_link`` (its notebook a symlink
to honest's) and ``fifo`` (a FIFO in place of its notebook).  Graded once with plain ``nbgrader autograde``,
then the refused ones again through ``NbGraderAPI`` as formgrader calls it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from hidden_material import leaked
from traitlets.config import Config

from conftest import TEST_SETTINGS
from course_kit.config import load_course_config
from course_kit.confinement.confined_kernel import REFUSAL
from course_kit.grading.executor import NotebookStopRules
from course_kit.instructor import Course, copy_course
from course_kit.instructor.grade_class import autograde_refusal, main
from course_kit.instructor.samples import Sample, build_submission, read_sample
from course_kit.instructor.submission_checks import unsafe_files
from course_kit.instructor.submission_gate import read_refusal, refusal_path

REPO = Path(__file__).resolve().parents[1]
ASSIGNMENT = "ps1_naive_loss"
NOTEBOOK = "naive_loss.ipynb"
GRADER = f"graders/{ASSIGNMENT}/test_sigmoid.py"
# What each refused student's folder holds, as the refusal names it.
REFUSED = {"grader_link": "hidden.py is a symlink", "peer_link": f"{NOTEBOOK} is a symlink",
           "fifo": f"{NOTEBOOK} is a named pipe"}
GRADED = ["honest", "probe"]
PROBE = """def _probe(path):
    try:
        open(path).read(1)
        return "read"
    except Exception as error:
        return type(error).__name__
print("PROBE", _probe("{course}/{grader}"))
"""

pytestmark = pytest.mark.skipif(shutil.which("bwrap") is None,
                                reason="bubblewrap is not installed: autograde refuses to grade anyone")


def _run_limit(config: Config, students: int) -> float:
    """Seconds a whole run may take: every notebook to its configured time limit, plus starting up."""
    stop_rules = NotebookStopRules(config=config)
    return students * (stop_rules.notebook_time_limit + 60) + 120


def _nbgrader(course_dir: Path, *args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    """The ``nbgrader`` command of this venv, run in the course root as an instructor would."""
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course_dir, capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Course:
    """The class, submitted, collected, then given its links and FIFO (however they got there)."""
    course_dir = copy_course(REPO, tmp_path_factory.mktemp("entry") / "course", [ASSIGNMENT])
    with (course_dir / "nbgrader_config.py").open("a") as config:
        config.write(TEST_SETTINGS)
    course = Course(course_dir)
    course.release(ASSIGNMENT)
    release, source = course.release_notebook(ASSIGNMENT), course.source_notebook(ASSIGNMENT)
    library = REPO / "samples" / ASSIGNMENT
    honest = read_sample(library / "reference.py", library)
    probe = Sample("probe", "probe", {"before sigmoid": PROBE.format(course=course_dir, grader=GRADER)}, "reference")
    for student in [*GRADED, "unconfined", *REFUSED]:
        sample = probe if student == "probe" else honest
        course.submit(student, ASSIGNMENT, {release.name: build_submission(release, source, sample)})
    course.collect(ASSIGNMENT)
    submitted = course_dir / "submitted"
    (submitted / "grader_link" / ASSIGNMENT / "hidden.py").symlink_to(course_dir / GRADER)
    peer = submitted / "peer_link" / ASSIGNMENT / NOTEBOOK
    peer.unlink()
    peer.symlink_to(submitted / "honest" / ASSIGNMENT / NOTEBOOK)
    fifo = submitted / "fifo" / ASSIGNMENT / NOTEBOOK
    fifo.unlink()
    os.mkfifo(fifo)
    return course


@pytest.fixture(scope="module")
def cli_run(course: Course) -> subprocess.CompletedProcess[str]:
    """Plain ``nbgrader autograde`` of the whole class (but ``unconfined``), then its feedback."""
    limit = _run_limit(course.config, len(GRADED) + len(REFUSED))
    run = _nbgrader(course.course_dir, "autograde", ASSIGNMENT, "--CourseDirectory.student_id_exclude=unconfined",
                    timeout=limit)  # a FIFO that stalled the run would fail the test here, at the limit
    _nbgrader(course.course_dir, "generate_feedback", ASSIGNMENT, "--force", timeout=limit)
    return run


def test_plain_autograde_refuses_each_unsafe_folder_with_its_reason(course: Course, cli_run):
    log = cli_run.stderr
    for student, reason in REFUSED.items():
        lines = [line for line in log.splitlines() if f"Refused {student}/{ASSIGNMENT}" in line]
        assert lines and "ERROR" in lines[0] and reason in lines[0], log[-3000:]
        assert not (course.course_dir / "autograded" / student / ASSIGNMENT).exists()
        assert course.score(ASSIGNMENT, student) is None  # nbgrader never started on it


def test_the_refusal_is_recorded_as_make_grade_words_it(course: Course, cli_run):
    for student in REFUSED:
        submitted = course.course_dir / "submitted" / student / ASSIGNMENT
        refusal = read_refusal(refusal_path(course.course_dir / "autograded" / student / ASSIGNMENT),
                               ASSIGNMENT, student)
        assert refusal is not None, student
        assert refusal.problems == [p.message for p in unsafe_files(submitted)]
        assert autograde_refusal(course, ASSIGNMENT, student) == refusal.problems  # what make grade reads back


def test_the_honest_students_are_graded_in_the_same_run_confined(course: Course, cli_run):
    for student in GRADED:
        assert course.score(ASSIGNMENT, student) == (7.0, 7.0), cli_run.stderr[-3000:]
    graded = nbformat.read(course.course_dir / "autograded" / "probe" / ASSIGNMENT / NOTEBOOK, as_version=4)
    printed = "".join(o.get("text", "") for cell in graded.cells for o in cell.get("outputs", []))
    assert "PROBE FileNotFoundError" in printed  # its kernel ran in the sandbox, where the course is hidden


def test_no_link_is_followed_into_a_graded_or_feedback_file(course: Course, cli_run):
    secret = (course.course_dir / GRADER).read_text()
    looked_at = set()
    for top in ["autograded", "feedback"]:
        for path in (course.course_dir / top).rglob("*"):
            assert not path.is_symlink(), path
            if path.is_file():
                text = path.read_text(errors="replace")
                assert secret not in text and not leaked(text, ASSIGNMENT), path
                looked_at.add(path.relative_to(course.course_dir))
    for student in GRADED:  # there was something to look at
        assert Path("autograded", student, ASSIGNMENT, NOTEBOOK) in looked_at, (student, sorted(looked_at))


def test_make_grade_afterwards_names_the_refused_and_keeps_the_graded(course: Course, cli_run, capsys):
    status = main([ASSIGNMENT, "--course-dir", str(course.course_dir), "--student", "honest",
                   *[arg for student in REFUSED for arg in ("--student", student)]])
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines() if line.startswith("  ")}
    assert status == 1
    assert "(already graded)" in lines["honest"] and "NEEDS A LOOK" not in lines["honest"]
    for student, reason in REFUSED.items():
        assert "NEEDS A LOOK: not graded, the folder is unsafe to copy" in lines[student] and reason in lines[student]


def _formgrader_api(course: Course, **settings: object):
    """nbgrader's NbGraderAPI as formgrader builds it: the course's own configuration, loaded from its root."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    config = load_course_config(course.course_dir)
    for name, value in settings.items():
        setattr(config.ConfinedKernelManager, name, value)
    return NbGraderAPI(CourseDirectory(config=config), config=config)


@pytest.mark.parametrize("student", sorted(REFUSED))
def test_formgraders_autograde_button_refuses_it_too(course: Course, cli_run, student: str):
    refusal = refusal_path(course.course_dir / "autograded" / student / ASSIGNMENT)
    refusal.unlink()  # the button's own run must write it again
    outcome = _formgrader_api(course).autograde(ASSIGNMENT, student)
    assert not outcome["success"]  # formgrader shows the log of a failed autograde
    assert f"Refused {student}/{ASSIGNMENT}" in outcome["log"] and REFUSED[student] in outcome["log"], outcome["log"]
    assert refusal.is_file()
    assert not (course.course_dir / "autograded" / student / ASSIGNMENT).exists()
    secret = (course.course_dir / GRADER).read_text()
    assert secret not in outcome["log"]


def test_formgraders_autograde_button_grades_an_honest_student(course: Course, cli_run):
    outcome = _formgrader_api(course).autograde(ASSIGNMENT, "honest")
    assert outcome["success"], outcome["log"][-3000:]
    assert course.score(ASSIGNMENT, "honest") == (7.0, 7.0)


def test_without_bubblewrap_plain_autograde_refuses_to_run(course: Course, tmp_path: Path):
    missing = str(tmp_path / "no-such-bwrap")
    run = _nbgrader(course.course_dir, "autograde", ASSIGNMENT, "--student", "unconfined", "--force",
                    f"--ConfinedKernelManager.bwrap_path={missing}", timeout=_run_limit(course.config, 1))
    assert run.returncode != 0
    assert REFUSAL in run.stderr and "bubblewrap not found" in run.stderr, run.stderr[-3000:]
    assert not (course.course_dir / "autograded" / "unconfined" / ASSIGNMENT / NOTEBOOK).exists()


def test_without_bubblewrap_formgraders_button_refuses_to_run(course: Course, tmp_path: Path):
    outcome = _formgrader_api(course, bwrap_path=str(tmp_path / "no-such-bwrap")).autograde(ASSIGNMENT, "unconfined")
    assert not outcome["success"]
    assert REFUSAL in outcome["log"] and "bubblewrap not found" in outcome["log"], outcome["log"][-3000:]
