# nbgrader always reads this file from the course root; the course's settings live in course_config.py.
load_subconfig("course_config.py")  # noqa: F821  (injected by traitlets' config loader)
