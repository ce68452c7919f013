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
from typing import BinaryIO

_KINDS = {
    stat.S_IFLNK: "a symlink",
    stat.S_IFIFO: "a named pipe",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
}
MAX_NAMED = 5  # entries named in a report; the rest are counted


def kind(info: os.stat_result) -> str | None:
    """'a symlink', 'a named pipe', ... for what is neither a regular file nor a folder; None otherwise."""
    return _KINDS.get(stat.S_IFMT(info.st_mode))


def open_regular_file(path: Path) -> BinaryIO:
    """``path`` opened for reading; OSError if it is a link (O_NOFOLLOW) or not a regular file.

    O_NONBLOCK: a FIFO is refused at once, never waited on."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    file = os.fdopen(fd, "rb")
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        file.close()
        raise OSError(f"{path.name} is not a regular file")
    return file


def not_plain(folder: Path, max_file_bytes: int | None = None) -> list[tuple[str, str]]:
    """(path relative to ``folder``, what it is) for each entry that is neither a folder nor a regular file,
    or (given ``max_file_bytes``) is a larger regular file.  ``lstat`` only: nothing is opened or followed."""
    found = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        for name in dirs + files:
            path = Path(root) / name
            try:
                info = path.lstat()
            except FileNotFoundError:
                continue
            what = kind(info)
            if what is None and max_file_bytes is not None and stat.S_ISREG(info.st_mode) \
                    and info.st_size > max_file_bytes:
                what = f"a file of {info.st_size / 2**20:.0f} MiB (over {max_file_bytes >> 20} MiB)"
            if what:
                found.append((str(path.relative_to(folder)), what))
    return found


def first_few(items: list[str]) -> list[str]:
    """The first MAX_NAMED items, then how many more."""
    return items if len(items) <= MAX_NAMED else [*items[:MAX_NAMED], f"and {len(items) - MAX_NAMED} more"]


def copy_into(source: Path, dest: Path, owner: tuple[int, int] | None = None, into_existing: bool = False) -> None:
    """Copy the folders and regular files of ``source`` into the new folder ``dest``; ``owner`` gets them all.

    ``into_existing``: ``dest`` exists already (the working folder of a kernel started before its notebook was
    known); a name that is there already is an error, never overwritten."""
    if not into_existing:
        dest.mkdir(mode=0o755)
    for folder, dirs, files in os.walk(source, followlinks=False):
        target = dest / Path(folder).relative_to(source)
        for name in dirs:
            if stat.S_ISDIR(os.lstat(Path(folder) / name).st_mode):
                (target / name).mkdir(mode=0o755)
        for name in files:
            try:
                src = open_regular_file(Path(folder) / name)  # links, FIFOs, devices: not copied
            except OSError:
                continue
            with src, open(target / name, "xb") as out:
                shutil.copyfileobj(src, out)
    if owner is not None:
        for folder, dirs, files in os.walk(dest, followlinks=False):
            for name in [".", *dirs, *files]:
                os.lchown(Path(folder) / name, *owner)


def left_behind(folder: Path) -> list[str]:
    """What in ``folder`` is neither a regular file nor a folder, e.g. "naive_loss.ipynb: a symlink"."""
    return first_few([f"{path}: {what}" for path, what in not_plain(folder)])
