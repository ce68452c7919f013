"""The last step inside the sandbox, just before the kernel: drop privileges, set limits, exec.

bwrap runs this file's source with the grader's Python (``python -I -S -c
<source> <plan> <kernel argv...>``); it imports nothing from the kit, because
the kit lives in the course directory, which the sandbox hides.  ``plan`` is
JSON with three keys:

- ``uid``/``gid``: when the grader runs as root, become this unprivileged user
  (bwrap leaves CAP_SETUID/CAP_SETGID for this step only; the switch to a
  non-zero uid clears every capability), then enter a fresh user namespace of
  one's own.  Linux never enforces RLIMIT_NPROC on uid 0, and counts it per
  user *per user namespace*, so this makes the process bound both effective
  and private to this one kernel.
- ``rlimits``: ``{"RLIMIT_DATA": [soft, hard], ...}``, -1 for unlimited; set
  last, after the namespace exists, so that only this kernel's tasks count
  towards RLIMIT_NPROC.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import sys

CLONE_NEWUSER = 0x10000000
PR_SET_DUMPABLE = 4


def become(uid: int, gid: int) -> None:
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)
    libc = ctypes.CDLL(None, use_errno=True)
    # setuid made the process non-dumpable, which gives /proc/self to root: take it back to write the maps.
    libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)
    if libc.unshare(CLONE_NEWUSER) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"unshare(CLONE_NEWUSER): {os.strerror(errno)}")
    with open("/proc/self/setgroups", "w") as f:
        f.write("deny")
    with open("/proc/self/uid_map", "w") as f:
        f.write(f"{uid} {uid} 1")
    with open("/proc/self/gid_map", "w") as f:
        f.write(f"{gid} {gid} 1")


def main(argv: list[str]) -> None:
    plan = json.loads(argv[0])
    command = argv[1:]
    if plan.get("uid") is not None:
        become(plan["uid"], plan["gid"])
    for name, (soft, hard) in plan["rlimits"].items():
        infinity = resource.RLIM_INFINITY
        resource.setrlimit(getattr(resource, name), (infinity if soft < 0 else soft, infinity if hard < 0 else hard))
    os.execvp(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
