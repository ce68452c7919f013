"""The kit's part of a course's nbgrader configuration, in one call from the course's config file.

    from course_kit.nbgrader_setup import use_course_kit
    use_course_kit(c, COURSE_ROOT)

sets what every course graded by the kit needs and nothing that belongs to one course (its id,
its limits, its environment): nbgrader's stock autograde pipeline with six changes (Execute
becomes ExecuteWithGraders; after LimitOutput cuts lines, CoalesceStreamsPreprocessor merges
consecutive prints, whose batching depends on timing, so that grading twice gives the same
feedback, and TruncateLargeOutputs cuts megabytes of printed text; WriteGraderScores puts the
graders' scores into the test cells just before SaveAutoGrades reads them; InertNotebook, right after
it, leaves nothing in the graded notebook that can run as script where it is shown; WriteGradingRecord,
last, writes the grading record every instructor tool reads); every HTML page nbgrader renders from a
notebook under this configuration (formgrader's Manual grading view, the feedback) made inert again at
render time, Markdown cells included (``course_kit/inert/``), so that a notebook graded before, or by
stock nbgrader, cannot run script as the instructor either, and with its maths as MathML rather than
MathJax from a CDN, so that those pages need no network; feedback without
the hidden test regions nbgrader would print into it (nbgrader issues #917, #1156), showing each test
cell's report as a table of its checks, with the figures the graders drew, and a cell still to be graded
by hand as "not graded yet" (MarkPendingGrades); a collect
step that takes a student's submission only from that student and copies links as links; submitted
folders with links, FIFOs, devices or oversized files refused inside autograde itself, before nbgrader
reads or copies them, so that plain ``nbgrader autograde`` and formgrader's Autograde button are as safe
as ``make grade`` (``course_kit.instructor.submission_gate``); a
``grades.csv`` safe to open in a spreadsheet; and student kernels confined by bubblewrap, refusing to start
without it.  The hidden graders are looked up in ``<course_root>/graders/<assignment>/``, beside
``source/``, never inside it (everything in source/<assignment>/ is copied to students).
"""

from __future__ import annotations

import os

from nbconvert.preprocessors import CoalesceStreamsPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.converters import Autograde
from nbgrader.preprocessors import AssignLatePenalties, Execute, GetGrades, LimitOutput, SaveAutoGrades
from traitlets.config import Config

from course_kit import schema_validation
from course_kit.confinement import ConfinedKernelManager
from course_kit.instructor.submission_gate import CheckedSubmissionsExporter
from course_kit.preprocessors import (
    ClearHiddenTestRegions,
    DescribeImages,
    ExecuteWithGraders,
    InertNotebook,
    MarkPendingGrades,
    ReportTableInFeedback,
    TruncateLargeOutputs,
    WriteGraderScores,
    WriteGradingRecord,
)
from course_kit.preprocessors.mark_pending_grades import NBGRADER_TEMPLATES, TEMPLATES, configure_feedback
from course_kit.term import ApplyTermDates


def autograde_pipeline() -> list[type]:
    """nbgrader's stock autograde preprocessors with the kit's six changes (module docstring), and the term's dates."""
    stock = Autograde.class_traits()["autograde_preprocessors"].default()
    pipeline = [ExecuteWithGraders if step is Execute else step for step in stock]
    pipeline.insert(pipeline.index(LimitOutput) + 1, CoalesceStreamsPreprocessor)
    pipeline.insert(pipeline.index(CoalesceStreamsPreprocessor) + 1, TruncateLargeOutputs)
    pipeline.insert(pipeline.index(SaveAutoGrades), WriteGraderScores)
    # After SaveAutoGrades, which compares answer cells' checksums: nothing it reads is changed before it.
    pipeline.insert(pipeline.index(SaveAutoGrades) + 1, InertNotebook)
    # The term's due date and the student's extension (local_config.py) into the gradebook, where nbgrader's
    # AssignLatePenalties, next, measures the lateness it penalises (course_kit/term/).
    pipeline.insert(pipeline.index(AssignLatePenalties), ApplyTermDates)
    pipeline.append(WriteGradingRecord)
    return pipeline


def use_course_kit(c: Config, course_root: str) -> None:
    """Grade the course at ``course_root`` with the kit: pipeline, graders folder, feedback, collect, the
    submission gate, confinement."""
    schema_validation.install()  # nbgrader's per-cell schema check, its validator built once (same errors)
    c.ExecuteWithGraders.graders_root = os.path.join(course_root, "graders")
    c.Autograde.autograde_preprocessors = autograde_pipeline()
    # Whoever starts autograde (make grade, nbgrader autograde, formgrader's button): unsafe folders are refused
    # before nbgrader reads or copies them.
    c.Autograde.exporter_class = CheckedSubmissionsExporter
    c.CoalesceStreamsPreprocessor.enabled = True  # nbconvert ships it disabled
    # ClearHiddenTestRegions: nbgrader's ClearHiddenTests without its configuration warning (display_priority.py).
    c.GenerateFeedback.preprocessors = [GetGrades, MarkPendingGrades, ClearHiddenTestRegions, ReportTableInFeedback,
                                        DescribeImages, CSSHTMLHeaderPreprocessor]
    configure_feedback(c)  # cells still to grade by hand say "not graded yet", not "Score: 0.0 / 3.0"
    # Every HTMLExporter of nbgrader under this configuration (formgrader's, which the Jupyter server started from
    # the course root builds from this file, and GenerateFeedback's) cleans what the notebook holds before its
    # template runs, and the HTML its Markdown cells become (nbgrader's templates never clean those).  By name:
    # formgrader shows this configuration as JSON.
    c.HTMLExporter.preprocessors = ["course_kit.preprocessors.InertNotebook"]
    c.HTMLExporter.filters = {"markdown2html": "course_kit.inert.markdown_filter.InertMarkdown"}
    # Maths renders without a network: the filter above makes it MathML, and the kit's templates/base/mathjax.html.j2
    # stands in for nbconvert's macro that loads MathJax from a CDN.  nbgrader's own template folder stays in the
    # list: formgrader finds its 'formgrade' template there (its own setting of this trait is read before this file).
    c.HTMLExporter.extra_template_basedirs = [str(TEMPLATES), str(NBGRADER_TEMPLATES)]
    # Collect refuses a folder that its student did not make (owner, future date, id: course_kit/exchange/
    # vetted_collect.py) and copies links as links (grading then refuses that submission) instead of following them.
    c.ExchangeFactory.collect = "course_kit.exchange.VettedCollect"
    # `nbgrader export` writes grades.csv with no field a spreadsheet would run as a formula.
    c.ExportApp.plugin_class = "course_kit.exporters.SpreadsheetSafeCsvExportPlugin"
    c.ExecuteWithGraders.kernel_manager_class = ConfinedKernelManager
    c.ConfinedKernelManager.allow_unconfined = False
