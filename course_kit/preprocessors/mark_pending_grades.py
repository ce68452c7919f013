"""In the feedback, a cell still to be graded by hand says so: "not graded yet", never "Score: 0.0 / 3.0".

nbgrader's gradebook gives a grade that nobody has scored yet (no manual score, no autograded one) the
score 0, and its feedback template prints that 0 like any other.  A student reading "Score: 0.0 / 3.0"
under their derivation thinks it was marked wrong.  This step, after ``GetGrades``, asks the gradebook
which of the notebook's grades are still pending (``manual_score`` and ``auto_score`` both unset) and
marks those cells (``cell.metadata.nbgrader["pending"]``) and the notebook's pending points
(``resources["nbgrader"]["pending_points"]``); the kit's feedback template
(``course_kit/templates/course_kit_feedback``) then prints "not graded yet" for them, and the total as
"so far", out of the points already graded.  Once the instructor scores the cell, it is no longer pending,
and the feedback shows its score as usual.
"""

from __future__ import annotations

from pathlib import Path

import nbgrader
from nbconvert.exporters import HTMLExporter
from nbconvert.exporters.exporter import ResourcesDict
from nbformat import NotebookNode
from nbgrader import utils
from nbgrader.api import Gradebook
from traitlets.config import Config

from course_kit.preprocessors.display_priority import TakesDisplayPriority


class MarkPendingGrades(TakesDisplayPriority):
    def preprocess(self, nb: NotebookNode, resources: ResourcesDict) -> tuple[NotebookNode, ResourcesDict]:
        info = resources["nbgrader"]
        with Gradebook(info["db_url"]) as gradebook:
            notebook = gradebook.find_submission_notebook(info["notebook"], info["assignment"], info["student"])
            pending = {grade.name: float(grade.max_score or 0.0) for grade in notebook.grades
                       if grade.manual_score is None and grade.auto_score is None}
        for cell in nb.cells:
            if (utils.is_grade(cell) or utils.is_task(cell)) and cell.metadata.nbgrader.get("grade_id") in pending:
                cell.metadata.nbgrader["pending"] = True
        info["pending_points"] = sum(pending.values())
        return nb, resources


TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
FORMGRADER = Path(nbgrader.__file__).resolve().parent / "server_extensions" / "formgrader"
NBGRADER_TEMPLATES = FORMGRADER / "templates"
BOOTSTRAP_CSS = FORMGRADER / "static" / "node_modules" / "bootstrap" / "dist" / "css"  # as GenerateFeedback sets it


class FeedbackHTMLExporter(HTMLExporter):
    """The feedback's exporter: nbgrader's HTMLExporter, configured under its own name.

    ``NbGraderAPI.generate_feedback`` forces ``HTMLExporter.template_name = "feedback"`` (nbgrader's
    template); configuration under this subclass's name takes precedence over its parent's, so
    ``use_course_kit`` can point it at the kit's template, which extends nbgrader's.
    """


def configure_feedback(c: Config) -> None:
    """Feedback through FeedbackHTMLExporter and the kit's template (found beside nbgrader's, which it extends)."""
    c.GenerateFeedback.exporter_class = FeedbackHTMLExporter
    c.FeedbackHTMLExporter.template_name = "course_kit_feedback"
    c.FeedbackHTMLExporter.extra_template_basedirs = [str(TEMPLATES), str(NBGRADER_TEMPLATES)]
    # Search roots: nbgrader's templates, so that the kit's extends 'feedback/index.html.j2'; bootstrap's CSS.
    c.FeedbackHTMLExporter.extra_template_paths = [str(BOOTSTRAP_CSS), str(NBGRADER_TEMPLATES)]
