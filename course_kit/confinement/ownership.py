"""Lending the kernel's working folder to the unprivileged uid it runs as when the grader is root.

nbgrader (as root) creates ``autograded/<student>/<assignment>`` and copies the
submission into it; the kernel, running as e.g. ``nobody``, must be able to
write there.  ``lend`` hands the folder, its subfolders and its singly-linked
regular files to that uid, and ``Loan.give_back`` returns everything in the
tree to the original owner when the kernel is gone.  Symlinks are never
followed or changed (``lchown``, no walking into linked folders): a submitted
symlink to ``/etc/shadow`` stays a symlink owned by root, and so does what it
points to.  Files with several hard links are left alone for the same reason.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path


def _walk(root: Path):
    yield root
    for folder, dirs, files in os.walk(root, followlinks=False):
        for name in dirs + files:
            yield Path(folder) / name


def _lendable(info: os.stat_result) -> bool:
    return stat.S_ISDIR(info.st_mode) or (stat.S_ISREG(info.st_mode) and info.st_nlink == 1)


@dataclass
class Loan:
    root: Path
    owner: tuple[int, int]  # the folder's uid and gid before the loan
    mode: int  # the folder's permission bits before the loan

    def give_back(self) -> None:
        """Everything in the tree the kernel may have touched or created returns to the original owner."""
        for path in _walk(self.root):
            try:
                info = path.lstat()
                if _lendable(info) and (info.st_uid, info.st_gid) != self.owner:
                    os.lchown(path, *self.owner)
            except FileNotFoundError:
                continue
        os.chmod(self.root, self.mode)


def lend(root: Path, uid: int, gid: int) -> Loan:
    info = root.lstat()
    loan = Loan(root, (info.st_uid, info.st_gid), stat.S_IMODE(info.st_mode))
    for path in _walk(root):
        if _lendable(path.lstat()):
            os.lchown(path, uid, gid)
    # bwrap enters the folder as root without CAP_DAC_OVERRIDE: a 0700 folder of the new owner would shut it out.
    os.chmod(root, loan.mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return loan
