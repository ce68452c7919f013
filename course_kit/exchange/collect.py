"""``nbgrader collect`` that copies a submission's symlinks as symlinks and skips FIFOs and devices.

Stock collect copies each student's inbound folder with ``shutil.copytree``,
which follows links: run by the instructor (often root), a link a student put
in a shared exchange would copy the file it names (``/etc/shadow``, another
course's gradebook) into ``submitted/``, a link to ``/dev/zero`` would fill the
disk, and a FIFO would abort the whole collect.  Here links stay links, so
``make grade`` sees them and refuses that submission with the reason
(``course_kit.instructor.submission_checks``); FIFOs, sockets and devices are left out with
a warning.  Everything else is stock nbgrader (ignore patterns, size limits).
"""

from __future__ import annotations

import os
import shutil
import stat

from nbgrader.exchange.default.collect import ExchangeCollect
from nbgrader.utils import ignore_patterns


class CollectWithoutFollowingLinks(ExchangeCollect):
    def do_copy(self, src: str, dest: str, log=None) -> None:
        stock = ignore_patterns(exclude=self.coursedir.ignore, include=self.coursedir.include,
                                max_file_size=self.coursedir.max_file_size, log=self.log)

        def ignore(directory: str, names: list[str]) -> list[str]:
            ignored = set(stock(directory, names))
            for name in names:
                mode = os.lstat(os.path.join(directory, name)).st_mode
                if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode) or stat.S_ISLNK(mode)):
                    self.log.warning("Not collected (not a regular file): %s", os.path.join(directory, name))
                    ignored.add(name)
            return sorted(ignored)

        size, limit = self.get_size(src), 1000 * self.coursedir.max_dir_size  # as stock: links not counted
        if size > limit:
            raise RuntimeError(f"Directory size is too big. Size is {size}, maximum size is {limit}")
        shutil.copytree(src, dest, symlinks=True, ignore=ignore)
        if self.coursedir.groupshared:  # as stock, minus the links (chmod would follow them)
            for folder, _, files in os.walk(dest):
                for path, bits in [(folder, 0o2770), *((os.path.join(folder, f), 0o660) for f in files)]:
                    mode = os.lstat(path).st_mode
                    if not stat.S_ISLNK(mode) and mode & bits != bits:
                        os.chmod(path, (mode | bits) & 0o2777)
