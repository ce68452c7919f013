"""A term's administration: due dates, per-student extensions and the late penalty (set in local_config.py).

``TermDates`` reads the due dates and extensions, ``ApplyTermDates`` writes them into the gradebook at every
autograde (before nbgrader's ``AssignLatePenalties`` reads them), ``LatePenalty`` is the penalty rule
nbgrader's ``AssignLatePenalties`` applies.
"""

from course_kit.term.apply_dates import ApplyTermDates, apply_term_dates
from course_kit.term.dates import TermDates
from course_kit.term.late_penalty import LatePenalty

__all__ = ["ApplyTermDates", "LatePenalty", "TermDates", "apply_term_dates"]
