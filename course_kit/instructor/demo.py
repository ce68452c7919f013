"""The instructor's whole loop on sample students, in a scratch course directory.

    python -m course_kit.instructor.demo [--course-dir demo-course] [--assignment ps1_naive_loss ...]

Copies the course (configuration, sources, graders) into a fresh directory,
generates and releases every assignment, submits each sample in
``samples/<assignment>/`` as a student of the same name through the local
exchange, collects, autogrades each class (``course_kit.instructor.grade_class``,
on one Dask cluster of local worker processes), generates feedback, exports
grades.csv and canvas_grades.csv (for Canvas's gradebook import) and prints a
student x assignment table with the checks that failed.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

from course_kit.exporters import export_canvas_csv
from course_kit.grading.private_temp import private_temp
from course_kit.grading.results import CheckResult
from course_kit.instructor.course import Course, copy_course
from course_kit.instructor.grade_class import grade_class
from course_kit.instructor.samples import build_submission, read_sample
from course_kit.parallel.cluster import local_cluster, worker_count
from course_kit.parallel.cluster_security import Security, local_security

REPO = Path(__file__).resolve().parents[2]


def assignments_in(repo: Path) -> list[str]:
    return sorted(p.name for p in (repo / "source").iterdir() if p.is_dir())


def first_failure(checks: list[CheckResult]) -> str | None:
    """The first failed check of a cell, with its message's first line."""
    failed = next((check for check in checks if not check.passed), None)
    if failed is None:
        return None
    detail = failed.message.splitlines()[0] if failed.message else ""
    return failed.name + (f": {detail}" if detail else "")


def run(course_dir: Path, assignments: list[str]) -> int:
    started = time.perf_counter()
    course = Course(copy_course(REPO, course_dir, assignments))
    # One cluster of local worker processes grades every assignment's class (started once, not per class); its
    # temporaries in a 0700 folder, its key in memory (the classes' clients get it as ``security``).
    security = local_security()
    with private_temp(), local_cluster(worker_count(course.config), security) as cluster:
        return _run(course, assignments, cluster.scheduler_address, security, started)


def _quiet(line: str) -> None:
    """The demo prints its own table, not grade_class's line per student."""


def _run(course: Course, assignments: list[str], scheduler: str, security: Security, started: float) -> int:
    table: dict[str, dict[str, str]] = {}
    notes: list[str] = []
    needs_look = by_hand_cells = 0
    for assignment in assignments:
        course.release(assignment)
        samples = sorted((REPO / "samples" / assignment).glob("*.py"))
        for path in samples:
            sample = read_sample(path)
            nb = build_submission(course.release_notebook(assignment), course.source_notebook(assignment), sample)
            course.submit(sample.name, assignment, {course.release_notebook(assignment).name: nb})
        course.collect(assignment)
        results = grade_class(course, assignment, [path.stem for path in samples], echo=_quiet, scheduler=scheduler,
                              security=security)
        for result in results:
            student = result.student
            # The demo has no one to grade by hand: a cell left for the formgrader is counted, not a problem.
            by_hand_cells += len(result.to_grade_by_hand)
            if result.score is None or result.problems:
                needs_look += 1
                notes.append(f"{student} / {assignment}: NEEDS A LOOK: {'; '.join(result.problems)}")
            if result.score is None:
                table.setdefault(student, {})[assignment] = "needs a look"
                continue
            score, max_score = result.score
            cells = course.cell_results(assignment, student)
            auto_max = sum(cell.max_score for cell in cells)
            by_hand = f" +{max_score - auto_max:g} by hand" if max_score > auto_max else ""
            table.setdefault(student, {})[assignment] = f"{score:g} / {auto_max:g}{by_hand}"
            for cell in cells:
                failure = first_failure(cell.checks) if cell.score < cell.max_score else None
                if failure:
                    notes.append(f"{student} / {assignment} / {cell.grade_id}: {failure}")
        course.generate_feedback(assignment)
        print(f"[demo] {assignment}: released, {len(samples)} submissions collected and graded", flush=True)
    grades = course.export_grades(course.course_dir / "grades.csv")
    canvas = export_canvas_csv(course.api.coursedir.db_url, course.course_id, course.course_dir / "canvas_grades.csv")
    _print_table(table, assignments)
    print("\nKey failures (first failed check of each cell that lost points):")
    for note in notes:
        print(f"  {note}")
    print(f"\nGrades: {grades} (for Canvas: {canvas.name})\nFeedback: {course.course_dir / 'feedback'}")
    print(f"Cells left to grade by hand in the formgrader (ps2's derivation, for instance): {by_hand_cells}")
    print(f"Submissions that need a look: {needs_look}. Demo wall time: {time.perf_counter() - started:.1f} s")
    return 1 if needs_look else 0


def _print_table(table: dict[str, dict[str, str]], assignments: list[str]) -> None:
    width = max([len(s) for s in table] + [7]) + 2
    print("\n" + "student".ljust(width) + "".join(a.ljust(26) for a in assignments))
    for student in sorted(table):
        row = "".join(table[student].get(a, "-").ljust(26) for a in assignments)
        print(student.ljust(width) + row)


def main(argv: list[str] | None = None) -> int:
    # nbgrader 0.9.6's gradebook code trips SQLAlchemy 2's autoflush warnings; they are not ours to fix.
    warnings.filterwarnings("ignore", message=".*not in session.*")
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--course-dir", type=Path, default=REPO / "demo-course",
                        help="scratch course directory, recreated on every run (default: demo-course/)")
    parser.add_argument("--assignment", action="append", help="only these assignments (default: all)")
    args = parser.parse_args(argv)
    return run(args.course_dir.resolve(), args.assignment or assignments_in(REPO))


if __name__ == "__main__":
    sys.exit(main())
