"""A grading engine for nbgrader courses: hidden pytest graders that call into the student's live kernel.

It knows no course: a course keeps its notebooks in source/, one pytest module per test cell in
graders/<assignment>/, and its own maths and tolerances beside them; its nbgrader config calls
``course_kit.nbgrader_setup.use_course_kit`` (docs/adding_an_assignment.md walks through one).
Kernels run confined by bubblewrap (``confinement``); ``grading`` runs the graders and scores
each test cell; ``preprocessors`` put them into ``nbgrader autograde``.
"""
