"""The kit's part of a course's nbgrader configuration, in one call from the course's config file.

    from course_kit.nbgrader_setup import use_course_kit
    use_course_kit(c, COURSE_ROOT)

sets what every course graded by the kit needs and nothing that belongs to one course (its id,
its limits, its environment): nbgrader's stock autograde pipeline with five changes (Execute
becomes ExecuteWithGraders; after LimitOutput cuts lines, CoalesceStreamsPreprocessor merges
consecutive prints, whose batching depends on timing, so that grading twice gives the same
feedback, and TruncateLargeOutputs cuts megabytes of printed text; WriteGraderScores puts the
graders' scores into the test cells just before SaveAutoGrades reads them; WriteGradingRecord, last,
writes the grading record every instructor tool reads); feedback without
the hidden test regions nbgrader would print into it (nbgrader issues #917, #1156), showing each test
cell's report as a table of its checks, with the figures the graders drew; a collect
step that copies links as links; submitted folders with links, FIFOs, devices or oversized files
refused inside autograde itself, before nbgrader reads or copies them, so that plain
``nbgrader autograde`` and formgrader's Autograde button are as safe as ``make grade``
(``course_kit.instructor.submission_gate``); and student kernels confined by bubblewrap, refusing
to start without it.  The hidden graders are looked up in ``<course_root>/graders/<assignment>/``, beside
``source/``, never inside it (everything in source/<assignment>/ is copied to students).
"""

from __future__ import annotations

import os

from nbconvert.preprocessors import CoalesceStreamsPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.converters import Autograde
from nbgrader.preprocessors import ClearHiddenTests, Execute, GetGrades, LimitOutput, SaveAutoGrades
from traitlets.config import Config

from course_kit.confinement import ConfinedKernelManager
from course_kit.instructor.submission_gate import CheckedSubmissionsExporter
from course_kit.preprocessors import (
    ExecuteWithGraders,
    ReportTableInFeedback,
    TruncateLargeOutputs,
    WriteGraderScores,
    WriteGradingRecord,
)


def autograde_pipeline() -> list[type]:
    """nbgrader's stock autograde preprocessors with the kit's five changes (module docstring)."""
    stock = Autograde.class_traits()["autograde_preprocessors"].default()
    pipeline = [ExecuteWithGraders if step is Execute else step for step in stock]
    pipeline.insert(pipeline.index(LimitOutput) + 1, CoalesceStreamsPreprocessor)
    pipeline.insert(pipeline.index(CoalesceStreamsPreprocessor) + 1, TruncateLargeOutputs)
    pipeline.insert(pipeline.index(SaveAutoGrades), WriteGraderScores)
    pipeline.append(WriteGradingRecord)
    return pipeline


def use_course_kit(c: Config, course_root: str) -> None:
    """Grade the course at ``course_root`` with the kit: pipeline, graders folder, feedback, collect, the
    submission gate, confinement."""
    c.ExecuteWithGraders.graders_root = os.path.join(course_root, "graders")
    c.Autograde.autograde_preprocessors = autograde_pipeline()
    # Whoever starts autograde (make grade, nbgrader autograde, formgrader's button): unsafe folders are refused
    # before nbgrader reads or copies them.
    c.Autograde.exporter_class = CheckedSubmissionsExporter
    c.CoalesceStreamsPreprocessor.enabled = True  # nbconvert ships it disabled
    c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, ReportTableInFeedback, CSSHTMLHeaderPreprocessor]
    # Collect copies links as links (grading then refuses that submission) instead of following them as you.
    c.ExchangeFactory.collect = "course_kit.exchange.CollectWithoutFollowingLinks"
    c.ExecuteWithGraders.kernel_manager_class = ConfinedKernelManager
    c.ConfinedKernelManager.allow_unconfined = False
