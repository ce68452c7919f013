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


def test_the_notebooks_own_plots_get_alt_text_too():
    """A plot the notebook drew has no alt text of its own; DescribeImages names where it comes from."""
    import base64

    from nbformat.v4 import new_output

    from course_kit.preprocessors.describe_images import DescribeImages

    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 16).decode("ascii")
    plot = new_code_cell("plt.show()", metadata={"nbgrader": {"grade_id": "plot"}},
                         outputs=[new_output("display_data", data={"image/png": png})])
    nb = new_notebook(cells=[plot])
    nb, _ = DescribeImages().preprocess(nb, {})
    config = Config()
    configure_feedback(config)
    resources = {"nbgrader": {"notebook": "n", "score": 0.0, "max_score": 0.0, "late_penalty": 0}}
    html, _ = FeedbackHTMLExporter(config=config).from_notebook_node(nb, resources=resources)
    assert "No description has been provided" not in html
    assert 'alt="A plot drawn by the notebook in cell plot (see the code above it)."' in html
