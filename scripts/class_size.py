"""Class-size benchmark: a synthetic class graded on 1 and 2 local workers and through a Dask cluster, each
against a plain execution of the same notebooks on as many processes.

    python scripts/benchmark.py --students 200 --class-only [--class-runs 1,2,dask] [--json class.json]

The class: N students, each submitting all three assignments.  Each
submission is one of ``samples/<assignment>/`` drawn with a fixed seed, mostly
the reference answer (as most of a real class gets most of it right) and the
rest the samples' typical mistakes.  The same class is graded three times
(``--force``): by ``grade_class`` on one local worker process, on two, and
through an already running Dask cluster of two local worker processes
(``--scheduler``: no start-up in the timing, as with a standing cluster).
Right after each assignment is graded by a run, the same submitted notebooks are executed plainly
(``plain_execution``: nbclient, no graders, on as many processes as the run has workers), so the two
see the same load: the class's time over the plain time is the figure that stays meaningful on a busy
machine.  Printed: wall time per assignment and in all, seconds per notebook, speedup over one worker,
the projection to 200 students (linear in N), class / plain per run and per assignment, and where a
notebook's time goes, from the timers the kit records (the grading records' ``timings`` and each
student's ``StudentResult.timings``): the kernel's start, the student's cells, the graders (their
figures and references apart), nbgrader's own steps, and the gradebook's writer.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from contextlib import ExitStack
from pathlib import Path

from plain_execution import PlainPool

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


RUNS = {"1": "1 local worker", "2": "2 local workers", "dask": "Dask cluster, 2 workers"}
WORKERS = {"1": 1, "2": 2, "dask": 2}


def where_time_goes(results: list) -> dict[str, float]:
    """Mean seconds per notebook in each part of grading, from the kit's own timers (records and results).

    Summed over workers, so the parts add up to the busy time of a notebook, not to the class's wall time."""
    records = [record for result in results for record in result.records]
    notebooks = max(len(records), 1)
    total = lambda values: sum(v or 0.0 for v in values)  # noqa: E731
    phases = lambda name: total(r.timings.phases.get(name) if r.timings.phases else 0.0 for r in records)  # noqa: E731
    graders = total(r.timings.graders_s for r in records)
    kernel, cells = total(r.timings.kernel_start_s for r in records), total(r.timings.cells_s for r in records)
    autograde = total(result.timings.get("autograde_s") for result in results)
    parts = {
        "kernel_start": kernel,
        "cells": cells,
        "graders_other": graders - phases("figures") - phases("references"),
        "figures": phases("figures"),
        "references": phases("references"),
        "nbgrader": autograde - kernel - cells - graders,
        "writer": total(result.timings.get("writer_s") for result in results),
    }
    return {name: round(seconds / notebooks, 3) for name, seconds in parts.items()}


def grade(course: Course, assignment: str, **where) -> tuple[float, list]:
    """Wall seconds to grade the assignment's whole class (every student regraded), and the results."""
    started = time.perf_counter()
    results = grade_class(course, assignment, force=True, echo=_quiet, **where)
    seconds = time.perf_counter() - started
    assert all(r.score is not None for r in results), [r for r in results if r.score is None]
    return seconds, results


def submitted_notebooks(course: Course, assignment: str) -> list[tuple[Path, str]]:
    """Every student's submitted (folder, notebook name) of the assignment."""
    (name,) = [p.name for p in (course.course_dir / "source" / assignment).glob("*.ipynb")]
    return [(folder, name) for folder in sorted((course.course_dir / "submitted").glob(f"*/{assignment}"))]


def run(repo: Path, scratch: Path, students: int, which: list[str] | None = None,
        json_path: Path | None = None) -> dict:
    """Grade the class with each run of ``which`` (keys of RUNS; default all), each assignment followed by its
    plain execution on as many processes; print the figures and return them (also written to ``json_path``)."""
    which = which or list(RUNS)
    unknown = sorted(set(which) - set(RUNS))
    if unknown:
        raise SystemExit(f"unknown class run(s) {', '.join(unknown)}; choose among {', '.join(RUNS)}")
    course, assignments = synthetic_class(repo, scratch / "class", students)
    kit: dict[str, dict[str, float]] = {RUNS[k]: {} for k in which}
    plain: dict[str, dict[str, float]] = {RUNS[k]: {} for k in which}
    plain_each: dict[str, dict[str, float]] = {RUNS[k]: {} for k in which}
    parts: dict[str, dict[str, dict[str, float]]] = {RUNS[k]: {} for k in which}
    with ExitStack() as stack:
        where, pools = {}, {}
        for key in which:
            if key == "dask":  # a standing cluster: started before the clock, as an instructor's is
                security = local_security()
                stack.enter_context(private_temp())
                cluster = stack.enter_context(local_cluster(WORKERS[key], security))
                where[key] = {"scheduler": cluster.scheduler_address, "security": security}
            else:
                where[key] = {"jobs": WORKERS[key]}
            if WORKERS[key] not in pools:
                pools[WORKERS[key]] = stack.enter_context(PlainPool(WORKERS[key]))
        for assignment in assignments:  # interleaved: each grading beside its plain run, under the same load
            notebooks = submitted_notebooks(course, assignment)
            for key in which:
                name = RUNS[key]
                kit[name][assignment], results = grade(course, assignment, **where[key])
                parts[name][assignment] = where_time_goes(results)
                plain[name][assignment], each = pools[WORKERS[key]].run(notebooks)
                plain_each[name][assignment] = round(statistics.mean(each), 3)
    figures = {"students": students, "assignments": assignments, "notebooks": students * len(assignments),
               "kit_wall_s": kit, "plain_wall_s": plain, "plain_per_notebook_s": plain_each,
               "per_notebook_s": parts}
    report(figures)
    if json_path is not None:
        json_path.write_text(json.dumps(figures, indent=1) + "\n")
        print(f"(written to {json_path})")
    return figures


def report(figures: dict) -> None:
    students, assignments, notebooks = figures["students"], figures["assignments"], figures["notebooks"]
    kit, plain = figures["kit_wall_s"], figures["plain_wall_s"]
    print(f"\nclass of {students} students x {len(assignments)} assignments ({notebooks} notebooks), "
          f"{REFERENCE_SHARE:.0%} reference answers; wall seconds")
    print(f"{'':26}" + "".join(f"{a[:14]:>15}" for a in assignments)
          + f"{'total':>9}{'s/notebook':>12}{'speedup':>9}{'200 students':>14}")
    serial = sum(kit[RUNS["1"]].values()) if RUNS["1"] in kit else None
    for name, seconds in kit.items():
        total = sum(seconds.values())
        projected = total / students * PROJECTED_STUDENTS
        speedup = f"{serial / total:9.2f}" if serial else f"{'-':>9}"
        print(f"{name:26}" + "".join(f"{seconds[a]:15.1f}" for a in assignments)
              + f"{total:9.1f}{total / notebooks:12.2f}{speedup}{projected / 60:11.1f} min")
        print(f"{'  plain, same processes':26}" + "".join(f"{plain[name][a]:15.1f}" for a in assignments)
              + f"{sum(plain[name].values()):9.1f}{sum(plain[name].values()) / notebooks:12.2f}")
        print(f"{'  class / plain':26}" + "".join(f"{seconds[a] / plain[name][a]:15.2f}" for a in assignments)
              + f"{total / sum(plain[name].values()):9.2f}")
    print("targets: class / plain <= 1.0 (6 students), <= 1.1 (200 students); 2 workers vs 1 >= 1.8x")
    print("\nwhere a notebook's time goes (mean seconds per notebook, each worker's busy time; the kit's timers):")
    columns = ["kernel_start", "cells", "graders_other", "figures", "references", "nbgrader", "writer"]
    print(f"{'':26}{'assignment':24}" + "".join(f"{c:>14}" for c in columns) + f"{'plain':>9}")
    for name, by_assignment in figures["per_notebook_s"].items():
        for assignment, split in by_assignment.items():
            print(f"{name:26}{assignment:24}" + "".join(f"{split[c]:14.2f}" for c in columns)
                  + f"{figures['plain_per_notebook_s'][name][assignment]:9.2f}")
    print("  kernel_start: a spare taken, or a kernel started; graders_other: the graders but for their figures and "
          "references;\n  nbgrader: its own steps around the kernel (sanitize, gradebook, feedback's notebook, "
          "record); writer: the instructor's process writing the gradebook; plain: one plain execution, its kernel's "
          "start included")
