"""In the feedback, every image has alternative text: the notebook's own plots get one that says what they are.

The graders' figures carry their own (``WriteGraderScores`` puts it in the output's metadata); a plot the
notebook drew (``plt.show()`` in a locked cell) has none, and nbconvert then writes "No description has been
provided for this image" and warns "Alternative text is missing on N image(s)".  This step, for the feedback
only, gives each such image output an ``alt`` that names where it comes from: the cell's grade_id when it
has one, else its position.  It leaves an existing alt alone.
"""

from __future__ import annotations

from nbconvert.exporters.exporter import ResourcesDict
from nbformat import NotebookNode

from course_kit.preprocessors.display_priority import TakesDisplayPriority

IMAGE_TYPES = ("image/png", "image/jpeg", "image/svg+xml", "image/gif")


class DescribeImages(TakesDisplayPriority):
    def preprocess_cell(self, cell: NotebookNode, resources: ResourcesDict, index: int):
        if cell.get("cell_type") != "code":
            return cell, resources
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        where = f"cell {grade_id}" if grade_id else f"cell {index + 1}"
        for output in cell.get("outputs", []):
            for kind in IMAGE_TYPES:
                if kind not in output.get("data", {}):
                    continue
                metadata = output.setdefault("metadata", {}).setdefault(kind, {})
                if not metadata.get("alt"):
                    metadata["alt"] = f"A plot drawn by the notebook in {where} (see the code above it)."
        return cell, resources
