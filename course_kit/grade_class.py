"""Autograde a class for one assignment, and say which submissions need the instructor's look.

    python -m course_kit.grade_class ps1_naive_loss [--course-dir .] [--student alice ...] [--force]
                                     [--jobs N | --scheduler tcp://host:8786]

For each student with a ``submitted/<student>/<assignment>`` folder: check the
files (``submission_checks``), autograde with the course's own configuration
(confinement, hidden graders), then read the score back from the gradebook
and look at the graded notebook.  Students are graded side by side on Dask
workers (``course_kit.parallel``: one process per core by default, within
memory), and this process alone writes the gradebook.  One line per student, then the count of
submissions that need a look, each with its reason.  Exit status: 0 when every
submission was graded with nothing to look at, 1 when some need a look, 2 when
grading could not run at all (e.g. confinement is unavailable).

Interrupted runs: nbgrader writes a sanitized copy of the notebook into
``autograded/`` before it runs it, so an existing notebook there does not mean
graded, and bare ``nbgrader autograde`` skips a student whose grading was cut
off.  This command marks each student's grading as in progress
(``autograded/<student>/<assignment>.grading``) until the gradebook has it; a run
killed half way is simply run again, and grades exactly the students it had
not finished.  After an interrupted bare ``nbgrader autograde``, use
``--force``.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from course_kit.confinement import notebook_cgroup
from course_kit.confinement.confined_kernel import REFUSAL
from course_kit.grading.notebook_kernel import timed_out
from course_kit.instructor import ClassRun
from course_kit.preprocessors.execute_with_graders import RECORD_KEY, STOPPED
from course_kit.submission_checks import check_submission

EXIT_OK, EXIT_NEEDS_A_LOOK, EXIT_CANNOT_GRADE = 0, 1, 2


@dataclass
class StudentResult:
    student: str
    score: tuple[float, float] | None = None  # (score, max) from the gradebook; None: not graded
    problems: list[str] = field(default_factory=list)
    regraded: bool = False  # graded in this run (False: already graded, left alone)

    @property
    def needs_a_look(self) -> bool:
        return self.score is None or bool(self.problems)


class CannotGrade(RuntimeError):
    """Grading cannot run at all (every student would fail the same way)."""


def in_progress_marker(course: ClassRun, assignment: str, student: str) -> Path:
    """Exists while this student's grading runs (beside the kernel's folder, out of its sight)."""
    return course.course_dir / "autograded" / student / f"{assignment}.grading"


def is_graded(course: ClassRun, assignment: str, student: str) -> bool:
    """Graded to the end, after the last change to the submission."""
    graded = course.course_dir / "autograded" / student / assignment
    submitted = course.course_dir / "submitted" / student / assignment
    names = [p.name for p in (course.course_dir / "source" / assignment).glob("*.ipynb")]
    if in_progress_marker(course, assignment, student).exists():
        return False  # a run was cut off while grading this student
    if not names or not all((graded / name).exists() for name in names):
        return False
    newest_submission = max(p.stat().st_mtime for p in submitted.rglob("*") if p.is_file())
    return min((graded / name).stat().st_mtime for name in names) >= newest_submission


def grade_student(course: ClassRun, assignment: str, student: str, force: bool = False) -> StudentResult:
    result = StudentResult(student)
    source_dir = course.course_dir / "source" / assignment
    sources = {p.name: nbformat.read(p, as_version=4) for p in source_dir.glob("*.ipynb")}
    checks = check_submission(course.course_dir / "submitted" / student / assignment, sources)
    result.problems += [problem.message for problem in checks]
    if any(problem.unsafe for problem in checks):
        return result  # never handed to nbgrader, which would follow its links
    if force or not is_graded(course, assignment, student):
        marker = in_progress_marker(course, assignment, student)
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
        outcome = course.autograde(assignment, student)  # force=True: a half-graded folder is redone
        marker.unlink()
        result.regraded = True
        log = outcome.get("log", "") or ""
        if REFUSAL in log:
            raise CannotGrade(_last_error(log, "ConfinementError: "))
        if not outcome["success"] and not any(problem.blocking for problem in checks):
            result.problems.append(f"nbgrader could not grade it: {_last_error(log)}")
    if is_graded(course, assignment, student):
        result.score = course.score(assignment, student)
        result.problems += _execution_problems(course.course_dir / "autograded" / student / assignment)
    return result


# nbgrader's own closing lines, which say only that something went wrong.
_GENERIC = ("There was an error processing", "Please see the the above traceback", "Traceback")


def _last_error(log: str, marker: str = "") -> str:
    """What went wrong, from nbgrader's log: the text after ``marker`` when given and found, else the first
    ERROR line that says more than nbgrader's generic ones."""
    if marker and marker in log:
        return log[log.rindex(marker) + len(marker):].splitlines()[0][:500]
    errors = [line.strip() for line in log.splitlines() if "ERROR" in line]
    specific = [line for line in errors if not any(generic in line for generic in _GENERIC)]
    return ((specific or errors or log.strip().splitlines() or ["no log"])[0])[:300]


def _execution_problems(folder: Path) -> list[str]:
    """What went wrong while the graded notebooks ran: a stopped kernel, cells cut off by the timeout."""
    problems: list[str] = []
    for path in sorted(folder.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        record = nb.metadata.get(RECORD_KEY, {})
        if record.get("left_behind"):
            problems.append(f"{path.name}: the notebook planted in its working folder "
                            f"{'; '.join(record['left_behind'])} (ignored, but it was trying something)")
        if record.get("outputs_cut"):
            problems.append(f"{path.name}: {record['outputs_cut']} outputs were cut, too large for the grader")
        texts = ["".join(o.get("text", "") for o in c.get("outputs", [])) for c in nb.cells]
        stopped = next((t for t in texts if STOPPED in t), None)
        if stopped:
            sentence = stopped[stopped.index(STOPPED):].split(", so nothing could be graded")[0]
            problems.append(f"{path.name}: {sentence}")
            continue
        cut_off = [i + 1 for i, cell in enumerate(nb.cells) if timed_out(cell)]
        if cut_off:
            problems.append(f"{path.name}: cell(s) {', '.join(map(str, cut_off))} ran past the cell timeout "
                            "and were interrupted")
    return problems


def grade_class(course: ClassRun, assignment: str, students: list[str] | None = None,
                force: bool = False, echo=print, jobs: int | None = None,
                scheduler: str | None = None) -> list[StudentResult]:
    """Grade on Dask workers (``course_kit.parallel``): ``jobs`` local processes, or the cluster at ``scheduler``."""
    from course_kit.parallel.class_grading import grade_in_parallel  # it builds on this module

    folder = course.course_dir / "submitted"
    everyone = sorted(p.parent.name for p in folder.glob(f"*/{assignment}") if p.is_dir())
    warning = _memory_cap_warning(course)
    if warning:
        print(warning, file=sys.stderr)
    results = grade_in_parallel(course, assignment, students or everyone, force, echo, jobs, scheduler)
    looks = sum(r.needs_a_look for r in results)
    echo(f"{assignment}: {len(results)} submissions, {len(results) - looks} graded with nothing to look at, "
         f"{looks} need a look")
    return results


def _memory_cap_warning(course: ClassRun) -> str | None:
    """Why notebooks will not get a memory cap of their own here (e.g. an ordinary user, no cgroup), or None."""
    manager = course.config.get("ConfinedKernelManager", {})
    if manager.get("notebook_memory_limit_mb", 1) <= 0 or manager.get("allow_unconfined", False):
        return None
    problem = notebook_cgroup.available()
    if problem is None:
        return None
    return (f"WARNING: No per-notebook memory cap here ({problem}). Each process of a notebook is still capped "
            "(ConfinedKernelManager.memory_limit_mb), but a notebook that starts many processes can use that many "
            "times over. Grade as root, or in a cgroup v2 with the memory controller delegated, to cap it.")


def _line(result: StudentResult) -> str:
    score = "not graded" if result.score is None else f"{result.score[0]:g} / {result.score[1]:g}"
    flag = "  NEEDS A LOOK: " + "; ".join(result.problems) if result.needs_a_look else ""
    fresh = "" if result.regraded or result.score is None else " (already graded)"
    return f"  {result.student:<24} {score:<12}{fresh}{flag}"


def main(argv: list[str] | None = None) -> int:
    warnings.filterwarnings("ignore", message=".*not in session.*")  # nbgrader 0.9.6 vs SQLAlchemy 2
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("assignment")
    parser.add_argument("--course-dir", type=Path, default=Path.cwd(), help="the course root (default: here)")
    parser.add_argument("--student", action="append", help="only these students (default: every submission)")
    parser.add_argument("--force", action="store_true", help="regrade students that are already graded")
    parser.add_argument("--jobs", "-j", type=int, help="Dask worker processes (default: one per core, within memory)")
    parser.add_argument("--scheduler", help="grade on this Dask cluster (tcp://host:8786) instead of local workers")
    args = parser.parse_args(argv)
    known = sorted(p.name for p in (args.course_dir / "source").glob("*") if p.is_dir())
    if args.assignment not in known:  # a typo would otherwise grade "0 submissions" and exit 0
        print(f"No assignment {args.assignment!r} in {args.course_dir / 'source'}; this course has: "
              f"{', '.join(known) or 'none'}", file=sys.stderr)
        return EXIT_CANNOT_GRADE
    course = ClassRun(args.course_dir)
    try:
        results = grade_class(course, args.assignment, args.student, args.force, jobs=args.jobs,
                              scheduler=args.scheduler)
    except CannotGrade as error:
        print(f"Cannot autograde: {error}", file=sys.stderr)
        return EXIT_CANNOT_GRADE
    return EXIT_NEEDS_A_LOOK if any(r.needs_a_look for r in results) else EXIT_OK


if __name__ == "__main__":
    # Run the imported module's main, so that this process has one CannotGrade class, the one the workers' code raises.
    from course_kit.grade_class import main as module_main

    sys.exit(module_main())
