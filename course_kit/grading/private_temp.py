"""One folder, readable by the grading user alone, that holds every temporary file of a grading run.

A run's temporaries hold what other users of the machine must not see: the
kernels' working folders (copies of the notebooks being graded), the
graders' call folders (every argument a hidden grader passes), the private
gradebook copies, Dask's scratch space.  Rather than a mode on each of them,
the run makes one folder (``mkdtemp``: 0700) and points ``TMPDIR`` and
``tempfile.tempdir`` at it for its duration, so that everything made with
``tempfile`` (by the kit, nbgrader, Jupyter, Dask), in this process and in
the processes it starts, lies inside; modes inside no longer matter to
other users.  A run killed with -9 leaves that one folder (``ck-run-*``).

The kernel reaches its own folders even so: the sandbox covers the temporary
folder with a tmpfs of its own, re-binding only the kernel's working and
runtime folders (``ConfinedKernelManager``), so a kernel that runs as
``nobody`` never traverses this 0700 folder on the host.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.util import Finalize
from pathlib import Path

PREFIX = "ck-run-"
# Kernels bind ipc sockets below a run's folder (confined-kernel-*/runtime/...), whose paths may not pass 107
# bytes: the folder's path stays under ConfinedKernelManager's 60 characters.
MAX_PARENT_CHARS = 60 - len(PREFIX) - 9


def temp_parent() -> Path:
    """Where a run's folder goes: the temporary folder, or /tmp when that path is too long for ipc sockets."""
    parent = tempfile.gettempdir()
    return Path(parent if len(parent) <= MAX_PARENT_CHARS else "/tmp")


@contextmanager
def private_temp() -> Iterator[Path]:
    """A new 0700 folder as this process's TMPDIR (and its children's) while the block runs; removed after."""
    folder = Path(tempfile.mkdtemp(prefix=PREFIX, dir=temp_parent()))
    restore = _point_temp_at(folder)
    try:
        yield folder
    finally:
        restore()
        shutil.rmtree(folder, ignore_errors=True)  # symlink-safe: never deletes through a link


def _point_temp_at(folder: Path):
    saved_env, saved_tempdir = os.environ.get("TMPDIR"), tempfile.tempdir
    os.environ["TMPDIR"] = str(folder)
    tempfile.tempdir = str(folder)

    def restore() -> None:
        tempfile.tempdir = saved_tempdir
        if saved_env is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = saved_env

    return restore


_PROCESS_TEMP: list[Path] = []


def process_private_temp() -> Path:
    """This process's own 0700 TMPDIR from now until it exits, made at the first call (a Dask worker's: its
    plugin may be set up once per grading run, and two runs may share the worker at once)."""
    if not _PROCESS_TEMP and _is_private(Path(tempfile.gettempdir())):
        _PROCESS_TEMP.append(Path(tempfile.gettempdir()))  # a local worker of a run: its folder, already
    if not _PROCESS_TEMP:
        folder = Path(tempfile.mkdtemp(prefix=PREFIX, dir=temp_parent()))
        _point_temp_at(folder)
        _PROCESS_TEMP.append(folder)
        # multiprocessing's exit hook runs in its children (a nanny's worker) as well as at a main process's exit.
        Finalize(None, shutil.rmtree, args=(folder,), kwargs={"ignore_errors": True}, exitpriority=0)
    return _PROCESS_TEMP[0]


def _is_private(folder: Path) -> bool:
    """``folder`` is this user's, and no one else may enter it."""
    info = os.stat(folder)
    return info.st_uid == os.geteuid() and stat.S_IMODE(info.st_mode) & 0o077 == 0
