"""The kernel's private working folder and the sandbox plan's hidden paths (no bubblewrap needed)."""

import os
from pathlib import Path

from course_kit.confinement.private_folder import copy_into, left_behind
from course_kit.confinement.sandbox import SandboxPlan, outermost


def test_only_folders_and_regular_files_are_copied_and_nothing_is_followed(tmp_path: Path):
    source = tmp_path / "autograded"
    (source / "data").mkdir(parents=True)
    (source / "nb.ipynb").write_text("{}")
    (source / "data" / "x.csv").write_text("1,2")
    secret = tmp_path / "gradebook.db"
    secret.write_text("grades")
    (source / "link.txt").symlink_to(secret)
    (source / "linked_dir").symlink_to(tmp_path)
    os.mkfifo(source / "pipe")
    copy_into(source, tmp_path / "private")
    copied = sorted(str(p.relative_to(tmp_path / "private")) for p in (tmp_path / "private").rglob("*"))
    assert copied == ["data", "data/x.csv", "nb.ipynb"]


def test_what_a_notebook_plants_is_named(tmp_path: Path):
    (tmp_path / "nb.ipynb").symlink_to("/etc/shadow")
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "plain.txt").write_text("fine")
    assert sorted(left_behind(tmp_path)) == ["nb.ipynb: a symlink", "pipe: a named pipe"]


def test_nested_hidden_paths_get_one_tmpfs_each_outermost_only():
    hidden = [Path("/home/ann/course"), Path("/home/ann"), Path("/home"), Path("/root"), Path("/run")]
    assert outermost(hidden) == [Path("/home"), Path("/root"), Path("/run")]
    plan = SandboxPlan(bwrap="bwrap", workdir=Path("/tmp/rt/work"), runtime_dir=Path("/tmp/rt"), hidden=hidden,
                       readonly=[Path("/home/ann/course/.venv")], tmp_size_bytes=2**20, switch_user=False)
    args = plan.bwrap_args()
    tmpfs = [args[i + 1] for i, a in enumerate(args) if a == "--tmpfs"]
    remounted = [args[i + 1] for i, a in enumerate(args) if a == "--remount-ro"]
    assert "/home/ann/course" not in tmpfs and "/home/ann" not in tmpfs and "/home" in tmpfs
    assert "/home/ann/course" not in remounted and "/home" in remounted  # each one still a mount point
