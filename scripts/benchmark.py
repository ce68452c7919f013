"""Speed figures of the kit, printed against their targets (not asserted: machines differ).

    python scripts/benchmark.py [--repeat 3] [--skip-demo] [--skip-tests] [--students N] [--class-only]

- autograde time per submission, per assignment, and its ratio to a plain
  nbclient execution of the same notebook (target <= 1.10; ps3 <= 1.0), with
  cold kernels and with warm ones (each started while the notebook before is
  graded, as grading workers run a class), beside stock nbgrader's autograde
  of the same submission (no graders: the in-kernel test cells only), which
  shows how much of the gap is nbgrader's own;
- demo wall time (target <= 90 s on 2 cores);
- test suite wall time (limit 600 s, target <= 360 s);
- a class of ``--students`` (default 6) graded on 1 and 2 workers and a Dask
  cluster, each against a plain execution of the same notebooks on as many processes, with where
  the time goes (``scripts/class_size.py``); ``make bench STUDENTS=200`` for a full class.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import nbformat
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import class_size  # noqa: E402  (beside this script)

from course_kit.confinement.warm_kernels import SPARES  # noqa: E402
from course_kit.grading.record import read_record, record_path  # noqa: E402
from course_kit.instructor import Course, copy_course  # noqa: E402
from course_kit.instructor.samples import build_submission, read_sample  # noqa: E402

# A plain kernel's stderr holds only ipykernel's warning that it talks over TCP, once per notebook run, which
# buried the table; the student's own Jupyter prints it too (the kit's confined kernels use ipc).
QUIET_KERNEL = {"stderr": subprocess.DEVNULL}


def plain_execution_seconds(nb: nbformat.NotebookNode, workdir: Path) -> float:
    started = time.perf_counter()
    NotebookClient(nb, timeout=300, allow_errors=True, kernel_name="python3",
                   resources={"metadata": {"path": str(workdir)}}).execute(**QUIET_KERNEL)
    return time.perf_counter() - started


STOCK_PIPELINE = """
from nbgrader.converters import Autograde
c.Autograde.autograde_preprocessors = Autograde.class_traits()["autograde_preprocessors"].default()
"""


def stock_course(scratch: Path) -> Course:
    """The same course with nbgrader's stock autograde pipeline."""
    course_dir = copy_course(REPO, scratch / "stock")
    with (course_dir / "nbgrader_config.py").open("a") as config:
        config.write(STOCK_PIPELINE)
    return Course(course_dir)


def warm_course(scratch: Path) -> Course:
    """The same course with warm kernels on, as a grading worker has them (``warm_kernels``)."""
    course_dir = copy_course(REPO, scratch / "warm")
    with (course_dir / "nbgrader_config.py").open("a") as config:
        config.write("\nc.WarmKernels.enabled = True\n")
    return Course(course_dir)


def autograde_seconds(course: Course, assignment: str, repeat: int, warm_up: int = 0) -> float:
    """Median seconds of ``repeat`` autogrades of the reference answer, after ``warm_up`` ones not counted
    (with warm kernels, the first notebook of a run starts its kernel cold)."""
    course.release(assignment)
    release, source = course.release_notebook(assignment), course.source_notebook(assignment)
    submission = build_submission(release, source, read_sample(REPO / "samples" / assignment / "reference.py"))
    students = [f"bench{i}" for i in range(warm_up + repeat)]
    for student in students:
        course.submit(student, assignment, {release.name: submission})
    course.collect(assignment)
    graded = []
    for student in students:
        started = time.perf_counter()
        result = course.autograde(assignment, student)
        graded.append(time.perf_counter() - started)
        assert result["success"], result.get("log")
    return statistics.median(graded[warm_up:])


def recorded_split(course: Course, assignment: str, repeat: int, first: int = 0) -> str:
    """Where the kit's time went, as the grading records measured it (median of the submissions)."""
    (notebook,) = [p.stem for p in (course.course_dir / "source" / assignment).glob("*.ipynb")]
    timings = []
    for i in range(first, first + repeat):
        graded = course.course_dir / "autograded" / f"bench{i}" / assignment
        timings.append(read_record(record_path(graded, notebook), assignment, f"bench{i}", notebook).timings)
    median = {k: statistics.median(getattr(t, k) for t in timings) for k in ("execution_s", "graders_s", "total_s")}
    return (f"execution {median['execution_s']:.2f} s, graders {median['graders_s']:.2f} s, "
            f"total {median['total_s']:.2f} s (kernel start to record)")


def plain_seconds(course: Course, assignment: str, repeat: int) -> float:
    release = course.release_notebook(assignment)
    runs = []
    for i in range(repeat):
        workdir = course.course_dir / "submitted" / f"bench{i}" / assignment
        runs.append(plain_execution_seconds(nbformat.read(workdir / release.name, as_version=4), workdir))
    return statistics.median(runs)


def prose_run_times() -> None:
    """What ps3's prose says its cells take, beside one run as a student runs it (a claim, so not a test)."""
    sys.path.insert(0, str(REPO / "tests"))
    from test_ps3_prose_numbers import NUMBERS, SOURCE, Timed, seconds_in

    nb = nbformat.read(SOURCE, as_version=4)
    with tempfile.TemporaryDirectory() as workdir:
        NotebookClient(nb, timeout=300, kernel_name="python3",
                       resources={"metadata": {"path": workdir}}).execute(**QUIET_KERNEL)
    for cell, numbers in NUMBERS.items():
        for written, source in numbers.items():
            if isinstance(source, Timed):
                where = ", ".join(source.cells) or "all code cells"
                seconds = seconds_in(nb, source.cells)
                print(f"ps3 prose ({cell}) says about {written} s in {where}: this run {seconds:.1f} s "
                      f"(the prose should stay within a factor {source.about:g})")


def timed(command: list[str]) -> tuple[float, int]:
    started = time.perf_counter()
    code = subprocess.run(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    return time.perf_counter() - started, code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, help="submissions graded per assignment")
    parser.add_argument("--skip-demo", action="store_true")
    parser.add_argument("--skip-tests", action="store_true")
    parser.add_argument("--students", type=int, default=6, help="students in the class-size benchmark (0: skip it)")
    parser.add_argument("--class-only", action="store_true", help="only the class-size benchmark")
    parser.add_argument("--class-runs", default=",".join(class_size.RUNS),
                        help=f"which class runs, comma-separated, of {', '.join(class_size.RUNS)} (default: all)")
    parser.add_argument("--json", type=Path, help="also write the class's figures to this JSON file")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message=".*not in session.*")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if args.students:
        with tempfile.TemporaryDirectory() as scratch:
            class_size.run(REPO, Path(scratch), args.students, args.class_runs.split(","), args.json)
    if args.class_only:
        return 0

    print(f"seconds per submission (median of {args.repeat}); target: kit / plain <= 1.10 (ps3: <= 1.0)")
    print("  plain: nbclient runs the notebook, as a student does; stock: nbgrader's own autograde (no graders);")
    print("  cold: the kit, each notebook starting its kernel; warm: the kit as a grading worker runs a class,")
    print("  each notebook's kernel started and its imports done while the one before was graded")
    print(f"{'assignment':24}{'plain':>8}{'stock':>8}{'cold':>8}{'warm':>8}{'cold/plain':>12}{'warm/plain':>12}")
    with tempfile.TemporaryDirectory() as scratch:
        course = Course(copy_course(REPO, Path(scratch) / "course"))
        warm = warm_course(Path(scratch))
        stock = stock_course(Path(scratch))
        for assignment in sorted(p.name for p in (REPO / "source").iterdir() if p.is_dir()):
            cold_seconds = autograde_seconds(course, assignment, args.repeat)
            warm_seconds = autograde_seconds(warm, assignment, args.repeat, warm_up=1)
            SPARES.close()  # the spare started for a next notebook that does not come
            stock_seconds = autograde_seconds(stock, assignment, args.repeat)
            plain = plain_seconds(course, assignment, args.repeat)
            print(f"{assignment:24}{plain:8.2f}{stock_seconds:8.2f}{cold_seconds:8.2f}{warm_seconds:8.2f}"
                  f"{cold_seconds / plain:12.2f}{warm_seconds / plain:12.2f}")
            print(f"{'':24}cold, from its grading records: {recorded_split(course, assignment, args.repeat)}")
            print(f"{'':24}warm, from its grading records: {recorded_split(warm, assignment, args.repeat, first=1)}")
        if not args.skip_demo:
            demo = [sys.executable, "-m", "course_kit.instructor.demo", "--course-dir", f"{scratch}/demo"]
            seconds, code = timed(demo)
            print(f"demo wall time: {seconds:.1f} s (exit {code}); target <= 90 s")
    prose_run_times()
    if not args.skip_tests:
        seconds, code = timed([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2",
                               "--dist", "loadgroup"])  # as `make test` runs it
        print(f"test suite wall time: {seconds:.1f} s (exit {code}); limit 600 s, target <= 360 s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
