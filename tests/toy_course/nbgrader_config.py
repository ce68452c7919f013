"""nbgrader configuration of the toy course: a second course graded by the same engine (tests/test_toy_course.py).

Everything the kit needs comes from one call; the rest is this course's own: its id, where its
gradebook lives, and short time limits (two tiny functions need no more).
"""

import os

from course_kit.nbgrader_setup import use_course_kit

c = get_config()  # noqa: F821  (injected by traitlets' config loader)

COURSE_ROOT = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.course_id = "toy"
c.CourseDirectory.root = COURSE_ROOT
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(COURSE_ROOT, "gradebook.db")

use_course_kit(c, COURSE_ROOT)
c.ExecuteWithGraders.timeout = 10
c.ExecuteWithGraders.call_timeout = 5
c.ExecuteWithGraders.notebook_time_limit = 60
c.ConfinedKernelManager.notebook_memory_limit_mb = 1024
