"""One memory cgroup per notebook: a single cap on the kernel and every process it starts, together.

rlimits are per process, so a notebook that forks could use its limits many
times over.  A cgroup counts the whole notebook: its processes, their page
tables and the files they write to its private in-memory ``/tmp``.  Past the
cap the kernel's OOM killer kills a process *of this notebook* (usually the
kernel itself), never the grader or another student's kernel; the cgroup also
lets the grader kill whatever the notebook left running when it is done.

The kernel joins the cgroup before bwrap starts (``join_command`` prefixes the
kernel command with a one-line shell that writes its own pid to
``cgroup.procs`` and execs), so nothing the notebook does escapes it.

Both cgroup versions are supported, under the grader's own cgroup, wherever they are mounted
(``/proc/self/mountinfo``):

- v1: ``<memory mount>/<own path>/course-kit-*``, ``memory.limit_in_bytes``
  (and ``memory.memsw.limit_in_bytes`` where swap is accounted);
- v2: ``<unified mount>/<own path>/course-kit-*``, ``memory.max`` and
  ``memory.swap.max``.  Where the grader's cgroup does not yet enable the memory
  controller for its children, a root grader enables it (``cgroup_delegation``:
  down from the hierarchy's root, the grader's own processes moved into a leaf
  cgroup first).  The v1 path is tested end to end (the kit's development and
  test machines have v1 memory cgroups); the v2 delegation is tested against the
  kernel with another controller, and its decisions against fake trees
  (tests/test_cgroup_delegation.py).

``available()`` prepares the cgroup (so it may delegate, once) and says why not
when neither works (not root, memory bound elsewhere, processes in the way): the
per-process rlimits then remain the only memory bounds.
"""

from __future__ import annotations

import os
import re
import signal
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from course_kit.confinement import cgroup_delegation

PREFIX = "course-kit-"
CGROUP_ROOT = Path("/sys/fs/cgroup")


def _own_paths() -> dict[str, str]:
    """Controller (or '' for v2) -> this process's cgroup path, from /proc/self/cgroup."""
    paths: dict[str, str] = {}
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        for name in controllers.split(",") if controllers else [""]:
            paths[name] = path
    return paths


@dataclass(frozen=True)
class Mount:
    point: Path
    root: str  # the cgroup the mount shows at its top ("/" unless a container bind-mounted its own)
    fstype: str  # "cgroup" (v1) or "cgroup2"
    options: frozenset[str]  # the superblock's: a v1 mount's controllers


def _cgroup_mounts(mountinfo: str | None = None) -> list[Mount]:
    """The cgroup mounts, from /proc/self/mountinfo (proc(5): the fields after " - " are fstype, source, options;
    spaces in paths are written as \\040)."""
    if mountinfo is None:
        mountinfo = Path("/proc/self/mountinfo").read_text()
    mounts = []
    for line in mountinfo.splitlines():
        before, _, after = line.partition(" - ")
        fields, (fstype, _source, options) = before.split(), after.split()[:3]
        if fstype in ("cgroup", "cgroup2"):
            root, point = (re.sub(r"\\([0-7]{3})", lambda m: chr(int(m[1], 8)), f) for f in fields[3:5])
            mounts.append(Mount(Path(point), root, fstype, frozenset(options.split(","))))
    return mounts


def _parent_dir() -> tuple[Path, int]:
    """The writable folder under which notebook cgroups go, and its cgroup version; OSError if none (why not)."""
    own, mounts, reasons = _own_paths(), _cgroup_mounts(), []
    for mount in mounts:
        if mount.fstype == "cgroup" and "memory" in mount.options and "memory" in own:  # v1 (or hybrid)
            folder = mount.point / os.path.relpath(own["memory"], mount.root)
            if (folder / "memory.limit_in_bytes").exists() and os.access(folder, os.W_OK):
                return folder, 1
            reasons.append(f"cgroup v1 memory folder {folder} is not writable")
    for mount in mounts:
        if mount.fstype == "cgroup2" and "" in own:
            try:
                folder = cgroup_delegation.own_folder(mount.point, mount.root, own[""])
                cgroup_delegation.prepare(mount.point, folder)
            except OSError as error:
                reasons.append(f"cgroup v2: {error}")
                continue
            if os.access(folder, os.W_OK):
                return folder, 2
            reasons.append(f"cgroup v2 folder {folder} is not writable")
    raise OSError("no writable memory cgroup (" + ("; ".join(reasons) or "no cgroup hierarchy mounted") + ")")


def available() -> str | None:
    """None if notebook cgroups can be made here, else why not.  Where the grader's cgroup v2 can be given the memory
    controller, this gives it (``cgroup_delegation``), once: later calls find it done."""
    try:
        _parent_dir()
    except OSError as error:
        return str(error)
    return None


@dataclass
class NotebookCgroup:
    path: Path
    version: int

    @classmethod
    def create(cls, limit_bytes: int) -> NotebookCgroup:
        parent, version = _parent_dir()
        _remove_stale(parent)
        # The grader's pid in the name: another grader running beside this one must not take the new, still
        # empty cgroup for a stale one and remove it before the kernel joins.
        path = parent / f"{PREFIX}{os.getpid()}-{uuid.uuid4().hex[:12]}"
        path.mkdir()
        cgroup = cls(path, version)
        try:
            if version == 1:
                (path / "memory.limit_in_bytes").write_text(str(limit_bytes))
                if (path / "memory.memsw.limit_in_bytes").exists():  # memory + swap: no escape into swap
                    (path / "memory.memsw.limit_in_bytes").write_text(str(limit_bytes))
            else:
                (path / "memory.max").write_text(str(limit_bytes))
                if (path / "memory.swap.max").exists():
                    (path / "memory.swap.max").write_text("0")
        except OSError:
            cgroup.remove()
            raise
        return cgroup

    def join_command(self, command: list[str]) -> list[str]:
        """``command``, run from inside this cgroup (the shell joins, then execs it)."""
        return ["/bin/sh", "-c", 'echo $$ > "$0" && exec "$@"', str(self.path / "cgroup.procs"), *command]

    def oom_kills(self) -> int:
        """How many processes of the notebook the OOM killer has killed for going over the limit."""
        name = "memory.oom_control" if self.version == 1 else "memory.events"
        try:
            for line in (self.path / name).read_text().splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill":
                    return int(value)
        except OSError:
            pass
        return 0

    def peak_bytes(self) -> int | None:
        """The most memory the notebook held at once (None where the kernel does not record it)."""
        name = "memory.max_usage_in_bytes" if self.version == 1 else "memory.peak"
        try:
            return int((self.path / name).read_text())
        except (OSError, ValueError):
            return None

    def kill_all(self, wait_s: float = 10) -> None:
        """SIGKILL every process still in the cgroup (children the notebook left behind) and wait for them."""
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            pids = _pids(self.path)
            if not pids:
                return
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.05)

    def remove(self) -> list[int]:
        """Kill what is left and remove the cgroup; the pids still in it after that (none, normally)."""
        self.kill_all()
        try:
            self.path.rmdir()
        except OSError:
            return _pids(self.path)  # still busy: _remove_stale retries on the next notebook
        return []


def _pids(path: Path) -> list[int]:
    try:
        return [int(pid) for pid in (path / "cgroup.procs").read_text().split()]
    except OSError:
        return []


def _remove_stale(parent: Path) -> None:
    """Empty cgroups left by a grader that was killed before it could remove them."""
    for path in parent.glob(f"{PREFIX}*"):
        if _grader_alive(path.name) or _pids(path):
            continue
        try:
            path.rmdir()
        except OSError:
            pass


def _grader_alive(name: str) -> bool:
    """Whether the grader that made cgroup ``name`` (course-kit-<pid>-<id>) is still running."""
    pid = name.removeprefix(PREFIX).split("-")[0]
    if not pid.isdigit():
        return False  # a name from before pids were recorded
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
