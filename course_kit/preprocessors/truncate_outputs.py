"""Cut oversized text outputs, so one noisy submission cannot bloat the graded notebook and its feedback.

nbgrader's LimitOutput counts lines; a cell that prints 100 lines of a
megabyte each passes it and lands, whole, in the autograded notebook and the
feedback HTML.  This step keeps the head and tail of any text output longer
than ``max_chars`` and says how much it dropped.
"""

from __future__ import annotations

from nbconvert.exporters.exporter import ResourcesDict
from nbformat import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Integer


class TruncateLargeOutputs(NbGraderPreprocessor):
    max_chars = Integer(100_000, help="Longest text kept from one output (stream text or text/plain).").tag(config=True)

    def _cut(self, text: str) -> str:
        if len(text) <= self.max_chars:
            return text
        half = self.max_chars // 2
        return f"{text[:half]}\n... [{len(text) - 2 * half} characters cut by the grader] ...\n{text[-half:]}"

    def preprocess_cell(self, cell: NotebookNode, resources: ResourcesDict, index: int):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                output.text = self._cut("".join(output.text))
            elif "text/plain" in output.get("data", {}):
                output.data["text/plain"] = self._cut("".join(output.data["text/plain"]))
        return cell, resources
