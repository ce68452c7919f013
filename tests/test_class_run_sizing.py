"""How many grading workers a class run starts, and what it prints while it runs."""

from __future__ import annotations

import os

from traitlets.config import Config

from course_kit.parallel.cluster import WORKER_PROCESS_MB, worker_count
from course_kit.parallel.progress import Progress

# The machine's available memory changes while the suite runs: each case sizes against one fixed amount.
AVAILABLE_MB = 24 * 1024
AVAILABLE = AVAILABLE_MB * 2**20


def _course_config(notebook_cap_mb: int, warm_kernels: bool = True) -> Config:
    config = Config()
    config.ConfinedKernelManager.notebook_memory_limit_mb = notebook_cap_mb
    if not warm_kernels:
        config.WarmKernels.enabled = False
    return config


def test_one_worker_per_core_by_default_when_memory_allows():
    cores = len(os.sched_getaffinity(0))
    assert worker_count(_course_config(1), available_bytes=AVAILABLE) == cores


def test_no_more_workers_than_memory_allows_at_the_notebook_cap():
    cap = AVAILABLE_MB // 2  # room for one notebook at its cap (and its worker), not two
    assert worker_count(_course_config(cap, warm_kernels=False), jobs=8, available_bytes=AVAILABLE) == 1
    three = int(AVAILABLE_MB / 3.5) - WORKER_PROCESS_MB  # room for three and a half: three
    assert worker_count(_course_config(three, warm_kernels=False), jobs=8, available_bytes=AVAILABLE) == 3


def test_a_worker_with_warm_kernels_counts_two_kernels_at_the_cap():
    """The notebook being graded and the spare started for the next one may both reach the cap."""
    per_worker = AVAILABLE_MB / 3.5  # three and a half workers of one kernel each, or fewer than two of two
    cap = int(per_worker) - WORKER_PROCESS_MB
    assert worker_count(_course_config(cap, warm_kernels=False), jobs=8, available_bytes=AVAILABLE) == 3
    assert worker_count(_course_config(cap), jobs=8, available_bytes=AVAILABLE) == 1
    # two kernels at half the cap fit as one did
    assert worker_count(_course_config(cap // 2), jobs=8, available_bytes=AVAILABLE) == 3


def test_a_chosen_number_of_workers_is_kept_within_memory():
    assert worker_count(_course_config(1), jobs=3, available_bytes=AVAILABLE) == 3
    assert worker_count(_course_config(AVAILABLE_MB), jobs=3, available_bytes=AVAILABLE) == 1  # memory wins


def test_without_a_terminal_each_finished_student_is_one_line(capsys):
    lines: list[str] = []
    progress = Progress(2, lines.append, bar=False)
    progress.finished("  alice  7 / 7")
    progress.finished("  bob    3 / 7")
    progress.close()
    assert lines == ["  alice  7 / 7", "  bob    3 / 7"]
    assert capsys.readouterr().err == ""  # no bar in a log file


def test_on_a_terminal_a_bar_counts_the_students_above_their_lines(capsys):
    lines: list[str] = []
    progress = Progress(2, lines.append, bar=True)
    progress.finished("  alice  7 / 7")
    progress.finished("  bob    3 / 7")
    progress.close()
    assert lines == ["  alice  7 / 7", "  bob    3 / 7"]
    bar = capsys.readouterr().err
    assert "2/2" in bar and "student" in bar and "<" in bar, bar  # the count, and the time left after "<"
