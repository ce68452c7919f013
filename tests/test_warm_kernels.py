"""Spare kernels (``course_kit.confinement.warm_kernels``): nothing of one student reaches the next.

Real ``nbgrader autograde`` of three students, one after another in this
process, with warm kernels on as a grading worker has them: ``first`` gets a
cold kernel (there is no spare yet), ``mallory`` and ``eve`` each get the spare
started while the student before was graded.  ``mallory`` leaves everything a
notebook can leave behind; ``eve`` and ``first`` run the same probe, and
``eve``'s warm kernel must look exactly like ``first``'s cold one.  That a warm
kernel is as confined as a cold one is ``test_confinement``'s probe, run in both.
"""

from __future__ import annotations

import json
import re
import shutil

import nbformat
import numpy as np
import pytest
from nbformat import NotebookNode
from traitlets.config import Config

from conftest import REPO
from course_kit.confinement import ConfinedKernelManager
from course_kit.confinement.warm_kernels import SPARES, KernelOrder, SpareKernels, warm_up_code
from course_kit.instructor import Course, copy_course

pytestmark = pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap is not installed")

SEED = 1234

LEAVE_TRACES = f"""
import os, random, subprocess, sys
import numpy as np

LEFT_BY_MALLORY = "a global"
with open("left_by_mallory.txt", "w") as f:
    f.write("a file in the working folder")
with open("/tmp/left_by_mallory.txt", "w") as f:
    f.write("a file in /tmp")
np.mean = lambda *args, **kwargs: 42.0  # a module patched
sys.modules["left_by_mallory"] = sys  # a module planted
os.environ["LEFT_BY_MALLORY"] = "1"
np.random.seed({SEED})
random.seed({SEED})
subprocess.Popen(["sleep", "60"])  # a process left running

def double(z):
    return 2 * z
"""

PROBE = """
import json, os, random, sys
import numpy as np
from ipykernel.connect import get_connection_file

_seen = {
    "names": sorted(globals()),
    "files": sorted(os.listdir(".")),
    "tmp": sorted(os.listdir("/tmp")),
    "mean": float(np.mean([1.0, 3.0])),
    "planted_module": "left_by_mallory" in sys.modules,
    "environment": "LEFT_BY_MALLORY" in os.environ,
    "processes": sorted(open(f"/proc/{p}/comm").read().strip() for p in os.listdir("/proc") if p.isdigit()),
    "numpy_random": np.random.random(),
    "python_random": random.random(),
    "execution_count": get_ipython().execution_count,
    "history": len(get_ipython().history_manager.input_hist_raw),
    "kernel": get_connection_file(),
}
print(json.dumps(_seen))

def double(z):
    return 2 * z
"""


def _cell(source: str, grade_id: str, *, solution: bool = False, points: float | None = None) -> NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata.nbgrader = {"grade": points is not None, "grade_id": grade_id, "locked": not solution,
                              "schema_version": 3, "solution": solution}
    if points is not None:
        cell.metadata.nbgrader["points"] = points
    return cell


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> Course:
    """The three students graded in this order, warm kernels on; SPARES.served counted over the three."""
    root = copy_course(REPO, tmp_path_factory.mktemp("warm") / "course", assignments=[])
    with (root / "nbgrader_config.py").open("a") as config:
        config.write("\nc.WarmKernels.enabled = True\n")
    course = Course(root)
    (root / "source" / "box").mkdir(parents=True)
    nbformat.write(nbformat.v4.new_notebook(
        cells=[_cell("import numpy as np", "setup"),
               _cell("def double(z):\n    ### BEGIN SOLUTION\n    return 2 * z\n    ### END SOLUTION", "double",
                     solution=True),
               _cell("assert double(2.0) == 4.0", "test_double", points=1)],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    ), root / "source" / "box" / "box.ipynb")
    graders = root / "graders" / "box"
    graders.mkdir(parents=True)
    (graders / "test_double.py").write_text(
        "import numpy as np\n\n\ndef test_double(student):\n    \"\"\"double doubles\"\"\"\n"
        "    assert student.call('double', np.array([1.0, -3.0])).tolist() == [2.0, -6.0]\n")
    course.release("box")
    release = nbformat.read(course.release_notebook("box"), as_version=4)
    students = {"first": PROBE, "mallory": LEAVE_TRACES, "eve": PROBE}
    for student, answer in students.items():
        submission = nbformat.from_dict(release)
        submission.cells[1].source = answer
        course.submit(student, "box", {"box.ipynb": submission})
    course.collect("box")
    SPARES.close()  # whatever an earlier test of this process left: "first" must get a cold kernel
    served = SPARES.served
    for student in students:
        outcome = course.autograde("box", student)
        assert outcome["success"], outcome.get("log")
    course.spares_served = SPARES.served - served  # type: ignore[attr-defined]
    SPARES.close()
    return course


def _seen(course: Course, student: str) -> dict:
    nb = nbformat.read(course.course_dir / "autograded" / student / "box" / "box.ipynb", as_version=4)
    (line,) = [o["text"] for o in nb.cells[1].outputs if o.get("name") == "stdout"]
    return json.loads(line)


def test_the_students_after_the_first_got_spare_kernels(graded: Course):
    assert graded.spares_served == 2  # type: ignore[attr-defined]
    for student in ["first", "mallory", "eve"]:
        assert graded.score("box", student) == (1.0, 1.0), student


def test_nothing_of_the_student_before_reaches_the_next(graded: Course):
    eve = _seen(graded, "eve")
    assert "box.ipynb" in eve["files"] and "left_by_mallory.txt" not in eve["files"]  # a copy of its own folder
    assert "left_by_mallory.txt" not in eve["tmp"]
    assert eve["mean"] == 2.0  # numpy as imported, not as mallory patched it
    assert not eve["planted_module"] and not eve["environment"]
    assert "sleep" not in eve["processes"]
    assert "LEFT_BY_MALLORY" not in eve["names"]
    mallorys = np.random.RandomState(SEED).random_sample()
    assert eve["numpy_random"] != mallorys  # the global generator is not the one mallory seeded
    import random

    assert eve["python_random"] != random.Random(SEED).random()


def test_a_warm_kernel_looks_to_the_notebook_like_a_cold_one(graded: Course):
    """Same names (the warm-up binds none), same history and execution count (it is not in the history), same
    working folder, same /tmp; a kernel process of its own."""
    cold, warm = _seen(graded, "first"), _seen(graded, "eve")
    assert warm["kernel"] != cold["kernel"]
    for key in ["names", "files", "mean", "execution_count", "history"]:
        assert warm[key] == cold[key], key
    # /tmp holds the kernel's own folder (confined-kernel-<random>) and what ipykernel writes at start.
    assert _without_random_suffix(warm["tmp"]) == _without_random_suffix(cold["tmp"])


def _without_random_suffix(names: list[str]) -> list[str]:
    return sorted(re.sub(r"^(confined-kernel-).*", r"\1", name) for name in names)


def test_the_warm_up_binds_no_name():
    namespace: dict = {}
    exec(warm_up_code(("json", "numpy")), namespace)
    assert set(namespace) == {"__builtins__"}


# Kept for the module: a spare dies with the thread that started it (see SpareKernels).
SPARES_OF_THIS_MODULE = SpareKernels()


def test_a_spare_that_cannot_warm_up_is_not_tried_again(tmp_path):
    """A course naming a module its environment lacks (or a machine without bubblewrap, where kernels run
    unconfined if allowed) costs one failed spare, not one per notebook."""
    (tmp_path / "work").mkdir()
    config = Config()
    config.ConfinedKernelManager.course_root = str(tmp_path / "course")
    order = KernelOrder.of(ConfinedKernelManager, config, "python3", [], ("no_such_module_for_a_spare",))
    spares = SPARES_OF_THIS_MODULE
    assert spares.take(order, tmp_path / "work") is None and spares.holds_spare  # nothing yet: one starts
    assert spares.take(order, tmp_path / "work") is None  # its warm-up failed
    assert "No module named 'no_such_module_for_a_spare'" in spares.failed[order]
    assert not spares.holds_spare  # and no other is started for this kind of notebook
