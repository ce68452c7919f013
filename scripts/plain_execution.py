"""The yardstick of ``make bench``'s class: the same submitted notebooks executed plainly, as students run them.

Each notebook runs once with nbclient (no graders, no confinement, no nbgrader), in a copy of its submitted
folder, on a kernel of its own started for it, as a student's Jupyter does; ``processes`` of them at a time,
as many as the class was graded on, from a pool started (and nbclient imported) before the clock starts, as
the grading workers of a standing cluster are.
"""

from __future__ import annotations

import multiprocessing
import shutil
import subprocess
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
from nbclient import NotebookClient

CELL_TIMEOUT = 300


def run_notebook(folder: str, notebook: str) -> float:
    """Seconds to execute ``notebook`` of ``folder`` in a copy of that folder (its kernel's start included)."""
    with tempfile.TemporaryDirectory(prefix="plain-run-") as scratch:
        workdir = Path(shutil.copytree(folder, Path(scratch) / "run"))
        nb = nbformat.read(workdir / notebook, as_version=4)
        started = time.perf_counter()
        # A plain kernel's stderr holds only ipykernel's warning that it talks over TCP.
        NotebookClient(nb, timeout=CELL_TIMEOUT, allow_errors=True, kernel_name="python3",
                       resources={"metadata": {"path": str(workdir)}}).execute(stderr=subprocess.DEVNULL)
        return time.perf_counter() - started


def _ready() -> None:
    """A pool process has started and imported this module (and nbclient)."""


class PlainPool:
    """``processes`` worker processes that execute notebooks plainly; a context manager."""

    def __init__(self, processes: int) -> None:
        self.processes = processes
        self._pool = ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn"))
        for ready in [self._pool.submit(_ready) for _ in range(processes)]:
            ready.result(timeout=120)

    def run(self, notebooks: list[tuple[Path, str]]) -> tuple[float, list[float]]:
        """Wall seconds to execute every (folder, notebook name), and each one's own seconds."""
        started = time.perf_counter()
        each = [f.result() for f in [self._pool.submit(run_notebook, str(folder), name) for folder, name in notebooks]]
        return time.perf_counter() - started, each

    def __enter__(self) -> PlainPool:
        return self

    def __exit__(self, *_: object) -> None:
        self._pool.shutdown(cancel_futures=True)
