"""A root grader on cgroup v2 gives its own cgroup the memory controller wherever the kernel allows it.

The decisions (``cgroup_delegation.plan``) are checked against fake cgroup trees of plain files, one per
kind of machine: a container's root, a systemd session, a hierarchy already delegated, a hybrid machine whose
memory controller is bound to v1, a parent holding processes that are not the grader's.  ``prepare`` is then
run against the real kernel's cgroup v2 hierarchy where this machine has one, with a controller that hierarchy
has: the memory controller on a v2 machine; on a hybrid (v1 memory) machine another one such as hugetlb, which
exercises the same delegation and the same no-internal-processes rule, but not memory.max itself.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from course_kit.confinement import notebook_cgroup
from course_kit.confinement.cgroup_delegation import LEAF, Step, Unavailable, own_folder, plan, prepare


def fake_tree(base: Path, cgroups: dict[str, dict]) -> Path:
    """A cgroup v2 hierarchy of plain files under ``base``: relative path -> its controllers, subtree_control,
    procs; ``true_root`` for the hierarchy's root (which has no cgroup.type).  The mount point."""
    for rel, c in cgroups.items():
        folder = base / rel
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "cgroup.controllers").write_text(c.get("controllers", "cpu io memory pids") + "\n")
        (folder / "cgroup.subtree_control").write_text(c.get("subtree", "") + "\n")
        (folder / "cgroup.procs").write_text("".join(f"{pid}\n" for pid in c.get("procs", [])))
        if not c.get("true_root", False):
            (folder / "cgroup.type").write_text("domain\n")
    return base


def test_a_containers_root_holding_the_grader_moves_it_into_a_leaf_first(tmp_path):
    """docker/podman with a cgroup namespace: the container's cgroup is its "/", holds every process, enables
    nothing; the memory controller is available."""
    mount = fake_tree(tmp_path, {".": {"procs": [1, 42]}})
    assert plan(mount, own_folder(mount, "/", "/")) == [Step("leaf", mount)]


def test_a_systemd_session_enables_memory_down_its_slices_and_leaves_its_scope(tmp_path):
    mount = fake_tree(tmp_path, {
        ".": {"true_root": True, "subtree": "cpu memory pids", "procs": [1]},  # the root may hold processes
        "user.slice": {"subtree": "memory"},
        "user.slice/user-0.slice": {"subtree": "pids"},  # memory not enabled for its children
        "user.slice/user-0.slice/session-3.scope": {"procs": [900, 901]},
    })
    folder = own_folder(mount, "/", "/user.slice/user-0.slice/session-3.scope")
    assert plan(mount, folder) == [Step("enable", folder.parent), Step("leaf", folder)]


def test_the_true_root_enables_memory_although_it_holds_processes(tmp_path):
    mount = fake_tree(tmp_path, {".": {"true_root": True, "procs": [1, 2, 3]}})
    assert plan(mount, mount) == [Step("enable", mount)]


def test_a_cgroup_already_delegated_needs_nothing(tmp_path):
    mount = fake_tree(tmp_path, {".": {"true_root": True, "subtree": "memory"}, "grader": {"subtree": "memory",
                                                                                             "procs": [7]}})
    assert plan(mount, mount / "grader") == []


def test_a_grader_already_moved_into_its_leaf_makes_its_cgroups_beside_the_leaf(tmp_path):
    mount = fake_tree(tmp_path, {".": {"true_root": True, "subtree": "memory"}, "grader": {"subtree": "memory"},
                                 f"grader/{LEAF}": {"procs": [7]}})
    folder = own_folder(mount, "/", f"/grader/{LEAF}")
    assert folder == mount / "grader" and plan(mount, folder) == []


def test_a_bind_mounted_cgroup_is_found_under_its_mount(tmp_path):
    """A container without a cgroup namespace: /proc/self/cgroup names the host's path, the mount shows only
    the container's cgroup (mountinfo's root field)."""
    assert own_folder(tmp_path, "/docker/abc", "/docker/abc/sub") == tmp_path / "sub"
    with pytest.raises(Unavailable, match="outside"):
        own_folder(tmp_path, "/docker/abc", "/elsewhere")


def test_memory_bound_to_cgroup_v1_is_not_delegated_in_v2(tmp_path):
    """A hybrid machine (this kit's test machines): cgroup v2 is mounted, memory belongs to the v1 hierarchy."""
    mount = fake_tree(tmp_path, {".": {"true_root": True, "controllers": "hugetlb"}})
    with pytest.raises(Unavailable, match="memory controller is not in cgroup v2.*bound to the cgroup v1"):
        plan(mount, mount)


def test_processes_that_are_not_the_graders_are_left_where_they_are(tmp_path):
    """A parent cgroup with processes of its own cannot enable memory; moving them is not the kit's to do."""
    mount = fake_tree(tmp_path, {".": {"true_root": True, "subtree": "memory"},
                                 "service": {"procs": [300]}, "service/grader": {"procs": [400]}})
    with pytest.raises(Unavailable, match="no-internal-processes"):
        plan(mount, mount / "service" / "grader")


def test_cgroup_mounts_are_read_from_mountinfo():
    mountinfo = (
        "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
        "41 31 0:38 /docker/a\\040b /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate\n"
        "23 1 0:21 / /sys rw - sysfs sysfs rw\n"
    )
    v1, v2 = notebook_cgroup._cgroup_mounts(mountinfo)
    assert (v1.point, v1.fstype, "memory" in v1.options) == (Path("/sys/fs/cgroup/memory"), "cgroup", True)
    assert (v2.point, v2.root, v2.fstype) == (Path("/sys/fs/cgroup/unified"), "/docker/a b", "cgroup2")


def _v2_mount() -> Path | None:
    return next((m.point for m in notebook_cgroup._cgroup_mounts() if m.fstype == "cgroup2"), None)


def _controller(mount: Path) -> str | None:
    """The memory controller if cgroup v2 has it here, else another domain controller it has (hugetlb on a
    hybrid machine) to exercise the same delegation with."""
    available = (mount / "cgroup.controllers").read_text().split()
    return next((c for c in ("memory", "hugetlb", "pids", "io", "cpu") if c in available), None)


V2 = _v2_mount()
WHY_NOT_REAL = ("not root" if os.geteuid() != 0 else "no cgroup v2 hierarchy mounted" if V2 is None
                else "cgroup v2 has no controller to delegate here" if _controller(V2) is None else None)


@pytest.mark.safety_feature("memory cap on cgroup v2: delegation run against the kernel", missing=WHY_NOT_REAL)
def test_a_cgroup_holding_processes_is_delegated_by_the_kernels_rules(tmp_path):
    """A scratch cgroup standing for the grader's (a process in it), under the hierarchy's root: the kernel
    refuses to enable the controller there while it holds that process, and ``prepare`` gets it enabled."""
    controller = _controller(V2)
    enabled_at_root = controller in (V2 / "cgroup.subtree_control").read_text().split()
    scratch = V2 / f"ck-delegation-test-{uuid.uuid4().hex[:8]}"
    grader = scratch / "grader"
    grader.mkdir(parents=True)
    sleeper = subprocess.Popen(["sleep", "600"])
    try:
        (grader / "cgroup.procs").write_text(str(sleeper.pid))
        try:
            steps = plan(V2, grader, controller)
        except Unavailable as why:  # e.g. a container's root cgroup: the suite's own processes are in it
            pytest.skip(f"scratch cgroups cannot be delegated under {V2}: {why}")
        assert steps[-1] == Step("leaf", grader)
        if controller not in (scratch / "cgroup.subtree_control").read_text().split():
            (V2 / "cgroup.subtree_control").write_text(f"+{controller}")
            (scratch / "cgroup.subtree_control").write_text(f"+{controller}")
        with pytest.raises(OSError) as refused:  # the rule is the kernel's, not the plan's invention
            (grader / "cgroup.subtree_control").write_text(f"+{controller}")
        assert refused.value.errno == errno.EBUSY

        assert prepare(V2, grader, controller) == [Step("leaf", grader)]
        assert (grader / LEAF / "cgroup.procs").read_text().split() == [str(sleeper.pid)]
        notebook = grader / "notebook"
        notebook.mkdir()
        assert any(p.name.startswith(f"{controller}.") for p in notebook.iterdir())  # the controller reached it
        (notebook / "cgroup.procs").write_text(str(sleeper.pid))  # and a process may join it
        assert prepare(V2, grader, controller) == []  # done once: nothing more to do
    finally:
        sleeper.kill()
        sleeper.wait(timeout=10)
        for folder in (grader / "notebook", grader / LEAF, grader, scratch):
            if folder.exists():
                folder.rmdir()
        if not enabled_at_root:
            try:
                (V2 / "cgroup.subtree_control").write_text(f"-{controller}")
            except OSError:
                pass  # another run beside this one still uses it


def _v2_memory_missing() -> str | None:
    if WHY_NOT_REAL is not None:
        return WHY_NOT_REAL
    if _controller(V2) != "memory":
        return f"the memory controller is bound to cgroup v1 on this machine, not in cgroup v2 at {V2}"
    return None


@pytest.mark.safety_feature("memory cap on cgroup v2 (memory.max)", missing=_v2_memory_missing())
def test_a_v2_notebook_cgroup_kills_what_goes_over_its_cap():
    """memory.max of a notebook cgroup made beside the grader's leaf: a process over it is OOM-killed, counted."""
    (mount,) = [m for m in notebook_cgroup._cgroup_mounts() if m.point == V2]
    folder = own_folder(V2, mount.root, notebook_cgroup._own_paths()[""])
    prepare(V2, folder)
    path = folder / f"{notebook_cgroup.PREFIX}{os.getpid()}-v2test"
    path.mkdir()
    cgroup = notebook_cgroup.NotebookCgroup(path, 2)
    try:
        (path / "memory.max").write_text(str(64 * 2**20))
        if (path / "memory.swap.max").exists():
            (path / "memory.swap.max").write_text("0")
        hog = "b = bytearray(256 * 2**20); b[::4096] = bytes(len(b[::4096]))"
        run = subprocess.run(cgroup.join_command([sys.executable, "-c", hog]), timeout=120)
        assert run.returncode == -9 and cgroup.oom_kills() >= 1
    finally:
        assert cgroup.remove() == []
