"""Where a class is graded: a Dask ``LocalCluster`` of worker processes sized to this machine, or a cluster.

Each worker is a process with one thread: it grades one notebook at a time,
and each notebook's kernel is its own confined process.  How many workers by
default: one per core, but never more than the memory allows at the
per-notebook cap (``ConfinedKernelManager.notebook_memory_limit_mb``, plus
what a worker process itself holds), so that every notebook may reach its cap
at once without the machine running out.  ``jobs`` chooses the number, still
within memory.

With ``scheduler`` (``tcp://host:8786``) the class is graded on an existing
Dask cluster (``dask scheduler`` and ``dask worker`` processes): its workers
must see the course directory at the same path (shared storage), have
bubblewrap and this kit installed.  A worker that dies mid-task has its task
run again elsewhere by the scheduler (``distributed.scheduler.allowed-failures``
times, then ``KilledWorker``).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager

import psutil
from distributed import Client, LocalCluster
from traitlets.config import Config

from course_kit.confinement import ConfinedKernelManager

MB = 1024 * 1024
WORKER_PROCESS_MB = 512  # a grading worker itself: nbgrader, the pytest graders, their references


def notebook_cap_mb(config: Config) -> int:
    """The per-notebook memory cap the course sets (0: none)."""
    default = ConfinedKernelManager.class_traits()["notebook_memory_limit_mb"].default()
    return int(config.get("ConfinedKernelManager", {}).get("notebook_memory_limit_mb", default))


def worker_count(config: Config, jobs: int | None = None) -> int:
    """``jobs`` (default: the cores this process may use), at most as many as memory allows at the notebook cap."""
    wanted = jobs or len(os.sched_getaffinity(0))
    per_worker = (max(notebook_cap_mb(config), 0) + WORKER_PROCESS_MB) * MB
    by_memory = psutil.virtual_memory().available // per_worker
    return max(1, min(wanted, by_memory))


def local_cluster(workers: int) -> LocalCluster:
    """``workers`` processes of one thread each, and their scheduler, in this process; no dashboard."""
    # The scheduler's HTTP server (health checks) takes a free port, not 8787, which another cluster may hold.
    # silence_logs: a worker that takes more than 4 s to exit once the class is graded is killed, with a warning.
    return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                        scheduler_kwargs={"dashboard_address": ":0"}, silence_logs=logging.ERROR)


@contextmanager
def dask_client(workers: int, scheduler: str | None = None) -> Iterator[Client]:
    """A client of the cluster at ``scheduler``, or of a new local cluster of ``workers`` processes."""
    if scheduler:
        with Client(scheduler) as client:
            yield client
        return
    with local_cluster(workers) as cluster, Client(cluster) as client:
        yield client
