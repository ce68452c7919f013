"""The folder through which arguments and answers cross between a grader and a kernel.

It sits in the kernel's working folder, the one place a confined kernel can
surely reach.  That working folder belongs to the kernel (under confinement it
is lent to an unprivileged uid), so the kernel could rename this folder and put
a symlink in its place, hoping the grader, possibly root, writes or reads
through it.  Therefore:

- the grader opens the folder once, right after creating it, and does every
  read and write relative to that descriptor (``dir_fd``, ``O_NOFOLLOW``): a
  rename or a symlink later changes nothing on the grader's side;
- the folder belongs to the grader and is not writable by the kernel, which
  can only fill the answer files the grader created for it (and handed to
  the kernel's uid);
- an answer that is empty, or larger than ``MAX_ANSWER_BYTES``, is refused.

The folder's name and each call's file names are random (a hidden folder ``.<random>``, files
``<random token>-<n>.npy``): nothing in them is the same from one grading to the next, so code
that looks for a fixed name to tell a grader's call from its own checks finds none (what it can
still tell, and why that is harmless, is in ``student_kernel``'s docstring).
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from pathlib import Path

MAX_ANSWER_BYTES = 64 * 2**20

_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW


class AnswerTooLarge(Exception):
    pass


class CallFiles:
    def __init__(self, parent: Path | None = None) -> None:
        path = tempfile.mkdtemp(prefix=".", dir=parent)  # hidden, named at random
        self._fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        os.fchmod(self._fd, 0o755)  # the kernel may read the arguments, not add files
        self.path = Path(path)
        owner = os.stat(self.path.parent)
        # A root grader hands answer files to the uid the kernel's working folder was lent to.
        self._kernel_owner = (owner.st_uid, owner.st_gid) if os.geteuid() == 0 and owner.st_uid != 0 else None

    def new_call(self) -> str:
        """A fresh call's name, random: its files are ``<name><suffix>`` in this folder.

        Not a folder per call: creating one took ~0.7 ms on a 2-core test machine, against a ~5 ms round trip.
        """
        return secrets.token_hex(8)

    def kernel_path(self, name: str) -> str:
        """Where the kernel finds ``name`` (the kernel uses plain paths)."""
        return str(self.path / name)

    def write(self, name: str, data: bytes) -> None:
        with os.fdopen(os.open(name, _NEW_FILE, 0o644, dir_fd=self._fd), "wb") as file:
            file.write(data)

    def answer_file(self, name: str) -> str:
        """Create the empty file the kernel is to write its answer into; return the kernel's path to it."""
        fd = os.open(name, _NEW_FILE, 0o644, dir_fd=self._fd)
        try:
            if self._kernel_owner:
                os.fchown(fd, *self._kernel_owner)
        finally:
            os.close(fd)
        return self.kernel_path(name)

    def read_answer(self, name: str) -> bytes | None:
        """The answer's bytes, or None when the kernel wrote nothing."""
        try:
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=self._fd)
        except FileNotFoundError:
            return None
        with os.fdopen(fd, "rb") as file:
            size = os.fstat(file.fileno()).st_size
            if size > MAX_ANSWER_BYTES:
                raise AnswerTooLarge(f"the answer is larger than {MAX_ANSWER_BYTES >> 20} MiB")
            return file.read(size) or None

    def close(self) -> None:
        os.close(self._fd)
        shutil.rmtree(self.path, ignore_errors=True)  # symlink-safe: never deletes through a link
