"""Spare kernels: the next notebook's confined kernel, started and warmed while the current one is graded.

A worker grades a class one notebook after another.  Every notebook needs a
kernel: bubblewrap, ipykernel, then the imports of its first cell (numpy in a
fraction of a second, TensorFlow in seconds).  A student pays that once; a
grader would pay it for every notebook of the class, one after another.  So,
when a notebook takes its kernel, ``SpareKernels`` starts the next one in a
background thread and imports there, silently, the modules the course names
for that assignment (``WarmKernels.imports``); the next notebook of the same
kind finds it ready.

Each spare serves exactly one notebook, and no student's code runs in it
before it is handed over:

- it is a new kernel process in a new sandbox (its own /tmp, pid namespace,
  memory cgroup and working folder), never a kernel some notebook used;
- its only history is the warm-up, run silent and outside the history, whose
  imports bind no name in the notebook's namespace (``importlib.import_module``,
  not ``import``): what a notebook can see differs from a cold kernel's only
  in ``sys.modules`` and in time;
- its working folder stays empty until it is taken; the submission's files are
  copied in then (``ConfinedKernelManager.lend_copy_of``);
- it is used only if it was started with the very confinement a cold kernel
  for that notebook would get (``ConfinedKernelManager.confinement_key``), the
  same kernel and arguments, and the same imports; otherwise it is shut down
  and the notebook gets a cold kernel.

What a course must not warm: a module the notebook configures before importing
it (``os.environ["KERAS_BACKEND"] = ...`` then ``import keras``).  Variables
the sandbox passes on (``env_passthrough``: ``TF_*``, ``KERAS_*``) are the
same for the warm-up as for the notebook.

A spare that waits longer than ``idle_seconds`` is shut down; ``close`` shuts
down the one left at the end of a run (a grading worker calls it on teardown).
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jupyter_core.utils import run_sync
from traitlets import Bool, Dict, Float, List, Unicode
from traitlets.config import Config, Configurable

from course_kit.confinement.confined_kernel import ConfinedKernelManager

LOG = logging.getLogger(__name__)
WARM_UP_TIMEOUT = 120  # seconds for a spare to start and import its modules (TensorFlow: ~3 s on 2 cores)


class WarmKernels(Configurable):
    enabled = Bool(
        False,
        help="Start each notebook's kernel while the notebook before it is graded (class grading turns this on "
             "for its workers; a single autograde gains nothing from it).",
    ).tag(config=True)
    imports = Dict(
        value_trait=List(Unicode()), default_value={},
        help="Assignment -> modules imported in its spare kernels ahead of the notebook, in place of "
             "default_imports. Never a module the notebook configures before importing it.",
    ).tag(config=True)
    default_imports = List(Unicode(), default_value=["numpy"], help="Modules warmed for other assignments.").tag(
        config=True)
    idle_seconds = Float(300.0, help="A spare not taken within this time is shut down.").tag(config=True)

    def imports_for(self, assignment: str) -> tuple[str, ...]:
        return tuple(self.imports.get(assignment, self.default_imports))


@dataclass(frozen=True)
class KernelOrder:
    """The kernel one notebook needs: how its manager is made and started, and what to import ahead."""

    manager_class: type[ConfinedKernelManager]
    config: Config = field(compare=False)
    kernel_name: str
    extra_arguments: tuple[str, ...]
    imports: tuple[str, ...]
    confinement: tuple = ()  # ConfinedKernelManager.confinement_key under ``config``

    @classmethod
    def of(cls, manager_class: type[ConfinedKernelManager], config: Config, kernel_name: str,
           extra_arguments: list[str], imports: tuple[str, ...]) -> KernelOrder:
        key = manager_class(config=config, kernel_name=kernel_name).confinement_key()
        return cls(manager_class, config, kernel_name, tuple(extra_arguments), imports, key)


def warm_up_code(modules: tuple[str, ...]) -> str:
    """Imports that leave no name behind: one expression statement per module, run silently."""
    return "\n".join(f"__import__('importlib').import_module({name!r})" for name in modules)


async def _start_and_warm(manager: ConfinedKernelManager, order: KernelOrder) -> None:
    await manager.start_kernel(extra_arguments=list(order.extra_arguments))
    client = manager.client()
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=WARM_UP_TIMEOUT)
        if order.imports:
            reply = await client.execute_interactive(
                warm_up_code(order.imports), silent=True, store_history=False, timeout=WARM_UP_TIMEOUT,
                output_hook=lambda message: None,  # e.g. a library's start-up notice: nobody's output
            )
            if reply["content"]["status"] != "ok":
                raise RuntimeError(f"the warm-up imports failed: {reply['content'].get('ename')}: "
                                   f"{reply['content'].get('evalue')}")
    finally:
        client.stop_channels()
        # Made on this thread's event loop: the notebook's client will make its own on the grading thread's.
        manager._close_control_socket()


def _start(order: KernelOrder) -> ConfinedKernelManager:
    manager = order.manager_class(config=order.config, kernel_name=order.kernel_name)
    try:
        asyncio.run(_start_and_warm(manager, order))
    except BaseException:
        _shut_down(manager)
        raise
    if not manager.confined:  # an unconfined kernel has no working folder of its own to lend
        _shut_down(manager)
        raise RuntimeError("the spare kernel is not confined")
    return manager


def _shut_down(manager: ConfinedKernelManager) -> None:
    try:
        if manager.has_kernel:
            run_sync(manager.shutdown_kernel)(now=True)
        else:
            run_sync(manager.cleanup_resources)()
    except Exception as error:  # a spare nobody uses: never worth failing a grading run for
        LOG.warning("Could not shut down a spare kernel cleanly: %s", error)


def _shut_down_started(started: Future) -> None:
    if not started.cancelled() and started.exception() is None:
        _shut_down(started.result())


@dataclass
class _Spare:
    order: KernelOrder
    started: Future
    since: float = field(default_factory=time.monotonic)


class SpareKernels:
    """At most one spare kernel, for the kind of notebook taken last; thread-safe.

    Its kernels live only as long as its starter thread: bubblewrap's ``--die-with-parent`` is the death
    signal of the parent *thread*, which a collected SpareKernels lets end.  So keep one for the process
    (``SPARES``), not one per notebook."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._spare: _Spare | None = None
        self._starter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="spare-kernel")
        self._idle_timer: threading.Timer | None = None
        self.served = 0  # notebooks that got a spare, for the tests and the benchmark
        # Orders whose spare could not start (a module missing, kernels unconfined), not tried again, and why.
        self.failed: dict[KernelOrder, str] = {}
        # Whether another notebook is expected after the one taking a kernel now: a grading worker knows (its
        # next task is queued), and starting a spare nobody takes costs a kernel's start at the end of a run.
        self.more_expected: Callable[[], bool] = lambda: True

    def take(self, order: KernelOrder, folder: Path, idle_seconds: float = 300.0) -> ConfinedKernelManager | None:
        """A started, warmed kernel working in a copy of ``folder`` if the spare fits ``order``, else None;
        either way the next spare, for ``order``, starts now (if another notebook is expected and spares of
        this kind have not failed)."""
        with self._lock:
            spare, self._spare = self._spare, None
        manager = self._fitting(spare, order, idle_seconds) if spare is not None else None
        if order not in self.failed and self.more_expected():
            # Started after waiting for the last one: the starter runs one start at a time anyway.
            with self._lock:
                self._spare = _Spare(order, self._starter.submit(_start, order))
                self._retire_after(idle_seconds)
        if manager is None:
            return None
        try:
            manager.lend_copy_of(folder)
        except OSError as error:
            LOG.warning("Could not lend %s to a spare kernel (%s); starting a fresh one", folder, error)
            _shut_down(manager)
            return None
        self.served += 1
        return manager

    def _fitting(self, spare: _Spare, order: KernelOrder, idle_seconds: float) -> ConfinedKernelManager | None:
        """The spare's manager if it fits ``order`` and its kernel is alive; otherwise it is shut down."""
        if spare.order != order or time.monotonic() - spare.since >= idle_seconds:
            spare.started.add_done_callback(_shut_down_started)  # no need to wait for it
            return None
        manager = self._result(spare)
        if manager is not None and not run_sync(manager.is_alive)():
            _shut_down(manager)
            return None
        return manager

    @property
    def holds_spare(self) -> bool:
        """A spare is started or starting."""
        return self._spare is not None

    def close(self) -> None:
        """Shut down the spare, if any (the end of a grading run)."""
        with self._lock:
            spare, self._spare = self._spare, None
            if self._idle_timer is not None:
                self._idle_timer.cancel()
        if spare is not None:
            manager = self._result(spare)
            if manager is not None:
                _shut_down(manager)

    def _retire_after(self, seconds: float) -> None:
        if self._idle_timer is not None:
            self._idle_timer.cancel()
        self._idle_timer = threading.Timer(seconds, self.close)
        self._idle_timer.daemon = True
        self._idle_timer.start()

    def _result(self, spare: _Spare) -> ConfinedKernelManager | None:
        try:
            return spare.started.result(timeout=WARM_UP_TIMEOUT + 30)
        except Exception as error:
            self.failed[spare.order] = str(error)
            LOG.warning("A spare kernel could not be started (%s); notebooks like this one get fresh kernels",
                        error)
            return None


SPARES = SpareKernels()  # one per process: a grading worker grades one notebook at a time
atexit.register(SPARES.close)


def spare_for(config: Config, assignment: str, manager_class: Any, kernel_name: str, extra_arguments: list[str],
              folder: Path) -> ConfinedKernelManager | None:
    """The process's spare kernel for this notebook when warm kernels are on and it fits, else None."""
    settings = WarmKernels(config=config)
    if not settings.enabled or not isinstance(manager_class, type) \
            or not issubclass(manager_class, ConfinedKernelManager):
        return None
    order = KernelOrder.of(manager_class, config, kernel_name, extra_arguments, settings.imports_for(assignment))
    return SPARES.take(order, folder, settings.idle_seconds)
