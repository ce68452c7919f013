"""This course's numerics, shared by its graders and its tests: exact references and tolerances.

``reference``: the losses the course teaches, computed with mpmath from the exact binary inputs.
``tolerances``: how far a correct formula may round from them, each bound one named factor.

They are course content, not grading machinery, so they live beside the graders (hidden from
students like them: a stable reference formula is an answer) and not in ``course_kit``.
``graders/pytest.ini`` puts ``graders/`` on sys.path for every grader run, by hand or under
autograde; the kit's tests get it from pyproject.toml's pytest settings.
"""
