"""A Jupyter kernel manager that runs each student notebook inside a bubblewrap sandbox.

What it defends against: a submission is untrusted code that the instructor's
machine runs during ``nbgrader autograde``.  Under this manager it cannot

- reach the network: the kernel has a network namespace of its own (a private
  loopback, nothing else), so a connection fails at once ("Network is
  unreachable"; "Connection refused" for the host's own 127.0.0.1 services);
  the kernel and nbgrader talk over ipc sockets in a per-kernel folder;
- read the course: the course directory (``graders/``, ``gradebook.db``, the
  configuration, ``source/``, ``release/``, the exchange, every other student's
  ``submitted/``, ``autograded/``, ``feedback/`` folders) and home folders are
  covered by empty tmpfs mounts, then only the Python environment (read-only)
  and the kernel's runtime folder are bound back;
- touch anything the grader later trusts: the kernel does not work in
  nbgrader's ``autograded/<student>/<assignment>`` but in a private copy of it
  (``private_folder``) beside its runtime folder, in a folder of the grader's
  that the sandbox does not show, deleted with the kernel: a symlink it plants
  there is never written, chmod-ed or copied through, and it cannot swap either
  folder itself for one;
- write anywhere but that private folder and a private, size-capped ``/tmp``;
- see or signal other processes, or keep running after the grader dies (own
  pid namespace, ``--die-with-parent``), or take the grader's environment
  variables (only ``env_passthrough`` names are passed on);
- act as root: when the grader runs as root the kernel runs as ``sandbox_uid``
  (default ``nobody``) in a user namespace of its own, with no capabilities;
  otherwise it runs as the grading user, in a user namespace, with none;
- exhaust the machine: a memory cgroup caps the whole notebook (kernel, children
  and private ``/tmp`` together; ``notebook_cgroup``), and rlimits cap each of
  its processes: private memory (RLIMIT_DATA), address space (RLIMIT_AS: one
  absurd allocation is a ``MemoryError`` the student sees, not a kill), CPU
  seconds (RLIMIT_CPU: SIGXCPU, then SIGKILL 5 s later), task count
  (RLIMIT_NPROC, threads included, counted in its own namespace) and file size
  (RLIMIT_FSIZE).  nbgrader's per-cell ``Execute.timeout`` still applies
  (interrupts go through the control channel: signals cannot cross the
  sandbox's session boundary), and ``ExecuteWithGraders.notebook_time_limit``
  bounds the whole notebook's wall-clock time, hence its CPU time.

Limits of the defence: without a writable memory cgroup (not root, or cgroup
v2 without delegation) memory is capped per process only, so a notebook that
forks can use up to ``max_processes`` times it (a warning is logged); disk use
in the working folder is bounded per file, not in total; the kernel still
sees the rest of the host's files that its uid may read (read-only).  When the grader runs as
root, a file it makes for the kernel to write must be handed to the kernel's uid
(``course_kit.grading.call_files`` does this for the graders' answer files).
Files the notebook writes in its working folder are not kept: graders get
answers through calls, never by reading files the kernel left.

Without a working ``bwrap`` (e.g. macOS, or a container that forbids
namespaces) the manager refuses to start the kernel, unless the instructor
sets ``allow_unconfined = True``: then kernels run unconfined and every start
logs a warning.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from jupyter_client.manager import AsyncKernelManager

from course_kit.confinement import launch
from course_kit.confinement.limits import MB, exit_reason, rlimits
from course_kit.confinement.notebook_cgroup import NotebookCgroup
from course_kit.confinement.private_folder import copy_into, left_behind
from course_kit.confinement.sandbox import PRIVATE_TMPFS, ConfinementError, SandboxPlan, filter_env, preflight
from course_kit.confinement.settings import ConfinementSettings

LAUNCH_SOURCE = Path(launch.__file__).read_text()

OPT_OUT = "c.ConfinedKernelManager.allow_unconfined = True"
REFUSAL = "Student notebooks are only run confined"  # grade_class looks for it: no student can be graded


class ConfinedKernelManager(ConfinementSettings, AsyncKernelManager):
    """Starts each kernel inside bubblewrap under ``ConfinementSettings``; see the module docstring."""

    # -- state -------------------------------------------------------------------

    _confined: bool = False
    _home: Path | None = None  # the grader's folder holding _runtime and _workdir (confined only)
    _runtime: Path | None = None
    _workdir: Path | None = None  # the kernel's cwd: a private copy of nbgrader's when confined
    _cgroup: NotebookCgroup | None = None
    _warned_no_cgroup = False  # class-wide: say it once per grading run, not once per notebook
    last_exit_reason: str | None = None  # set when a confined kernel is cleaned up after ending abnormally
    last_left_behind: list[str] = []  # links, FIFOs, devices the notebook left in its working folder
    last_memory_peak_mb: float | None = None  # the notebook cgroup's peak, set when it is removed

    @property
    def kernel_cwd(self) -> Path | None:
        """The kernel's working folder, the same path for the kernel and the grader (None before start)."""
        return self._workdir

    @property
    def confined(self) -> bool:
        """The kernel was started inside the sandbox (False before start, and when run unconfined)."""
        return self._confined

    def confinement_key(self) -> tuple:
        """Everything of this manager's configuration that shapes a kernel's sandbox, as one comparable value.

        Two managers with equal keys confine their kernels alike, so a kernel started by one (a spare, started
        before its notebook was known: ``warm_kernels``) may serve the other.  Hidden paths inside /tmp are left
        out: the sandbox's /tmp is a private tmpfs, so they are out of sight whatever the plan (a grading
        worker's private gradebook copy lives there, at a new path for every student)."""
        settings = tuple((name, repr(getattr(self, name)))
                         for name in sorted(ConfinementSettings.class_trait_names(config=True)))
        hidden = tuple(str(p) for p in self._hidden_paths() if not _inside_private_tmp(p))
        env = tuple(sorted(self._kernel_env(None).items()))
        return settings, hidden, tuple(map(str, self._readonly_paths())), env, self._as_root()

    def lend_copy_of(self, folder: Path) -> None:
        """Copy ``folder`` (nbgrader's autograded/<student>/<assignment>) into the working folder of a kernel that
        was started without one.  Only for a kernel that has run none of a student's code yet: its folder is
        still empty, and the copy is handed to the kernel's uid as ``_prepare`` would have."""
        if not self._confined or self._workdir is None:
            raise ConfinementError("only a confined kernel started without a working folder can be lent one")
        kernel_owner = (self.sandbox_uid, self.sandbox_gid) if self._as_root() else None
        copy_into(folder, self._workdir, kernel_owner, into_existing=True)

    @staticmethod
    def _as_root() -> bool:
        return os.geteuid() == 0

    def confinement_problem(self) -> str | None:
        """None if kernels can be confined here, else why not."""
        if not sys.platform.startswith("linux"):
            return f"bubblewrap needs Linux (this is {sys.platform})"
        bwrap = shutil.which(self.bwrap_path)
        if bwrap is None:
            return f"bubblewrap not found (bwrap_path = {self.bwrap_path!r})"
        problem = preflight(bwrap, self._as_root())
        return None if problem is None else f"bubblewrap cannot build a sandbox here: {problem}"

    # -- start -----------------------------------------------------------------------

    async def _async_pre_start_kernel(self, **kw: Any) -> tuple[list[str], dict[str, Any]]:
        if self._runtime is None:  # not a restart
            problem = self.confinement_problem()
            if problem is None:
                self._confined = True
                self._prepare(kw)
            elif self.allow_unconfined:
                self._confined = False
                self._make_runtime()
                self.log.warning(
                    "STUDENT CODE RUNS UNCONFINED: %s, and %s is set. This kernel can read the gradebook and "
                    "the hidden graders, use the network and exhaust this machine.", problem, OPT_OUT,
                )
            else:
                raise ConfinementError(
                    f"{problem}. {REFUSAL}: install bubblewrap "
                    f"(Debian/Ubuntu: apt-get install bubblewrap), or, to grade without any confinement at your "
                    f"own risk, set {OPT_OUT} in course_config.py."
                )
        if self._confined:
            kw["env"] = self._kernel_env(kw.get("env"))
            kw["cwd"] = str(self._workdir)
        elif self._workdir is None and kw.get("cwd"):
            self._workdir = Path(kw["cwd"])
        return await super()._async_pre_start_kernel(**kw)

    async def _async_start_kernel(self, **kw: Any) -> None:
        try:
            await super()._async_start_kernel(**kw)
        except BaseException:
            self._release()  # the runtime folder and cgroup go even if the kernel never started
            raise

    start_kernel = _async_start_kernel  # type: ignore[assignment]

    def _make_runtime(self) -> None:
        """The grader's folder for this kernel, holding the runtime folder (connection file, ipc sockets).

        ipc even unconfined: a tcp kernel listens on the host's loopback and logs "Kernel is running over TCP
        without encryption" (ipykernel) on its stderr, never in a cell (cells get only iopub), at every start."""
        # mkdtemp's 0700: no other user reaches the notebook's copy or the graders' calls.  bwrap binds from the
        # host as the grader (the owner); inside the sandbox the folders leading to the two binds lie in a tmpfs
        # (the private /tmp, or the temporary folder hidden: _hidden_paths), so the kernel's uid never
        # traverses this folder.
        self._home = Path(tempfile.mkdtemp(prefix="confined-kernel-", dir=_kernels_parent())).resolve()
        self._runtime = self._home / "runtime"
        self._runtime.mkdir(mode=0o711)
        self.transport = "ipc"
        self.ip = str(self._runtime / "ipc")
        self.connection_file = str(self._runtime / "kernel.json")

    def _prepare(self, kw: dict[str, Any]) -> None:
        # The grader's folder holds the kernel's two: the runtime folder and the working folder.  Only those
        # two are bound into the sandbox, so the kernel can change what is in them but can never swap either
        # for a symlink the grader would then follow.
        self._make_runtime()
        kernel_owner = (self.sandbox_uid, self.sandbox_gid) if self._as_root() else None
        self._workdir = self._home / "work"
        try:
            if kw.get("cwd"):  # nbgrader's autograded/<student>/<assignment>: copied, never lent
                copy_into(Path(kw["cwd"]), self._workdir, kernel_owner)
            else:
                self._workdir.mkdir()
            self._plan().check()
        except (ConfinementError, OSError):
            self._release()
            raise
        # Signals sent to bwrap's process group do not reach a kernel in its own session.
        if self.kernel_spec is not None:
            self.kernel_spec.interrupt_mode = "message"
        self._cgroup = self._make_cgroup()
        if kernel_owner is not None:
            os.chown(self._runtime, *kernel_owner)
            os.chown(self._workdir, *kernel_owner)

    def _make_cgroup(self) -> NotebookCgroup | None:
        if self.notebook_memory_limit_mb <= 0:
            return None
        try:
            return NotebookCgroup.create(self.notebook_memory_limit_mb * MB)
        except OSError as problem:  # no writable memory cgroup here (see notebook_cgroup)
            if not ConfinedKernelManager._warned_no_cgroup:
                ConfinedKernelManager._warned_no_cgroup = True
                self.log.warning(
                    "No per-notebook memory cap (%s): each process of a notebook is capped at process_data_limit_mb, "
                    "but a notebook that forks can use that many times over.", problem,
                )
            return None

    def _course_paths(self) -> list[str]:
        """The course root, plus the exchange and the gradebook's folder where they are configured outside it."""
        config = self.config
        if self.course_root:
            paths = [self.course_root]
        elif "CourseDirectory" in config and "root" in config.CourseDirectory:
            paths = [config.CourseDirectory.root]
        else:
            paths = [os.getcwd()]  # nbgrader's own default for CourseDirectory.root
        if "Exchange" in config and "root" in config.Exchange:
            paths.append(config.Exchange.root)
        db_url = config.CourseDirectory.get("db_url", "") if "CourseDirectory" in config else ""
        if db_url.startswith("sqlite:///"):
            paths.append(os.path.dirname(db_url.removeprefix("sqlite:///")))
        return paths

    def _hidden_paths(self) -> list[Path]:
        hidden: list[Path] = []
        kernels = [] if _inside_private_tmp(_kernels_parent()) else [_kernels_parent()]  # its own binds come back
        for raw in [*self._course_paths(), *self.hidden_paths, *kernels]:
            path = Path(raw).expanduser().resolve()
            if path.exists() and path not in hidden:
                hidden.append(path)
        return hidden

    def _readonly_paths(self) -> list[Path]:
        readonly: list[Path] = []
        for raw in [sys.prefix, sys.base_prefix, *self.readonly_paths]:
            path = Path(raw).resolve()
            if path.exists() and path not in readonly:
                readonly.append(path)
        return readonly

    def _plan(self) -> SandboxPlan:
        assert self._runtime is not None and self._workdir is not None
        return SandboxPlan(
            bwrap=shutil.which(self.bwrap_path) or self.bwrap_path,
            workdir=self._workdir,
            runtime_dir=self._runtime,
            hidden=self._hidden_paths(),
            readonly=self._readonly_paths(),
            tmp_size_bytes=self.tmp_size_mb * MB,
            switch_user=self._as_root(),
            extra_args=list(self.extra_bwrap_args),
        )

    def _kernel_env(self, env: dict[str, str] | None) -> dict[str, str]:
        kept = filter_env(dict(os.environ if env is None else env), list(self.env_passthrough))
        return {**kept, "HOME": "/tmp", "TMPDIR": "/tmp"}

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        command = super().format_kernel_cmd(extra_arguments)
        if not self._confined:
            return command
        as_root = self._as_root()
        plan = {
            "uid": self.sandbox_uid if as_root else None,
            "gid": self.sandbox_gid if as_root else None,
            "rlimits": rlimits(self),
        }
        launcher = [sys.executable, "-I", "-S", "-c", LAUNCH_SOURCE, json.dumps(plan)]
        confined = [*self._plan().bwrap_args(), *launcher, *command]
        return confined if self._cgroup is None else self._cgroup.join_command(confined)

    def write_connection_file(self, **kwargs: Any) -> None:
        super().write_connection_file(**kwargs)
        if self._confined and self._as_root() and os.path.exists(self.connection_file):
            os.chown(self.connection_file, self.sandbox_uid, self.sandbox_gid)

    # -- end ---------------------------------------------------------------------------

    def exit_reason(self) -> str | None:
        """Why a confined kernel that is no longer running ended, in words (None if it was shut down normally)."""
        process = getattr(self.provisioner, "process", None)
        code = None if process is None else process.poll()
        return exit_reason(code, self._cgroup is not None and bool(self._cgroup.oom_kills()), self)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        if self._confined and not restart and self._runtime is not None:
            self.last_exit_reason = self.exit_reason()
            if self.last_exit_reason:
                self.log.error("Confined kernel ended abnormally: %s", self.last_exit_reason)
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            self._release()

    cleanup_resources = _async_cleanup_resources  # type: ignore[assignment]

    def _release(self) -> None:
        if self._cgroup is not None:  # also kills what the notebook left running
            peak = self._cgroup.peak_bytes()
            if peak is not None:  # what an instructor needs to set notebook_memory_limit_mb
                self.last_memory_peak_mb = round(peak / MB, 1)
                self.log.info("Notebook memory peak: %.0f MiB of %d", peak / MB, self.notebook_memory_limit_mb)
            survivors = self._cgroup.remove()
            if survivors:
                self.log.error("Processes of this notebook survived SIGKILL for 10 s: %s", survivors)
            self._cgroup = None
        if self._home is not None:
            if self._workdir is not None and self._workdir.is_dir() and not self._workdir.is_symlink():
                self.last_left_behind = left_behind(self._workdir)
                if self.last_left_behind:
                    self.log.warning("The notebook left in its working folder (ignored): %s",
                                     "; ".join(self.last_left_behind))
            shutil.rmtree(self._home, ignore_errors=True)  # unlinks links, never follows them
            self._home = None
        self._runtime = None


def _inside_private_tmp(path: Path) -> bool:
    """The sandbox mounts a private tmpfs on /tmp and /dev/shm (``SandboxPlan.bwrap_args``)."""
    return any(path == root or root in path.parents for root in PRIVATE_TMPFS)


def _kernels_parent() -> Path:
    """Where kernels' folders are made: the temporary folder, or /tmp when its path is too long for ipc sockets."""
    parent = tempfile.gettempdir() if len(tempfile.gettempdir()) < 60 else "/tmp"
    return Path(parent).resolve()
