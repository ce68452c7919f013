"""Moved to the course side: ``course_numerics.reference``, beside the graders (graders/course_numerics/).

Transitional only, for graders that still import this path (ps3's): it re-exports the course's
module and works wherever the graders run (graders/pytest.ini puts graders/ on sys.path).  Delete
this file once no grader imports ``course_kit.grading.reference``.
"""

from course_numerics.reference import *  # noqa: F403
