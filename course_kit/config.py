"""A course's nbgrader configuration, loaded as the ``nbgrader`` command loads it."""

from __future__ import annotations

from pathlib import Path

from traitlets.config import Config, PyFileConfigLoader


def load_course_config(course_dir: Path) -> Config:
    """The configuration ``nbgrader`` itself would load in ``course_dir`` (its ``nbgrader_config.py``)."""
    return PyFileConfigLoader("nbgrader_config.py", path=str(course_dir)).load_config()


def course_settings(course_dir: Path) -> Config:
    """The course's configuration where it has one, with ``course_dir`` hidden from student kernels either way:
    what the hand-run grader executes a notebook under, the same settings as autograde's."""
    config = load_course_config(course_dir) if (course_dir / "nbgrader_config.py").is_file() else Config()
    config.ConfinedKernelManager.course_root = str(course_dir)
    return config
