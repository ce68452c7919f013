"""Where a class is graded: a Dask ``LocalCluster`` of worker processes sized to this machine, or a cluster.

Each worker is a process with one thread: it grades one notebook at a time,
and each notebook's kernel is its own confined process, started (and its
imports done) while the notebook before it is graded (``warm_kernels``).  How
many workers by default: one per core, but never more than the memory allows
at the per-notebook cap (``ConfinedKernelManager.notebook_memory_limit_mb``)
for the two kernels a worker may hold, plus what a worker process itself
holds, so that every notebook may reach its cap at once without the machine
running out.  ``jobs`` chooses the number, still within memory.

Every cluster speaks TLS with client certificates (``cluster_security``): the
local one with a key made for the run, in memory, every comm and HTTP server
on 127.0.0.1, the HTTP servers with no routes.  With ``scheduler``
(``tls://host:8786``) the class is graded on an existing Dask cluster started
with TLS (``dask scheduler`` and ``dask worker`` processes; a ``tcp://``
address is refused): its workers must see the course directory at the same
path (shared storage), have bubblewrap and this kit installed.  Each worker
keeps its temporaries in a 0700 folder of its own (``private_temp``).  A worker that dies mid-task has its task
run again elsewhere by the scheduler (``distributed.scheduler.allowed-failures``
times, then ``KilledWorker``).
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import tempfile
import threading
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dask
import psutil
from distributed import Client, LocalCluster, WorkerPlugin
from distributed.security import Security
from traitlets.config import Config

from course_kit.confinement import ConfinedKernelManager
from course_kit.confinement.warm_kernels import SPARES
from course_kit.grading.private_temp import process_private_temp
from course_kit.parallel.cluster_security import SILENT_HTTP, local_security, standing_security

MB = 1024 * 1024
WORKER_PROCESS_MB = 512  # a grading worker itself: nbgrader, the pytest graders, their references


def notebook_cap_mb(config: Config) -> int:
    """The per-notebook memory cap the course sets (0: none)."""
    default = ConfinedKernelManager.class_traits()["notebook_memory_limit_mb"].default()
    return int(config.get("ConfinedKernelManager", {}).get("notebook_memory_limit_mb", default))


def kernels_per_worker(config: Config) -> int:
    """A worker holds its notebook's kernel and, with warm kernels (on unless the course turns them off), the
    next notebook's spare (``warm_kernels``)."""
    return 1 if config.get("WarmKernels", {}).get("enabled", True) is False else 2


def worker_count(config: Config, jobs: int | None = None, available_bytes: int | None = None) -> int:
    """``jobs`` (default: the cores this process may use), at most as many as memory allows at the notebook cap
    (``available_bytes``, default: what the machine has available now)."""
    wanted = jobs or len(os.sched_getaffinity(0))
    per_worker = (max(notebook_cap_mb(config), 0) * kernels_per_worker(config) + WORKER_PROCESS_MB) * MB
    if available_bytes is None:
        available_bytes = psutil.virtual_memory().available
    by_memory = available_bytes // per_worker
    return max(1, min(wanted, by_memory))


LOOPBACK = "127.0.0.1"
LOCAL_WORKER = "COURSE_KIT_LOCAL_WORKER"  # set in the environment of a local cluster's worker processes


def local_cluster(workers: int, security: Security | None = None, scratch: Path | None = None) -> LocalCluster:
    """``workers`` processes of one thread each, and their scheduler, in this process: TLS with ``security``
    (default: a key of its own), on loopback, no dashboard, HTTP servers that answer nothing; Dask's scratch
    space in ``scratch`` (default: the temporary folder, a grading run's own)."""
    # Dask starts the scheduler's and each worker's HTTP server whatever the dashboard setting: routes are taken
    # from the configuration when each server starts (the nannies hand it on to their worker processes).
    # The scheduler's takes a free port, not 8787, which another cluster may hold.
    # silence_logs: Dask's own log lines of the scheduler and the workers say nothing the kit does not report itself
    # (a worker killed mid-notebook is a KilledWorker, graded again; a notebook's trouble is in its record), and at
    # a run's end, or on Ctrl-C, a worker whose heartbeat meets the closing scheduler logs a CommClosedError
    # traceback at ERROR level above the run's lines: only CRITICAL gets through.
    # The scheduler's scratch space follows Dask's temporary-directory, which a user's Dask configuration may set
    # outside the run's folder (it would stay there after the run): point it at the same folder as the workers'.
    scratch = scratch or Path(tempfile.gettempdir())
    with dask.config.set({**SILENT_HTTP, "temporary-directory": str(scratch)}), _children_ignore_ctrl_c():
        return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, protocol="tls://",
                            host=LOOPBACK, security=security or local_security(), dashboard_address=None,
                            worker_dashboard_address=None, scheduler_kwargs={"dashboard_address": f"{LOOPBACK}:0"},
                            local_directory=str(scratch), silence_logs=logging.CRITICAL,
                            env={LOCAL_WORKER: "1"})


@contextmanager
def _children_ignore_ctrl_c() -> Iterator[None]:
    """Start the worker processes with SIGINT ignored (kept across ``exec``): Ctrl-C at the terminal reaches the
    whole process group, and the grader alone answers it (it stops the cluster, ``grade_class`` says what was
    graded), rather than every worker printing its own traceback.  A Ctrl-C in these few seconds of start-up
    is lost; the next one stops the run.  Kernels are unaffected: they run in sessions of their own and set
    their own SIGINT handler (it is how a cell is interrupted)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class GradingWorker(WorkerPlugin):
    """A worker's temporaries in a 0700 folder of its own (``private_temp``), and its spare kernel
    (``warm_kernels``) shut down when the worker closes, rather than at its exit."""

    name = "course-kit-grading-worker"

    def setup(self, worker: Any) -> None:
        process_private_temp()  # the same folder for every run: another run may be using it right now
        if os.environ.get(LOCAL_WORKER) and threading.current_thread() is threading.main_thread():
            # A local worker started again after its process died was spawned outside _children_ignore_ctrl_c.
            signal.signal(signal.SIGINT, signal.SIG_IGN)

    def teardown(self, worker: Any) -> Awaitable[None]:
        return asyncio.get_running_loop().run_in_executor(None, SPARES.close)  # it waits on the kernel


@contextmanager
def dask_client(workers: int, scheduler: str | None = None, security: Security | None = None) -> Iterator[Client]:
    """A client of the TLS cluster at ``scheduler`` (``security``: the client's credentials, by default from Dask's
    configuration; ``InsecureCluster`` for a scheduler without TLS), or of a new local cluster of ``workers``
    processes."""
    if scheduler:
        with Client(scheduler, security=security or standing_security(scheduler)) as client:
            client.register_plugin(GradingWorker())
            yield client
        return
    security = local_security()
    with local_cluster(workers, security) as cluster, Client(cluster, security=security) as client:
        client.register_plugin(GradingWorker())
        yield client
