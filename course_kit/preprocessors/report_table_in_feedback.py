"""In the feedback, show each test cell's grader report once: as its table, without the same text above it.

``WriteGraderScores`` gives an autograded test cell its report twice: as stdout, which the
instructor's tools read from the graded notebook, and as an HTML table whose ``text/plain`` is
that same text.  The feedback HTML renders both; this step drops the stdout that the table
repeats, so the student reads the table (and the figures, and the score) alone.  It touches only
the test cells' outputs that ``WriteGraderScores`` wrote, and nothing the graded notebook keeps.
"""

from __future__ import annotations

from nbconvert.exporters.exporter import ResourcesDict
from nbformat import NotebookNode

from course_kit.grading.cells import is_autograded_test
from course_kit.preprocessors.display_priority import TakesDisplayPriority
from course_kit.preprocessors.write_grader_scores import REPORT_METADATA


def _table_text(output: NotebookNode) -> str | None:
    """The text/plain of a report table output (None for any other output)."""
    if output.get("output_type") != "display_data" or output.get("metadata", {}).get("course_kit") \
            != REPORT_METADATA["course_kit"]:
        return None
    text = output.get("data", {}).get("text/plain")
    return "".join(text) if isinstance(text, list) else text


class ReportTableInFeedback(TakesDisplayPriority):
    def preprocess_cell(self, cell: NotebookNode, resources: ResourcesDict, index: int):
        if not is_autograded_test(cell):
            return cell, resources
        tables = {t for t in map(_table_text, cell.outputs) if t is not None}
        if tables:
            cell.outputs = [o for o in cell.outputs if not (
                o.get("output_type") == "stream" and o.get("name") == "stdout"
                and "".join(o.get("text", "")).rstrip("\n") in tables)]
        return cell, resources
