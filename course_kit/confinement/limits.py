"""A confined kernel's resource limits: the rlimits it starts under, and, when it ends abnormally, which one
(or which other cause) ended it, in words for the student."""

from __future__ import annotations

import signal

from course_kit.confinement.settings import ConfinementSettings

CPU_GRACE_S = 5  # SIGXCPU at the limit, SIGKILL this much later (for a kernel that ignores SIGXCPU)
MB = 2**20


def rlimits(settings: ConfinementSettings) -> dict[str, tuple[int, int]]:
    """``{"RLIMIT_DATA": (soft, hard), ...}`` for ``launch``; -1 is no limit."""

    def cap(value: int, unit: int = 1, grace: int = 0) -> tuple[int, int]:
        return (value * unit, (value + grace) * unit) if value > 0 else (-1, -1)

    return {
        "RLIMIT_DATA": cap(settings.process_data_limit_mb, MB),
        "RLIMIT_AS": cap(settings.address_space_limit_mb, MB),
        "RLIMIT_CPU": cap(settings.cpu_time_limit_s, grace=CPU_GRACE_S),
        "RLIMIT_NPROC": cap(settings.max_processes),
        "RLIMIT_FSIZE": cap(settings.file_size_limit_mb, MB),
        "RLIMIT_CORE": (0, 0),
    }


def exit_reason(code: int | None, oom_killed: bool, settings: ConfinementSettings) -> str | None:
    """Why a kernel (its bwrap process) that exited with ``code`` ended; None if it was shut down normally.

    ``oom_killed``: the notebook's cgroup saw an out-of-memory kill."""
    if code is None or code == 0 or code < 0:  # running, clean exit, or bwrap stopped by the grader itself
        return None
    if oom_killed:
        return (
            f"the notebook went over its memory limit ({settings.notebook_memory_limit_mb} MiB for the kernel and "
            "every process it started) and the system killed it"
        )
    if code > 128:
        signum = code - 128
        if signum == signal.SIGXCPU:
            return f"the notebook used up its CPU time limit ({settings.cpu_time_limit_s} s)"
        if signum == signal.SIGKILL:
            return (
                "the kernel was killed (SIGKILL): CPU time limit exceeded after SIGXCPU was ignored, "
                "or the machine ran out of memory"
            )
        return f"the kernel died of signal {signal.Signals(signum).name}"
    return f"the kernel exited with status {code}"
