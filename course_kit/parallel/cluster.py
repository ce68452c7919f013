"""Where a class is graded: a Dask ``LocalCluster`` of worker processes sized to this machine, or a cluster.

Each worker is a process with one thread: it grades one notebook at a time,
and each notebook's kernel is its own confined process, started (and its
imports done) while the notebook before it is graded (``warm_kernels``).  How
many workers by default: one per core, but never more than the memory allows
at the per-notebook cap (``ConfinedKernelManager.notebook_memory_limit_mb``)
for the two kernels a worker may hold, plus what a worker process itself
holds, so that every notebook may reach its cap at once without the machine
running out.  ``jobs`` chooses the number, still within memory.

With ``scheduler`` (``tcp://host:8786``) the class is graded on an existing
Dask cluster (``dask scheduler`` and ``dask worker`` processes): its workers
must see the course directory at the same path (shared storage), have
bubblewrap and this kit installed.  A worker that dies mid-task has its task
run again elsewhere by the scheduler (``distributed.scheduler.allowed-failures``
times, then ``KilledWorker``).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from typing import Any

import psutil
from distributed import Client, LocalCluster, WorkerPlugin
from traitlets.config import Config

from course_kit.confinement import ConfinedKernelManager
from course_kit.confinement.warm_kernels import SPARES

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


def local_cluster(workers: int) -> LocalCluster:
    """``workers`` processes of one thread each, and their scheduler, in this process; no dashboard."""
    # The scheduler's HTTP server (health checks) takes a free port, not 8787, which another cluster may hold.
    # silence_logs: a worker that takes more than 4 s to exit once the class is graded is killed, with a warning.
    return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                        scheduler_kwargs={"dashboard_address": ":0"}, silence_logs=logging.ERROR)


class CloseSpareKernels(WorkerPlugin):
    """Shuts down a worker's spare kernel (``warm_kernels``) when the worker closes, rather than at its exit."""

    name = "course-kit-close-spare-kernels"

    def teardown(self, worker: Any) -> Awaitable[None]:
        return asyncio.get_running_loop().run_in_executor(None, SPARES.close)  # it waits on the kernel


@contextmanager
def dask_client(workers: int, scheduler: str | None = None) -> Iterator[Client]:
    """A client of the cluster at ``scheduler``, or of a new local cluster of ``workers`` processes."""
    if scheduler:
        with Client(scheduler) as client:
            client.register_plugin(CloseSpareKernels())
            yield client
        return
    with local_cluster(workers) as cluster, Client(cluster) as client:
        client.register_plugin(CloseSpareKernels())
        yield client
