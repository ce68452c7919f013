"""The two instructors the kit must serve: root, and an ordinary user with the course in their home.

``INSTRUCTORS`` runs a command as either.  Root runs it as it is.  The
ordinary user is created by the tests (``useradd``) and the command runs
through ``setpriv`` as that user, with no privilege left: bubblewrap then
builds the kernels' sandboxes in user namespaces, and no memory cgroup is
writable.  The test machine's Python lives under ``/root`` (pyenv, mode 0700),
which an ordinary user cannot reach; an instructor's own machine has a
readable Python.  So, and only so, the command runs in a mount namespace where
``/root`` is an empty folder with the Python installation (and the clone, if it
lies there) bound back read-only.  Nothing else differs from what that user
would run at their own terminal.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
USER = "ck-instructor"

# grade_class (what `make grade` runs) that reports its own memory peak on stderr: the grader's, not the kernels'.
MEASURED_GRADE_CLASS = (
    "import resource, runpy, sys\n"
    "sys.argv[0] = 'grade_class'\n"
    "try:\n"
    "    runpy.run_module('course_kit.instructor.grade_class', run_name='__main__')\n"
    "finally:\n"
    "    print(f'grader peak: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MiB', file=sys.stderr)\n"
)


@dataclass(frozen=True)
class Instructor:
    name: str
    user: str | None  # None: root, as the test runs

    def unavailable(self) -> str | None:
        """Why this instructor cannot be played here, or None."""
        if os.geteuid() != 0:
            return "the tests run as an ordinary user: neither root nor a second user can be played"
        if self.user and not (shutil.which("useradd") and shutil.which("setpriv") and shutil.which("bwrap")):
            return "useradd, setpriv or bwrap is missing"
        return None

    def home(self) -> Path:
        if self.user is None:
            raise ValueError("root keeps courses where the tests put them")
        return Path(pwd.getpwnam(self.user).pw_dir)

    def create(self) -> None:
        if self.user is None:
            return
        try:
            pwd.getpwnam(self.user)
        except KeyError:
            subprocess.run(["useradd", "--create-home", "--shell", "/bin/sh", self.user], check=True, timeout=120)

    def give(self, path: Path) -> None:
        """Make ``path`` (a course directory) this instructor's own, as if they had cloned it."""
        if self.user is not None:
            entry = pwd.getpwnam(self.user)
            subprocess.run(["chown", "-R", f"{entry.pw_uid}:{entry.pw_gid}", str(path)], check=True, timeout=300)

    def command(self, argv: Sequence[str], env: dict[str, str] | None = None) -> tuple[list[str], dict[str, str]]:
        """The command line and environment that run ``argv`` as this instructor (``env`` added to it)."""
        bin_dir = Path(sys.executable).parent
        full_env = {"PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}", "LANG": "C.UTF-8"}
        full_env |= {k: v for k, v in os.environ.items() if k.startswith(("TF_", "OPENBLAS_", "OMP_"))}
        command = list(argv)
        if self.user is not None:
            full_env["HOME"] = str(self.home())
            command = [*self._lend_python(), "setpriv", "--reuid", self.user, "--regid", self.user,
                       "--init-groups", "--", *command]
        return command, full_env | (env or {})

    def run(self, argv: Sequence[str], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        command, env = self.command(argv)
        return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)

    def grade_command(self, course: Path, assignment: str, *options: str) -> list[str]:
        """``make grade A=<assignment>`` in ``course``: its Python command, reporting the grader's peak."""
        return [sys.executable, "-c", MEASURED_GRADE_CLASS, assignment, "--course-dir", str(course), *options]

    def grade(self, course: Path, assignment: str, *options: str) -> subprocess.CompletedProcess[str]:
        """``make grade A=<assignment>`` in ``course`` (its Python command), reporting the grader's peak."""
        return self.run(self.grade_command(course, assignment, *options), cwd=course)

    @staticmethod
    def _lend_python() -> list[str]:
        """bwrap (as root, mounts only) that shows /root as an empty folder plus the paths Python needs."""
        lent = [Path(sys.base_prefix).resolve(), REPO]
        args = ["bwrap", "--dev-bind", "/", "/", "--perms", "0755", "--tmpfs", "/root"]
        for path in lent:
            if Path("/root") in path.parents:
                leading = [p for p in reversed(path.parents) if Path("/root") in p.parents]
                args += [arg for p in leading for arg in ("--perms", "0755", "--dir", str(p))]  # bwrap: 0700
                args += ["--ro-bind", str(path), str(path)]
        return [*args, "--die-with-parent", "--"]


ROOT = Instructor("root", None)
ORDINARY = Instructor("ordinary user", USER)
INSTRUCTORS = [ROOT, ORDINARY]


def peak_mib(run: subprocess.CompletedProcess[str]) -> int:
    line = next(line for line in run.stderr.splitlines() if line.startswith("grader peak: "))
    return int(line.split()[2])
