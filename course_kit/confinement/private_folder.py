"""The kernel's working folder: a private copy of the submission that nothing after the kernel trusts.

nbgrader runs the notebook in ``autograded/<student>/<assignment>``, then, as
the instructor (often root), writes the graded notebook there, changes the
files' permissions and copies them into ``feedback/``.  Had the kernel worked
in that folder, a notebook could leave a symlink in place of its own notebook
(or of any file) and have those steps write, chmod or copy *through* it:
another student's submission overwritten, ``gradebook.db`` replaced, a hidden
grader copied into the attacker's feedback.

So the kernel never sees that folder.  ``copy_into`` copies its directories and
regular files (never a link, a FIFO or a device: ``lstat`` decides, nothing is
followed) into a fresh folder the grader created and owns the path to; the
kernel works there, the grader reads from it only through descriptors
(``course_kit.grading.call_files``), and the whole folder is deleted, without
following links, when the kernel is gone.  ``left_behind`` names what a
notebook planted there that is not a plain file or folder, for the instructor.
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

_KINDS = {
    stat.S_IFLNK: "a symlink",
    stat.S_IFIFO: "a named pipe",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
}
MAX_LEFT_BEHIND = 5  # named in the report; the rest are counted


def kind(info: os.stat_result) -> str | None:
    """'a symlink', 'a named pipe', ... for what is neither a regular file nor a folder; None otherwise."""
    return _KINDS.get(stat.S_IFMT(info.st_mode))


def copy_into(source: Path, dest: Path, owner: tuple[int, int] | None = None) -> None:
    """Copy the folders and regular files of ``source`` into the new folder ``dest``; ``owner`` gets them all."""
    dest.mkdir(mode=0o755)
    for folder, dirs, files in os.walk(source, followlinks=False):
        target = dest / Path(folder).relative_to(source)
        for name in dirs:
            if stat.S_ISDIR(os.lstat(Path(folder) / name).st_mode):
                (target / name).mkdir(mode=0o755)
        for name in files:
            path = Path(folder) / name
            if stat.S_ISREG(os.lstat(path).st_mode):
                _copy_regular_file(path, target / name)
    if owner is not None:
        for folder, dirs, files in os.walk(dest, followlinks=False):
            for name in [".", *dirs, *files]:
                os.lchown(Path(folder) / name, *owner)


def _copy_regular_file(path: Path, dest: Path) -> None:
    # O_NOFOLLOW | O_NONBLOCK: a file swapped for a link or a FIFO since lstat is refused, never waited on.
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as src:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return
        with open(dest, "xb") as out:
            shutil.copyfileobj(src, out)


def left_behind(folder: Path) -> list[str]:
    """What in ``folder`` is neither a regular file nor a folder, e.g. "naive_loss.ipynb: a symlink"."""
    found: list[str] = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        for name in dirs + files:
            path = Path(root) / name
            try:
                what = kind(path.lstat())
            except FileNotFoundError:
                continue
            if what:
                found.append(f"{path.relative_to(folder)}: {what}")
    if len(found) > MAX_LEFT_BEHIND:
        found = [*found[:MAX_LEFT_BEHIND], f"and {len(found) - MAX_LEFT_BEHIND} more"]
    return found
