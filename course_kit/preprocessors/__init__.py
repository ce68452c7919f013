"""nbgrader preprocessors that put the pytest graders into ``nbgrader autograde``."""

from course_kit.preprocessors.describe_images import DescribeImages
from course_kit.preprocessors.display_priority import ClearHiddenTestRegions
from course_kit.preprocessors.execute_with_graders import ExecuteWithGraders
from course_kit.preprocessors.inert_notebook import InertNotebook
from course_kit.preprocessors.mark_pending_grades import MarkPendingGrades
from course_kit.preprocessors.report_table_in_feedback import ReportTableInFeedback
from course_kit.preprocessors.truncate_outputs import TruncateLargeOutputs
from course_kit.preprocessors.write_grader_scores import WriteGraderScores
from course_kit.preprocessors.write_grading_record import WriteGradingRecord

__all__ = [
    "ClearHiddenTestRegions", "DescribeImages", "ExecuteWithGraders", "InertNotebook", "MarkPendingGrades",
    "ReportTableInFeedback", "TruncateLargeOutputs", "WriteGraderScores", "WriteGradingRecord",
]
