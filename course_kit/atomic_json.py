"""JSON the kit writes beside a course's graded work: whole or not at all, and never through a link.

Grading records, collect's and autograde's refusals and the answers graded by hand sit in folders that
other tools read while a run may be killed at any moment.  Each is written to a temporary file in the
same folder, flushed to disk, and moved into place with ``os.replace``, which POSIX makes atomic: a
reader finds the old file or the new one, never half of one.  A folder that is a symlink is refused,
so that a grader running as root never writes where a link planted in a shared folder points.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path


def write_json(path: Path, data: object, prefix: str) -> None:
    """Write ``data`` to ``path`` atomically (temporary files are named ``<prefix>*.tmp``)."""
    if path.parent.is_symlink():
        raise OSError(f"{path.parent} is a link: {path.name} is not written through it")
    fd, temporary = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            json.dump(data, file, indent=1)  # ensure_ascii: a name that is not valid UTF-8 is kept, escaped
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
