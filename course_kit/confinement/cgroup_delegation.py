"""Where the grader's cgroup v2 cannot yet give its children a memory controller, give it one (as root).

cgroup v2 hands a controller to a cgroup's children only when that cgroup names it in
``cgroup.subtree_control``, and only when its own parent hands it down in turn.  So the
notebook cgroups under the grader's own cgroup get ``memory.max`` only when every cgroup from
the hierarchy's root down to the grader's enables ``memory`` for its children.  Two things stand
in the way, and as root both can be removed:

- nobody enabled it: the grader's own cgroup (a container's root, a session scope) often has
  ``memory`` available (in ``cgroup.controllers``) but not enabled (``cgroup.subtree_control``);
- "no internal processes": a cgroup other than the hierarchy's true root that holds processes of
  its own may not enable a controller for children (the write fails with EBUSY).  The grader's
  own cgroup always holds processes: the grader's.  Its processes are moved first into a leaf
  child of their own, ``LEAF`` (what moby's ``hack/dind`` does at a container's root with
  ``/sys/fs/cgroup/init``, and systemd's ``DelegateSubgroup=`` does for a delegated unit);
  the notebook cgroups are then made beside that leaf.

``plan`` reads a hierarchy and says what must be done (or why it cannot be); ``prepare`` does it.
Ancestors above the grader's own cgroup are enabled only when they hold no process (a slice, a
container's parent): moving someone else's processes is not the kit's to do, and the reason
says so.  The memory controller must exist in this hierarchy at all: on a "hybrid" machine it is
bound to the v1 hierarchy instead (``/sys/fs/cgroup/memory``), and v1 is used.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

LEAF = "course-kit.leaf"  # the grader's processes, moved out of the cgroup the notebook cgroups go under
RETRIES = 5  # EBUSY again after a move: a process forked in between, moved on the next round


class Unavailable(OSError):
    """The controller cannot be delegated here; the message says why."""


@dataclass(frozen=True)
class Step:
    """``enable``: write ``+controller`` to the folder's ``cgroup.subtree_control``; ``leaf`` first moves the
    folder's processes into its ``LEAF`` child (and then enables)."""

    action: str  # "enable" | "leaf"
    folder: Path


def own_folder(mount: Path, mount_root: str, own: str) -> Path:
    """The folder of cgroup ``own`` (a path from /proc/self/cgroup) in a hierarchy mounted at ``mount`` whose
    mount shows the cgroup ``mount_root`` (/proc/self/mountinfo's root field; "/" unless bind-mounted).  A grader
    already moved into ``LEAF`` puts its notebook cgroups beside it, not inside."""
    try:
        relative = PurePosixPath(own).relative_to(PurePosixPath(mount_root))
    except ValueError:
        raise Unavailable(f"this process's cgroup {own} is outside the one mounted at {mount}, {mount_root}") from None
    if relative.name == LEAF:
        relative = relative.parent
    return mount / relative


def _words(path: Path) -> list[str]:
    try:
        return path.read_text().split()
    except FileNotFoundError:
        return []


def _is_true_root(folder: Path) -> bool:
    """The hierarchy's root cgroup has no ``cgroup.type``, and is exempt from the no-internal-processes rule."""
    return not (folder / "cgroup.type").exists()


def plan(mount: Path, folder: Path, controller: str = "memory") -> list[Step]:
    """What makes ``controller`` available to new children of ``folder`` (under ``mount``); Unavailable if nothing
    can.  Reads only: a fake tree of plain files (``cgroup.controllers``, ``cgroup.subtree_control``,
    ``cgroup.procs``, ``cgroup.type``) is planned for as the kernel's would be."""
    if controller not in _words(mount / "cgroup.controllers"):
        raise Unavailable(f"the {controller} controller is not in cgroup v2 at {mount} (cgroup.controllers: "
                          f"{' '.join(_words(mount / 'cgroup.controllers')) or 'none'}); on a hybrid machine it "
                          "is bound to the cgroup v1 hierarchy")
    chain = [mount, *reversed([p for p in folder.parents if p.is_relative_to(mount) and p != mount])]
    chain += [folder] if folder != mount else []
    steps = []
    for current in chain:
        if controller in _words(current / "cgroup.subtree_control"):
            continue
        if not _words(current / "cgroup.procs") or _is_true_root(current):
            steps.append(Step("enable", current))
        elif current == folder:
            steps.append(Step("leaf", current))
        else:
            raise Unavailable(f"{current} holds processes of its own, so it cannot enable {controller} for its "
                              "children (cgroup v2's no-internal-processes rule), and they are not the grader's "
                              "to move: give the grader a cgroup with memory delegated (e.g. systemd-run "
                              "--scope -p Delegate=yes, or a container with its own cgroup)")
    return steps


def prepare(mount: Path, folder: Path, controller: str = "memory") -> list[Step]:
    """Carry out ``plan``: afterwards new children of ``folder`` have ``controller``.  The steps taken; OSError
    (PermissionError when not root) if the kernel refused one."""
    steps = plan(mount, folder, controller)
    for step in steps:
        if step.action == "leaf":
            _enable_beside_a_leaf(step.folder, controller)
        else:
            (step.folder / "cgroup.subtree_control").write_text(f"+{controller}")
    return steps


def _enable_beside_a_leaf(folder: Path, controller: str) -> None:
    leaf = folder / LEAF
    leaf.mkdir(exist_ok=True)
    for _ in range(RETRIES):
        for pid in _words(folder / "cgroup.procs"):
            try:
                (leaf / "cgroup.procs").write_text(pid)  # one pid a write: the kernel takes no list
            except ProcessLookupError:
                pass  # it exited meanwhile
        try:
            (folder / "cgroup.subtree_control").write_text(f"+{controller}")
            return
        except OSError as error:
            if error.errno != errno.EBUSY:
                raise
    raise Unavailable(errno.EBUSY, f"{folder} kept getting new processes while they were moved to {LEAF}")
