"""Execute a notebook with nbclient and keep its kernel open for a grader's calls.

This is what ``nbgrader autograde`` does through ``ExecuteWithGraders``, minus
nbgrader: it lets ``pytest graders/<assignment> --submission x.ipynb`` grade
one notebook on its own, with the same semantics (every cell runs, errors do
not stop the run, then the graders call into the same kernel).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbformat import NotebookNode

from course_kit.grading.student_kernel import StudentKernel


def code_runner(client: NotebookClient, timeout: int | None = None):
    """A RunCode for ``StudentKernel`` that executes snippets as hidden, history-free cells.

    ``timeout`` (seconds per snippet) replaces the client's cell timeout while a snippet runs.
    """

    def run_code(source: str) -> Sequence[NotebookNode]:
        cell = nbformat.v4.new_code_cell(source)
        # nbclient writes the executed cell back at its index, so the snippet
        # borrows a slot past the end of the notebook and gives it back.
        client.nb.cells.append(cell)
        cell_timeout = client.timeout
        client.timeout = timeout or cell_timeout
        try:
            client.execute_cell(cell, len(client.nb.cells) - 1, store_history=False)
        finally:
            client.timeout = cell_timeout
            client.nb.cells.pop()
        return cell.outputs

    return run_code


@contextmanager
def executed_notebook(path: Path, timeout: int = 60) -> Iterator[StudentKernel]:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        interrupt_on_timeout=True,  # as nbgrader does: a stuck cell is interrupted, the run goes on
        allow_errors=True,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        student = StudentKernel(code_runner(client))
        try:
            yield student
        finally:
            student.close()
