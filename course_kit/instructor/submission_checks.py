"""What is wrong with a submitted folder as a file, in words an instructor can act on.

nbgrader refuses some malformed submissions with a line in its log that is
easy to miss or misleading (a duplicated test cell reads "uses an old version
of the metadata"), and silently fixes others.  ``check_submission`` looks at
the folder before autograding and says, for each problem, what happened and
whether nbgrader will grade the notebook at all.  It reads files only; it
never changes a submission.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import nbformat

from course_kit.confinement.private_folder import first_few, not_plain, open_regular_file
from course_kit.grading.cells import autograded_tests

MANY_FILES = 500  # more than this many files in a submission folder is worth a word
MAX_FILE_BYTES = 100 * 2**20  # a larger file is refused: nbgrader would copy it for every grading


@dataclass(frozen=True)
class Problem:
    message: str
    blocking: bool  # True: nbgrader will not grade the notebook (the student scores nothing until fixed)
    unsafe: bool = False  # True: the folder must not be handed to nbgrader at all (links, FIFOs, ...)


def check_submission(folder: Path, source_notebooks: dict[str, nbformat.NotebookNode]) -> list[Problem]:
    """Problems of ``folder`` (a student's submitted/<student>/<assignment>) against the source notebooks."""
    problems = unsafe_files(folder)
    if problems:
        return problems
    submitted = {p.name for p in folder.glob("*.ipynb")}
    for name, source in source_notebooks.items():
        path = folder / name
        if not path.is_file():
            others = sorted(submitted - set(source_notebooks))
            hint = f"; it has {', '.join(others)} instead (renamed?)" if others else ""
            problems.append(Problem(f"{name} is missing from the submission{hint}: rename it and autograde again",
                                    blocking=True))
            continue
        problems += _check_notebook(path, source)
    files = sum(1 for p in folder.rglob("*") if p.is_file())
    if files > MANY_FILES:
        problems.append(Problem(f"the submission folder holds {files} files (graded anyway)", blocking=False))
    return problems


def unsafe_files(folder: Path) -> list[Problem]:
    """Links, FIFOs, sockets, devices and oversized files anywhere in the folder, the folder and the student's
    folder above it included (lstat only): what must never reach nbgrader, whose copy follows links."""
    found = [f"{path} is a symlink" for path in (folder.parent, folder) if path.is_symlink()]
    found += [f"{path} is {what}" for path, what in ([] if found else not_plain(folder, MAX_FILE_BYTES))]
    if not found:
        return []
    return [Problem(f"not graded, the folder is unsafe to copy: {'; '.join(first_few(found))}. Replace it with "
                    "plain files (e.g. collect the notebook again) and autograde again", blocking=True, unsafe=True)]


def _read_regular_file(path: Path) -> bytes:
    """The file's bytes, refusing (OSError) a link or anything that is not a regular file, without waiting."""
    with open_regular_file(path) as file:
        return file.read(MAX_FILE_BYTES + 1)


def _check_notebook(path: Path, source: nbformat.NotebookNode) -> list[Problem]:
    raw = _read_regular_file(path)
    if not raw.strip():
        return [Problem(f"{path.name} is an empty file ({len(raw)} bytes): not graded", blocking=True)]
    try:
        nb = nbformat.reads(raw.decode("utf-8", errors="replace"), as_version=4)
    except (json.JSONDecodeError, nbformat.reader.NotJSONError, ValueError) as error:
        first = str(error).splitlines()[0][:120] if str(error) else type(error).__name__
        return [Problem(f"{path.name} is not a readable notebook ({first}): not graded", blocking=True)]
    problems = []
    ids = Counter(c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells)
    ids.pop(None, None)
    for grade_id, count in sorted(ids.items()):
        if count > 1:
            problems.append(Problem(
                f"{path.name} has cell {grade_id} {count} times (a copied cell?): nbgrader refuses the notebook; "
                "delete the copy and autograde again", blocking=True))
    for cell in autograded_tests(source):
        grade_id = cell.metadata.nbgrader["grade_id"]
        if grade_id not in ids:
            problems.append(Problem(f"{path.name} lacks test cell {grade_id} (deleted?): it scores 0", blocking=False))
    kernel = nb.metadata.get("kernelspec", {}).get("name")
    expected = source.metadata.get("kernelspec", {}).get("name")
    if kernel and expected and kernel != expected:
        problems.append(Problem(
            f"{path.name} asks for kernel {kernel!r}; graded with {expected!r} as the assignment's", blocking=False))
    return problems
