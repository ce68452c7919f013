"""Fixtures for the kit's own tests: a real course directory graded by real nbgrader.

``graded(assignment)`` submits every sample (``samples/<assignment>/``) and
every hostile or broken submission (``tests/corpus/<assignment>/``) as a
student of the same name, through the exchange; then collects and autogrades
them once per session with the instructor's own command (``grade_class``, on
one Dask cluster of local worker processes shared by the session) and returns what the gradebook and
the autograded notebooks say.  (The source notebook itself is graded by hand in
test_grader_cli; ``reference`` is its solutions in the student version.)
"""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from course_kit.grading.executor import NotebookStopRules
from course_kit.instructor import CellResult, Course, copy_course
from course_kit.instructor.audit import AUDIT_FOLDER, read_variant
from course_kit.instructor.grade_class import is_graded
from course_kit.instructor.samples import Sample, build_submission, read_sample
from course_kit.parallel.cluster import local_cluster
from course_kit.parallel.cluster_security import CredentialFiles, local_security, write_credentials

REPO = Path(__file__).resolve().parents[1]
# A course of its own, graded by test_toy_course.py: its graders are not the kit's tests.
collect_ignore = ["toy_course"]
ASSIGNMENTS = sorted(p.name for p in (REPO / "source").iterdir() if p.is_dir())


@dataclass
class Result:
    sample: Sample | None
    success: bool
    total: float = 0.0
    max_total: float = 0.0
    cells: dict[str, CellResult] = field(default_factory=dict)
    log: str = ""

    def score(self, cell_id: str) -> float:
        return self.cells[cell_id].score


def processes_matching(command_line: str) -> list[str]:
    """Pids of the running processes whose whole command line is ``command_line`` (e.g. "sleep 300")."""
    return subprocess.run(["pgrep", "-f", f"^{command_line}$"], capture_output=True, text=True,
                          timeout=60).stdout.split()


def auto_scores(course: Course, assignment: str) -> dict[str, dict[str, float | None]]:
    """Student -> grade cell -> its autograded score in the gradebook (None: not autograded yet)."""
    with Gradebook(course.api.coursedir.db_url, course.course_id) as gradebook:
        return {
            s.student_id: {g.name: g.auto_score for n in s.notebooks for g in n.grades}
            for s in gradebook.find_assignment(assignment).submissions
        }


def submissions_of(assignment: str) -> list[tuple[Path, Path]]:
    """(sample file, folder its `# inherits:` names are looked up in)."""
    library = REPO / "samples" / assignment
    corpus = REPO / "tests" / "corpus" / assignment
    files = sorted(library.glob("*.py")) + sorted(corpus.glob("*.py"))
    return [(path, library) for path in files]


# The student every class has: the source notebook's own solutions (samples/<assignment>/reference.py may
# say so in a file of its own; an assignment without one gets it all the same).
REFERENCE = Sample("reference", "Reference: every answer cell holds the source notebook's own solution.", {},
                   base="reference")


# A few variants of the grader audit's corpora (graders/<assignment>/audit/, `make audit`), those issue 24 names,
# graded with the session's classes as students AUDIT_STUDENT.format(variant), so that tests/test_audit.py judges
# them by the audit's own rules.  Only a few: at ~3 s a notebook the whole corpora (100+ notebooks) would take the
# suite past its 10 minutes; `make audit` grades them all.  (np.where of both branches is samples/'s
# where_both_branches already.)
AUDITED_IN_SUITE = {
    "ps1_naive_loss": ["fil_closed_form", "sigmoid_float64_rounded", "sigmoid_logaddexp"],
    "ps2_stable_loss": ["lse_missing_keepdims", "scce_double_softmax", "sm_not_shifted"],
}
AUDIT_STUDENT = "audit_{}"


def audit_variant_path(assignment: str, variant: str) -> Path:
    return REPO / "graders" / assignment / AUDIT_FOLDER / f"{variant}.py"


def samples_of(assignment: str) -> dict[str, Sample]:
    """Student name -> sample, for every sample and corpus file of the assignment, the audit variants the suite
    grades, and the reference."""
    samples = {}
    for path, library in submissions_of(assignment):
        sample = read_sample(path, library)
        samples[sample.name] = sample
    for variant in AUDITED_IN_SUITE.get(assignment, []):
        sample = read_variant(audit_variant_path(assignment, variant)).sample
        student = AUDIT_STUDENT.format(variant)
        samples[student] = replace(sample, name=student)  # the name it is submitted under
    samples.setdefault("reference", REFERENCE)
    return samples


FULL = "full"  # a cell's maximum, in a sample's `# expect:` lines
_EXPECT = re.compile(r'^# expect: (?P<cell>[\w.-]+) (?P<points>full|\d+(?:\.\d+)?)(?: "(?P<phrase>.*)")?[ \t]*$',
                     re.MULTILINE)


def expected_scores(sample: Path) -> dict[str, tuple[float | str, str]]:
    """cell -> (points or FULL, a phrase its report must contain), from the sample's `# expect:` lines."""
    header = sample.read_text().split("\n# %% [", 1)[0]
    return {
        m["cell"]: (FULL if m["points"] == FULL else float(m["points"]), m["phrase"] or "")
        for m in _EXPECT.finditer(header)
    }


_FAILS = re.compile(r'^# fails: (?P<cell>[\w.-]+) "(?P<check>.+)"[ \t]*$', re.MULTILINE)


def expected_failures(sample: Path) -> dict[str, list[str]]:
    """cell -> the start of the name of each check that fails there, from the sample's `# fails:` lines (every
    check whose name starts so must fail, and no other)."""
    header = sample.read_text().split("\n# %% [", 1)[0]
    failures: dict[str, list[str]] = {}
    for m in _FAILS.finditer(header):
        failures.setdefault(m["cell"], []).append(m["check"])
    return failures


@pytest.fixture(scope="session")
def course(tmp_path_factory: pytest.TempPathFactory) -> Course:
    course_dir = copy_course(REPO, tmp_path_factory.mktemp("course") / "course")
    with (course_dir / "nbgrader_config.py").open("a") as config:
        config.write(TEST_SETTINGS)
    return Course(course_dir)


@dataclass(frozen=True)
class GradingCluster:
    """A standing TLS cluster: its address, and the client credentials a ``grade_class --scheduler`` needs."""

    address: str
    credentials: CredentialFiles


@pytest.fixture(scope="session")
def grading_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GradingCluster]:
    """A Dask cluster of local worker processes, for every class graded in this session: TLS with a key of the
    session's, whose files (0600, in a 0700 folder) the grade_class processes get through Dask's configuration;
    Dask's scratch space in a folder of the session's (0700); each worker's temporaries are in a 0700 folder
    of its own (``cluster.GradingWorker``)."""
    security = local_security()
    credentials = write_credentials(tmp_path_factory.mktemp("cluster-tls"), security)
    scratch = tmp_path_factory.mktemp("cluster-scratch")
    with local_cluster(GRADING_WORKERS, security, scratch) as cluster:
        yield GradingCluster(cluster.scheduler_address, credentials)


@pytest.fixture(scope="session")
def graded(course: Course, grading_cluster: str) -> Callable[[str], dict[str, Result]]:
    cache: dict[str, dict[str, Result]] = {}

    def grade(assignment: str) -> dict[str, Result]:
        if assignment not in cache:
            group = next((g for g in GRADED_SIDE_BY_SIDE if assignment in g), (assignment,))
            started = {a: _start_grading(course, a, grading_cluster) for a in group if a not in cache}
            # Runs of one course take turns (its lock): the last one may wait for all the others.
            limit = sum(_class_time_limit(len(samples)) for samples, _ in started.values())
            for a, (samples, run) in started.items():
                try:
                    run.wait(timeout=limit)
                except subprocess.TimeoutExpired:
                    run.kill()
                    run.wait(timeout=60)
                    pytest.fail(f"grading {a}'s class ran past {limit:.0f} s, every notebook at its time limit: "
                                f"hung?\n{_log(course, a).read_text()[-3000:]}")
                cache[a] = _results(course, a, samples, _log(course, a).read_text())
        return cache[assignment]

    return grade


def _class_time_limit(students: int) -> float:
    """The longest a class run may take before the suite calls it hung: each worker's share of the class with
    every notebook at its time limit, plus a minute to start and stop the run."""
    per_notebook = NotebookStopRules.class_traits()["notebook_time_limit"].default()
    return math.ceil(students / GRADING_WORKERS) * per_notebook + 60


# Grading is mostly waiting on kernels, so three workers share the 2 cores well, and the classes of notebooks
# that train no model go to them two at a time (in name order: ps1's beside ps2's), each pair started when either
# is first needed.  One course takes one grading run at a time (course_kit/instructor/run_lock.py), so the
# second class of a pair waits for the first (its log says so), then has the workers.  Memory bombs stay within
# the tests' 1 GiB notebook cap.  A class that trains with TensorFlow (which already uses both
# cores) is graded alone.
GRADING_WORKERS = 3


def trains_models(assignment: str) -> bool:
    """Whether the assignment's source notebook imports TensorFlow (whose training uses every core)."""
    (notebook,) = (REPO / "source" / assignment).glob("*.ipynb")
    code = "\n".join(c.source for c in nbformat.read(notebook, as_version=4).cells if c.cell_type == "code")
    return re.search(r"^\s*(import|from) (tensorflow|keras)\b", code, re.MULTILINE) is not None


_LIGHT = [a for a in ASSIGNMENTS if not trains_models(a)]
GRADED_SIDE_BY_SIDE = [tuple(_LIGHT[i:i + 2]) for i in range(0, len(_LIGHT), 2)]

# Short timeouts, and two cell timeouts rather than three before a notebook is stopped, so that the
# endless-loop and sleeping faults cost seconds rather than minutes.  20 s a cell, not less: a loaded CI
# machine runs cells several times slower than an idle one.  A 1 GiB memory cap rather than the shipped 4 GiB
# (the Keras notebook peaks at ~330 MiB, the file flood of test_file_boundary at ~520 MiB): the memory bombs
# fault in pages up to the cap, and bombs that overlap slow each other down far more than their size says.
# With a 2 GiB cap the fork bomb's cell took 2.3 s alone, 5-16 s beside the memory bomb and another fork bomb,
# and ran past 20 s in CI, which interrupted it before its sigmoid was defined (the fork bomb now has three
# children rather than six: see its file).
# A notebook that imports TensorFlow and trains keeps a minute per cell: three of them starting at once on a
# loaded machine (CI) took more than 10 s to import TensorFlow, and the samples are not there to test a cut-off
# import.
_TRAINING_TIMEOUTS = {a: 60 for a in ASSIGNMENTS if a not in _LIGHT}
TEST_SETTINGS = f"""
c.ExecuteWithGraders.timeout = 20
c.ExecuteWithGraders.assignment_timeouts = {_TRAINING_TIMEOUTS!r}
c.ExecuteWithGraders.call_timeout = 5
c.ExecuteWithGraders.max_cell_timeouts = 2
c.ConfinedKernelManager.notebook_memory_limit_mb = 1024
"""


def _log(course: Course, assignment: str) -> Path:
    return course.course_dir / f"grade_class-{assignment}.log"  # a file: a full pipe would stall the run


def _start_grading(course: Course, assignment: str,
                   cluster: GradingCluster) -> tuple[dict[str, Sample], subprocess.Popen]:
    """Submit and collect every sample and corpus entry, then start the instructor's command on them."""
    course.release(assignment)
    release, source = course.release_notebook(assignment), course.source_notebook(assignment)
    samples = samples_of(assignment)
    for sample in samples.values():
        course.submit(sample.name, assignment, {release.name: build_submission(release, source, sample)})
    course.collect(assignment)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
           **cluster.credentials.dask_env()}
    command = [sys.executable, "-m", "course_kit.instructor.grade_class", assignment,
               "--course-dir", str(course.course_dir), "--scheduler", cluster.address]
    with _log(course, assignment).open("w") as out:
        run = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, text=True, env=env)
    return samples, run


def _results(course: Course, assignment: str, samples: dict[str, Sample], log: str) -> dict[str, Result]:
    results = {}
    for student, sample in samples.items():
        result = Result(sample, is_graded(course, assignment, student), log=log)
        if result.success:
            result.total, result.max_total = course.score(assignment, student)
            result.cells = {c.grade_id: c for c in course.cell_results(assignment, student)}
        results[student] = result
    return results



SESSION_CLASSES = "session classes"


@pytest.hookimpl(tryfirst=True)  # before xdist's own, which reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Two lanes for pytest-xdist (``make test``: ``-n 2 --dist loadgroup``): every test that reads the session's
    graded classes runs in one worker, first (the longest lane), so that each class is graded once; every other
    test goes with its module (module fixtures are built once), to whichever worker is free."""
    for item in items:
        group = SESSION_CLASSES if "graded" in getattr(item, "fixturenames", ()) else item.path.name
        item.add_marker(pytest.mark.xdist_group(group))
    items.sort(key=lambda item: item.get_closest_marker("xdist_group").args[0] != SESSION_CLASSES)  # stable


# Safety features the suite could not test on this machine: named at the end of every run, never a quiet skip.
# ``@pytest.mark.safety_feature("per-notebook memory cap")`` says which feature of the README's Security section a
# test checks; ``missing="why"`` (None: nothing missing) also skips it here.  Every skip of such a test, whether
# by ``missing``, a skipif or a pytest.skip in a fixture, is listed under its feature with its reason.
SAFETY_FEATURE, SKIPPED_FOR = "safety_feature", "safety_feature_skipped_for"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "safety_feature(name, missing=None): the test checks this safety feature; "
                            "`missing` (a reason, or None) skips it; any skip is named at the end of the run")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[pytest.TestReport]:
    # user_properties travel with the reports, to the controller of a pytest-xdist run too.  Read when the report
    # is made: a fixture may add the mark (request.node.add_marker) just before it skips.
    report = yield
    if report.skipped:
        report.user_properties.extend((SAFETY_FEATURE, m.args[0]) for m in item.iter_markers(SAFETY_FEATURE))
    return report


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    for mark in item.iter_markers(SAFETY_FEATURE):
        if mark.kwargs.get("missing") is not None:
            item.user_properties.append((SKIPPED_FOR, mark.args[0]))  # only this one of the test's features
            pytest.skip(f"{mark.args[0]} not tested here: {mark.kwargs['missing']}")


def untested_safety_features(reports: list[pytest.TestReport]) -> dict[str, dict[str, list[str]]]:
    """Feature -> skip reason -> the skipped tests, from the skipped reports of tests marked ``safety_feature``."""
    untested: dict[str, dict[str, list[str]]] = {}
    for report in reports:
        properties = getattr(report, "user_properties", [])
        features = [v for k, v in properties if k == SKIPPED_FOR] or [v for k, v in properties if k == SAFETY_FEATURE]
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        for feature in dict.fromkeys(features):
            why = reason.removeprefix("Skipped: ").removeprefix(f"{feature} not tested here: ")
            untested.setdefault(feature, {}).setdefault(why, []).append(report.nodeid)
    return untested


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    untested = untested_safety_features(terminalreporter.stats.get("skipped", []))
    if not untested:
        return
    terminalreporter.write_sep("!", "SAFETY FEATURES NOT TESTED ON THIS MACHINE", red=True, bold=True)
    for feature, reasons in sorted(untested.items()):
        for reason, tests in sorted(reasons.items()):
            terminalreporter.write_line(f"NOT TESTED: {feature}: {reason} ({len(tests)} tests, e.g. {tests[0]})",
                                        red=True, bold=True)


# `make <target>` of the kit, run in a course copy as in a clone: the clone's Makefile and venv (VENV=, so that
# the recipe's python is the venv's own path, which the kernels' sandbox can see; -o: never remake the venv).
VENV = Path(sys.executable).parent.parent


def make_command(target: str, *variables: str) -> list[str]:
    if not (VENV / ".installed").exists():
        pytest.skip(f"{VENV} was not built by `make setup`: the Makefile's recipes need its stamp")
    return ["make", "-s", "-f", str(REPO / "Makefile"), f"VENV={VENV}", "-o", f"{VENV}/.installed", target,
            *variables]


def course_env(**extra: str) -> dict[str, str]:
    """The environment an instructor's shell has in the course root: the venv's commands first on PATH."""
    return {**os.environ, "PATH": f"{VENV / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}", **extra}
