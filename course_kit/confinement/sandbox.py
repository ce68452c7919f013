"""The bubblewrap command line that confines one kernel, built from plain data.

Mount order is what makes it safe: the whole host read-only, then empty tmpfs
over every hidden path (the course directory, home folders, /run), then only
what the kernel needs re-bound on top: the Python environment read-only, its
runtime folder (connection file, ipc sockets) and its private working folder
read-write.  A later mount wins, so a bind that *contains* a hidden path would
uncover it: ``SandboxPlan.check`` refuses such a plan.

Hidden paths nest for an ordinary instructor: the course in ``~/course``, then
``~``, then ``/home``.  Each tmpfs would bury the one before it, which is then
no mount point for ``--remount-ro`` ("Can't remount readonly"), so only the
outermost of nested hidden paths gets a tmpfs (``outermost``): it hides the
inner ones with it.
"""

from __future__ import annotations

import fnmatch
import functools
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

# Namespaces and hardening common to every confined kernel (and to the preflight check).
ISOLATION = [
    "--unshare-net",  # no network: a loopback of its own, nothing else
    "--unshare-pid",  # sees and signals only its own processes
    "--unshare-ipc",
    "--unshare-uts",
    "--unshare-cgroup-try",
    "--die-with-parent",  # the grader dies -> the kernel dies
    "--new-session",  # no TIOCSTI into the grader's terminal
    "--cap-drop", "ALL",
    # ipykernel watches its parent's (host) pid, sees bwrap's pid 1 instead and quits; 1 turns the watch off
    # (--die-with-parent does that job) without the "Ctrl-C will not work" banner.
    "--setenv", "JPY_PARENT_PID", "1",
]


PRIVATE_TMPFS = (Path("/tmp"), Path("/dev/shm"))  # each an empty tmpfs of the kernel's own


class ConfinementError(RuntimeError):
    """The kernel cannot be confined as configured (it is not started)."""


@dataclass(frozen=True)
class SandboxPlan:
    bwrap: str
    workdir: Path  # the kernel's cwd: read-write
    runtime_dir: Path  # connection file and ipc sockets: read-write
    hidden: list[Path]  # each replaced by an empty tmpfs
    readonly: list[Path]  # re-bound read-only over the hidden ones (the Python environment)
    tmp_size_bytes: int  # size of the private /tmp and /dev/shm
    switch_user: bool  # the grader is root: keep CAP_SETUID/SETGID for launch.py to drop to an unprivileged uid
    extra_args: list[str] = field(default_factory=list)

    def check(self) -> None:
        """Refuse a plan in which a bind would uncover a hidden path, or that would hide the whole system."""
        if Path("/") in self.hidden:
            raise ConfinementError("refusing to hide / from the kernel: check hidden_paths and the course root")
        for bind in [self.workdir, self.runtime_dir, *self.readonly]:
            for hidden in self.hidden:
                if bind == hidden or bind in hidden.parents:
                    raise ConfinementError(
                        f"{bind} would be visible to the kernel and contains the hidden path {hidden}; "
                        "the kernel's working folder and Python environment must not contain hidden paths"
                    )

    def bwrap_args(self) -> list[str]:
        self.check()
        tmp = str(self.tmp_size_bytes)
        args = [
            self.bwrap,
            "--ro-bind", "/", "/",
            "--dev", "/dev",
            "--proc", "/proc",
            "--ro-bind", "/proc/sys", "/proc/sys",  # sysctls: never writable from inside
            "--perms", "1777", "--size", tmp, "--tmpfs", "/tmp",
            "--perms", "1777", "--size", tmp, "--tmpfs", "/dev/shm",
        ]
        hidden = outermost(self.hidden)
        for path in hidden:
            args += ["--tmpfs", str(path)]
        for path in self.readonly:
            args += self._parents(path) + ["--ro-bind", str(path), str(path)]
        args += self._parents(self.runtime_dir) + ["--bind", str(self.runtime_dir), str(self.runtime_dir)]
        args += self._parents(self.workdir) + ["--bind", str(self.workdir), str(self.workdir)]
        # The empty tmpfs over hidden paths and bwrap's /dev would otherwise take writes (into RAM, unbounded).
        for path in [*hidden, Path("/dev")]:
            args += ["--remount-ro", str(path)]
        args += ["--chdir", str(self.workdir)]
        args += ISOLATION + _user_args(self.switch_user) + self.extra_args
        return [*args, "--"]

    def _parents(self, path: Path) -> list[str]:
        """Create the folders leading to a bind inside a tmpfs as 0755 (bwrap would make them 0700)."""
        tmpfs = [*self.hidden, *PRIVATE_TMPFS]
        args: list[str] = []
        for parent in reversed(path.parents):
            if any(root in parent.parents for root in tmpfs):
                args += ["--perms", "0755", "--dir", str(parent)]
        return args


def outermost(paths: list[Path]) -> list[Path]:
    """``paths`` without those that lie inside another of them (in their order)."""
    return [p for p in paths if not any(other in p.parents for other in paths)]


def _user_args(switch_user: bool) -> list[str]:
    if switch_user:
        # bwrap runs as root and keeps the mounts out of the kernel's reach; launch.py uses these two
        # capabilities once, to become an unprivileged user, which clears them.
        return ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    # Not root: bwrap needs a user namespace anyway; forbid the kernel a nested one.
    return ["--unshare-user", "--disable-userns"]


@functools.lru_cache(maxsize=8)
def preflight(bwrap: str, switch_user: bool) -> str | None:
    """None if bwrap can build a sandbox with these namespaces here, else why not (bwrap's own words)."""
    command = [bwrap, "--ro-bind", "/", "/", "--proc", "/proc", *ISOLATION, *_user_args(switch_user), "--", "true"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=30)
    except OSError as error:
        return str(error)
    except subprocess.TimeoutExpired:
        return "bwrap did not finish a trivial sandbox within 30 s"
    if result.returncode != 0:
        return result.stderr.strip() or f"exit status {result.returncode}"
    return None


def filter_env(env: dict[str, str], patterns: list[str]) -> dict[str, str]:
    """The variables whose names match one of ``patterns`` (fnmatch): the grader's secrets stay outside."""
    return {name: value for name, value in env.items() if any(fnmatch.fnmatchcase(name, p) for p in patterns)}
