"""The instructor's tools, on top of the grading engine: a handle on a course directory (``Course``),
``grade_class`` (``make grade``), the demo, the checks a submitted folder gets before grading, and the
sample submissions the demo and the tests hand in."""

from course_kit.instructor.course import CellResult, Course, copy_course

__all__ = ["CellResult", "Course", "copy_course"]
