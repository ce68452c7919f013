"""Class-size benchmark: a synthetic class graded on 1 and 2 local workers and through a Dask cluster.

    python scripts/benchmark.py --students 200 --class-only [--class-runs 1,2,dask]

The class: N students, each submitting all three assignments.  Each
submission is one of ``samples/<assignment>/`` drawn with a fixed seed, mostly
the reference answer (as most of a real class gets most of it right) and the
rest the samples' typical mistakes.  The same class is graded three times
(``--force``): by ``grade_class`` on one local worker process, on two, and
through an already running Dask cluster of two local worker processes
(``--scheduler``: no start-up in the timing, as with a standing cluster).
Printed: wall time per assignment and in all, seconds per notebook, speedup
over one worker, and the projection to 200 students (linear in N).
"""

from __future__ import annotations

import random
import time
from pathlib import Path

from course_kit.grading.private_temp import private_temp
from course_kit.instructor import Course, copy_course
from course_kit.instructor.grade_class import grade_class
from course_kit.instructor.samples import build_submission, read_sample
from course_kit.parallel.cluster import local_cluster
from course_kit.parallel.cluster_security import local_security

REFERENCE_SHARE = 0.7  # the share of submissions that are the reference answer; the rest are typical mistakes
PROJECTED_STUDENTS = 200


def synthetic_class(repo: Path, course_dir: Path, students: int, seed: int = 12) -> tuple[Course, list[str]]:
    """A course with ``students`` submissions of every assignment, collected and ready to grade."""
    course = Course(copy_course(repo, course_dir))
    assignments = sorted(p.name for p in (repo / "source").iterdir() if p.is_dir())
    draw = random.Random(seed)
    for assignment in assignments:
        course.release(assignment)
        release, source = course.release_notebook(assignment), course.source_notebook(assignment)
        library = repo / "samples" / assignment
        mistakes = sorted(p for p in library.glob("*.py") if p.stem != "reference")
        for k in range(students):
            path = library / "reference.py" if draw.random() < REFERENCE_SHARE else draw.choice(mistakes)
            submission = build_submission(release, source, read_sample(path, library))
            course.submit(f"student{k:03d}", assignment, {release.name: submission})
        course.collect(assignment)
    return course, assignments


def _quiet(line: str) -> None:
    """Only the timings are printed."""


def grading_seconds(course: Course, assignments: list[str], **where) -> dict[str, float]:
    """Wall seconds to grade each assignment's whole class (every student regraded)."""
    seconds = {}
    for assignment in assignments:
        started = time.perf_counter()
        results = grade_class(course, assignment, force=True, echo=_quiet, **where)
        seconds[assignment] = time.perf_counter() - started
        assert all(r.score is not None for r in results), [r for r in results if r.score is None]
    return seconds


RUNS = {"1": "1 local worker", "2": "2 local workers", "dask": "Dask cluster, 2 workers"}


def run(repo: Path, scratch: Path, students: int, which: list[str] | None = None) -> None:
    """Grade the class with each run of ``which`` (keys of RUNS; default all) and print the figures."""
    which = which or list(RUNS)
    unknown = sorted(set(which) - set(RUNS))
    if unknown:
        raise SystemExit(f"unknown class run(s) {', '.join(unknown)}; choose among {', '.join(RUNS)}")
    course, assignments = synthetic_class(repo, scratch / "class", students)
    runs = {}
    for key in which:
        if key == "dask":
            security = local_security()
            with private_temp(), local_cluster(2, security) as cluster:
                runs[RUNS[key]] = grading_seconds(course, assignments, scheduler=cluster.scheduler_address,
                                                  security=security)
        else:
            runs[RUNS[key]] = grading_seconds(course, assignments, jobs=int(key))
    notebooks = students * len(assignments)
    print(f"\nclass of {students} students x {len(assignments)} assignments ({notebooks} notebooks), "
          f"{REFERENCE_SHARE:.0%} reference answers; wall seconds")
    print(f"{'':26}" + "".join(f"{a[:14]:>15}" for a in assignments)
          + f"{'total':>9}{'s/notebook':>12}{'speedup':>9}{'200 students':>14}")
    serial = sum(runs[RUNS["1"]].values()) if RUNS["1"] in runs else None
    for name, seconds in runs.items():
        total = sum(seconds.values())
        projected = total / students * PROJECTED_STUDENTS
        speedup = f"{serial / total:9.2f}" if serial else f"{'-':>9}"
        print(f"{name:26}" + "".join(f"{seconds[a]:15.1f}" for a in assignments)
              + f"{total:9.1f}{total / notebooks:12.2f}{speedup}{projected / 60:11.1f} min")
    print("targets: 200 students x 3 assignments <= 10 min; 2 workers vs 1 >= 1.8x")
