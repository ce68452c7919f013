"""Which notebook cells the graders score."""

from __future__ import annotations

from collections.abc import Iterator

from nbformat import NotebookNode


def is_autograded_test(cell: NotebookNode) -> bool:
    """An nbgrader test cell: a code cell with points and no answer in it."""
    meta = cell.metadata.get("nbgrader", {})
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


def autograded_tests(nb: NotebookNode) -> Iterator[NotebookNode]:
    return (cell for cell in nb.cells if is_autograded_test(cell))
