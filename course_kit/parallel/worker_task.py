"""One student's autograde, as a Dask task: run on a worker, return plain data, write no shared gradebook.

The worker runs nbgrader's own autograde for one student (the course's whole
configuration: confinement, hidden graders), exactly as ``grade_class`` does
in-process, with one change: ``CourseDirectory.db_url`` points at a private
copy of the gradebook, taken by the instructor's process before the run.  The
autograded notebooks land in ``autograded/<student>/<assignment>/`` of the
course directory (shared storage when the workers are other machines); what
autograde wrote to the private gradebook comes back as a ``SubmissionRecord``
for the instructor's process, the one writer of the real gradebook.

The private copy sits in a folder of its own: the confined kernel hides the
folder of a sqlite ``db_url`` (``ConfinedKernelManager._course_paths``), so
the student's code cannot read it either.  A gradebook that is not SQLite
(PostgreSQL takes many writers) is used as it is, and no record comes back.
"""

from __future__ import annotations

import copy
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory

from course_kit.confinement.confined_kernel import REFUSAL
from course_kit.confinement.warm_kernels import SPARES
from course_kit.instructor import Course
from course_kit.parallel.submission_record import SubmissionRecord, read_submission

SQLITE = "sqlite:///"


@dataclass
class Autograded:
    """What one worker's autograde of one student produced, sent back to the instructor's process."""

    student: str
    success: bool
    log: str  # nbgrader's captured log: the reason when it failed, or the confinement's refusal
    record: SubmissionRecord | None  # None: autograde never got as far as the gradebook, or db_url is shared
    seconds: float
    worker: str = ""
    warm_kernels: int = 0  # notebooks that ran in a spare kernel, started while the worker's last one was graded

    @property
    def refused(self) -> bool:
        """The confinement refused to start a kernel: nobody on this worker can be graded."""
        return REFUSAL in self.log


def autograde_on_worker(course_dir: str, assignment: str, student: str, gradebook: bytes | None) -> Autograded:
    """nbgrader autograde of ``student`` against a private copy of ``gradebook`` (None: the configured db_url)."""
    warnings.filterwarnings("ignore", message=".*not in session.*")  # nbgrader 0.9.6 vs SQLAlchemy 2
    started = time.perf_counter()
    served = SPARES.served
    SPARES.more_expected = _more_work_queued
    config = copy.deepcopy(Course(Path(course_dir)).config)  # Course also puts nbgrader's tools on PATH
    if "enabled" not in config.WarmKernels:  # a worker grades one notebook after another: warm the next kernel
        config.WarmKernels.enabled = True
    with tempfile.TemporaryDirectory(prefix="course-kit-gradebook-") as private:
        if gradebook is not None:
            db = Path(private) / "gradebook.db"
            db.write_bytes(gradebook)
            config.CourseDirectory.db_url = SQLITE + str(db)
        course = CourseDirectory(config=config)
        outcome = NbGraderAPI(course, config=config).autograde(assignment, student)
        record = None
        if gradebook is not None:
            record = read_submission(course.db_url, course.course_id, assignment, student)
    return Autograded(student, bool(outcome["success"]), outcome.get("log", "") or "", record,
                      time.perf_counter() - started, _worker_address(), SPARES.served - served)


def _more_work_queued() -> bool:
    """This worker holds a task to run after the current one: only then is a spare kernel worth starting.

    The scheduler sends a worker its next task while the current one runs (``worker-saturation``), so by the
    time a notebook asks for its kernel the next one is usually here; if not, the next notebook starts cold."""
    try:
        from distributed import get_worker

        state = get_worker().state
    except ValueError:  # called outside a Dask worker (a direct call): assume a class
        return True
    return bool(state.ready) or bool(state.constrained)


def _worker_address() -> str:
    try:
        from distributed import get_worker

        return get_worker().address
    except ValueError:  # called outside a Dask worker (a direct call)
        return ""
