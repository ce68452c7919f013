"""A cell still to grade by hand reads "not graded yet" in the feedback, never "Score: 0.0 / 3.0".

The page is rendered by the kit's feedback exporter and template, configured as ``use_course_kit`` does,
with ``HTMLExporter.template_name = "feedback"`` set the way ``NbGraderAPI.generate_feedback`` forces it;
``MarkPendingGrades`` is tested on a real gradebook by tests/test_feedback_report.py (ps2's derivation).
"""

import re

from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from traitlets.config import Config

from course_kit.preprocessors.mark_pending_grades import FeedbackHTMLExporter, configure_feedback


def page(pending: bool) -> str:
    config = Config()
    config.HTMLExporter.template_name = "feedback"  # what NbGraderAPI.generate_feedback sets
    configure_feedback(config)
    derivation = {"grade": True, "solution": True, "grade_id": "derivation", "points": 3.0, "score": 0.0}
    if pending:
        derivation["pending"] = True
    nb = new_notebook(cells=[
        new_markdown_cell("my derivation", metadata={"nbgrader": derivation}),
        new_code_cell("x = 1", metadata={"nbgrader": {"grade": True, "solution": False, "grade_id": "test_x",
                                                      "points": 2.0, "score": 1.5}}),
    ])
    resources = {"nbgrader": {"notebook": "stable_loss", "score": 1.5, "max_score": 5.0, "late_penalty": 0,
                              "pending_points": 3.0 if pending else 0.0}}
    html, _ = FeedbackHTMLExporter(config=config).from_notebook_node(nb, resources=resources)
    return re.sub(r"\s+", " ", html)


def test_a_pending_cell_says_not_graded_yet():
    html = page(pending=True)
    assert "Score: 0.0 / 3.0" not in html
    assert html.count("not graded yet (3.0 points, graded by hand)") == 2  # in the contents and on the cell
    assert "Score so far: 1.5 / 2.0; 3.0 more points not graded yet" in html
    assert "Score: 1.5 / 2.0" in html  # the autograded cell as before
    assert "Score: 1.5 / 5.0" not in html  # nbgrader's own heading is not printed as well


def test_a_graded_cell_shows_its_score():
    html = page(pending=False)
    assert "not graded yet" not in html
    assert "Score: 0.0 / 3.0" in html and "Score: 1.5 / 5.0" in html
