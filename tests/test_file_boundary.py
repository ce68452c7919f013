"""Nothing a notebook leaves behind, and nothing odd in a submission folder, is followed by the grader.

A ps1 class graded through the instructor's command (``make grade``: grade_class), once as root and once as
an ordinary user with the course in their home.  Beside an honest student and a victim, hostile students:

- ``attack_links`` (notebook code only): while it runs, swaps its own notebook for a symlink to the victim's
  submitted notebook, and plants links to a hidden grader, a 0600 file of the course and /etc/shadow, and a
  FIFO.  Before, nbgrader (as root) then wrote the graded notebook through the link into the victim's
  submission, made the 0600 file world-readable and copied the grader into the attacker's feedback.
- ``attack_gradebook``: swaps its notebook for a symlink to gradebook.db (before: the gradebook became
  notebook JSON and the rest of the class was not graded).
- ``flood``: 6 x 50 MB of text/html and a 50 MB exception message (before: a 400 MB graded notebook and a
  2.2 GB grader).
- ``links_in_folder``, ``fifo_notebook``, ``link_via_exchange``: a submitted folder with symlinks (to a
  hidden grader, gradebook.db, another student's notebook, /etc/shadow, /dev/zero), a FIFO in place of the
  notebook, and a symlink handed in through the exchange (before: dereferenced as root, or blocking).

What must hold: the honest student's file, score and feedback are unchanged; the gradebook is intact and has
everyone who could be graded; no file outside the graded and feedback folders changes content or mode; no
attacker scores above the honest work beneath it; the run finishes and names every hostile student among
those who need a look.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import stat
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from hidden_material import leaked
from instructors import INSTRUCTORS, ROOT, Instructor, peak_mib

from conftest import TEST_SETTINGS, auto_scores
from course_kit.instructor import Course, copy_course
from course_kit.instructor.samples import Sample, build_submission, read_sample

REPO = Path(__file__).resolve().parents[1]
ASSIGNMENT = "ps1_naive_loss"
NOTEBOOK = "naive_loss.ipynb"
CELLS = ["test_sigmoid", "test_naive_bce", "test_first_inf_logit"]

ATTACK_LINKS = """import os
os.remove("naive_loss.ipynb")
os.symlink("{course}/submitted/victim/ps1_naive_loss/naive_loss.ipynb", "naive_loss.ipynb")
os.symlink("{course}/graders/ps1_naive_loss/test_sigmoid.py", "leak.py")
os.symlink("{course}/private0600.txt", "private.txt")
os.symlink("/etc/shadow", "shadow.txt")
os.mkfifo("pipe.txt")
print("ATTACK-RAN:attack_links")
"""
# The same guarantees for either instructor: the course hidden, no network (the port is the test's own
# listener on the host's loopback, which a kernel with a network namespace of its own cannot reach).
PROBE = """import json, os, socket
def _try(action):
    try:
        action()
        return "reached"
    except Exception as error:
        return type(error).__name__
print("PROBE", json.dumps({{
    "gradebook": _try(lambda: open("{course}/gradebook.db", "rb").read(1)),
    "grader": _try(lambda: open("{course}/graders/ps1_naive_loss/test_sigmoid.py").read(1)),
    "other student": _try(lambda: open("{course}/submitted/victim/ps1_naive_loss/naive_loss.ipynb").read(1)),
    "host loopback": _try(lambda: socket.create_connection(("127.0.0.1", {port}), timeout=3)),
    "swap its working folder": _try(lambda: os.rename(os.getcwd(), os.getcwd() + ".old")),
}}))
"""
ATTACK_GRADEBOOK = """import os
os.remove("naive_loss.ipynb")
os.symlink("{course}/gradebook.db", "naive_loss.ipynb")
print("ATTACK-RAN:attack_gradebook")
"""
FLOOD_HTML = """from IPython.display import HTML, display
_blob = HTML("<p>" + "x" * (50 * 2**20) + "</p>")
for _ in range(6):
    display(_blob)
del _blob
"""
FLOOD_ERROR = 'raise ValueError("y" * (50 * 2**20))\n'
HOSTILE = ["attack_links", "attack_gradebook", "links_in_folder", "fifo_notebook", "link_via_exchange"]
REFUSED = {"links_in_folder": "is a symlink", "fifo_notebook": "is a named pipe", "link_via_exchange": "is a symlink"}


@dataclass
class GradedClass:
    instructor: Instructor
    course: Course
    before: subprocess.CompletedProcess[str]  # honest and victim alone
    after: subprocess.CompletedProcess[str]  # then the whole class
    scores_before: dict[str, tuple[float, float] | None]
    feedback_before: dict[str, str]
    tree_before: dict[str, tuple[str, int]]

    @property
    def root(self) -> Path:
        return self.course.course_dir


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _tree(root: Path) -> dict[str, tuple[str, int]]:
    """path -> (sha256 or link target, mode) of every entry but the graded and feedback folders and gradebook."""
    entries = {}
    for folder, dirs, files in os.walk(root):
        rel = Path(folder).relative_to(root)
        if rel.parts[:1] in [("autograded",), ("feedback",)]:
            continue
        for name in dirs + files:
            path = Path(folder) / name
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode):
                content = "-> " + os.readlink(path)
            elif stat.S_ISREG(info.st_mode) and not name.startswith("gradebook.db"):
                content = _sha(path)
            else:
                content = ""
            entries[str(rel / name)] = (content, stat.S_IMODE(info.st_mode))
    entries["/etc/shadow"] = ("", stat.S_IMODE(os.stat("/etc/shadow").st_mode))
    return entries


def _feedback(root: Path, student: str) -> str:
    return _sha(root / "feedback" / student / ASSIGNMENT / NOTEBOOK.replace(".ipynb", ".html"))


def _submit_class(course: Course, flood: bool, port: int) -> None:
    root = course.course_dir
    course.release(ASSIGNMENT)
    release, source = course.release_notebook(ASSIGNMENT), course.source_notebook(ASSIGNMENT)
    library = REPO / "samples" / ASSIGNMENT
    honest = read_sample(library / "reference.py", library)

    def hostile(name: str, **sections: str) -> Sample:
        code = {f"before {cell}": text.format(course=root, port=port) for cell, text in sections.items()}
        return Sample(name, name, code, "reference")

    students = {
        "honest": honest,
        "victim": read_sample(library / "partially_right.py", library),
        "attack_links": hostile("attack_links", sigmoid=PROBE + ATTACK_LINKS),
        "attack_gradebook": hostile("attack_gradebook", sigmoid=ATTACK_GRADEBOOK),
        "links_in_folder": honest,
        "fifo_notebook": honest,
        "link_via_exchange": honest,
    }
    if flood:  # measured once, as root: what it costs the grader does not depend on who grades
        students["flood"] = hostile("flood", sigmoid=FLOOD_HTML, first_inf_logit=FLOOD_ERROR)
    for student, sample in students.items():
        course.submit(student, ASSIGNMENT, {release.name: build_submission(release, source, sample)})
    # A student with write access to a shared exchange puts a link among the files handed in.
    (inbound,) = (root / "exchange").glob(f"*/inbound/link_via_exchange+{ASSIGNMENT}+*")
    (inbound / "notes.txt").symlink_to(root / "graders" / ASSIGNMENT / "test_sigmoid.py")
    course.collect(ASSIGNMENT)
    # However they got there (an archive unpacked, a copy by hand): links and a FIFO in submitted folders.
    folder = root / "submitted" / "links_in_folder" / ASSIGNMENT
    for name, target in [("hidden.py", root / "graders" / ASSIGNMENT / "test_sigmoid.py"),
                         ("gradebook.db", root / "gradebook.db"), ("other.ipynb", root / "submitted" / "victim"
                                                                   / ASSIGNMENT / NOTEBOOK),
                         ("shadow", Path("/etc/shadow")), ("zero", Path("/dev/zero"))]:
        (folder / name).symlink_to(target)
    fifo = root / "submitted" / "fifo_notebook" / ASSIGNMENT / NOTEBOOK
    fifo.unlink()
    os.mkfifo(fifo)
    private = root / "private0600.txt"
    private.write_text("the instructor's notes")
    private.chmod(0o600)


def _submitted_class(instructor: Instructor, base: Path, port: int) -> Course:
    """The class, submitted and collected (in this process), owned by the instructor."""
    instructor.create()
    parent = base if instructor is ROOT else instructor.home()
    course_dir = copy_course(REPO, parent / "from_logits", [ASSIGNMENT])
    with (course_dir / "nbgrader_config.py").open("a") as config:
        config.write(TEST_SETTINGS)
    course = Course(course_dir)
    _submit_class(course, flood=instructor is ROOT, port=port)
    instructor.give(course_dir)
    return course


def _graded_class(instructor: Instructor, course: Course) -> GradedClass:
    """Honest and victim graded alone, then the whole class, each followed by feedback: as the instructor."""
    course_dir = course.course_dir
    feedback = [sys.executable, "-m", "nbgrader", "generate_feedback", ASSIGNMENT, "--force", "--log-level=WARN"]
    before = instructor.grade(course_dir, ASSIGNMENT, "--student", "honest", "--student", "victim")
    assert before.returncode == 0, before.stdout + before.stderr
    assert instructor.run(feedback, course_dir).returncode == 0
    scores_before = {s: course.score(ASSIGNMENT, s) for s in ["honest", "victim"]}
    feedback_before = {s: _feedback(course_dir, s) for s in ["honest", "victim"]}
    tree_before = _tree(course_dir)

    after = instructor.grade(course_dir, ASSIGNMENT)  # the rest of the class, graded after honest and victim
    instructor.run(feedback, course_dir)
    return GradedClass(instructor, course, before, after, scores_before, feedback_before, tree_before)


@pytest.fixture(scope="module")
def graded_classes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, GradedClass | str]:
    """Instructor name -> its graded class (or why it cannot be played here).  Both classes are graded at
    once: grading is mostly waiting on kernels, and the two courses share nothing."""
    available = [i for i in INSTRUCTORS if i.unavailable() is None]
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.settimeout(0)
        port = listener.getsockname()[1]
        courses = {i.name: _submitted_class(i, tmp_path_factory.mktemp("boundary"), port) for i in available}
        with ThreadPoolExecutor(max_workers=len(INSTRUCTORS)) as pool:
            futures = {i.name: pool.submit(_graded_class, i, courses[i.name]) for i in available}
        graded: dict[str, GradedClass | str] = {name: future.result() for name, future in futures.items()}
        with pytest.raises(BlockingIOError):  # no kernel reached the host's loopback
            listener.accept()
    return graded | {i.name: str(i.unavailable()) for i in INSTRUCTORS if i not in available}


@pytest.fixture(params=INSTRUCTORS, ids=[i.name for i in INSTRUCTORS])
def graded_class(request: pytest.FixtureRequest, graded_classes: dict[str, GradedClass | str]) -> GradedClass:
    graded = graded_classes[request.param.name]
    if isinstance(graded, str):
        request.node.add_marker(pytest.mark.safety_feature(f"the file boundary when grading as {request.param.name}"))
        pytest.skip(graded)
    return graded


def test_the_run_finishes_and_names_every_hostile_student(graded_class: GradedClass):
    run = graded_class.after
    assert run.returncode == 1, run.stdout + run.stderr[-3000:]
    lines = {line.split()[0]: line for line in run.stdout.splitlines() if line.startswith("  ")}
    for student in HOSTILE + (["flood"] if graded_class.instructor is ROOT else []):
        assert "NEEDS A LOOK" in lines[student], run.stdout
    for student, reason in REFUSED.items():
        assert "not graded" in lines[student] and reason in lines[student], lines[student]
    for student in ["attack_links", "attack_gradebook"]:
        assert "planted in its working folder" in lines[student] and "symlink" in lines[student], lines[student]
    assert "named pipe" in lines["attack_links"]
    assert "NEEDS A LOOK" not in lines["honest"]


def test_the_honest_students_file_score_and_feedback_are_unchanged(graded_class: GradedClass):
    course = graded_class.course
    for student in ["honest", "victim"]:
        assert course.score(ASSIGNMENT, student) == graded_class.scores_before[student]
        assert _feedback(graded_class.root, student) == graded_class.feedback_before[student], student
    assert graded_class.scores_before["honest"] == (7.0, 7.0)
    # The victim's submission is still the victim's own notebook.
    victim = nbformat.read(graded_class.root / "submitted" / "victim" / ASSIGNMENT / NOTEBOOK, as_version=4)
    assert "os.symlink" not in "".join(cell.source for cell in victim.cells)


def test_no_file_outside_the_graded_folders_changes_content_or_mode(graded_class: GradedClass):
    after = _tree(graded_class.root)
    changed = {p: (graded_class.tree_before.get(p), after.get(p)) for p in set(after) | set(graded_class.tree_before)
               if graded_class.tree_before.get(p) != after.get(p)}
    assert not changed, changed


def test_the_gradebook_is_intact_and_complete(graded_class: GradedClass):
    scores = auto_scores(graded_class.course, ASSIGNMENT)  # reads the SQLite gradebook: it is still one
    graded = ["honest", "victim", "attack_links", "attack_gradebook"]
    graded += ["flood"] if graded_class.instructor is ROOT else []
    assert sorted(scores) == sorted(graded), scores
    for student in graded:
        assert all(scores[student].get(cell) is not None for cell in CELLS), (student, scores[student])


def test_no_attacker_scores_above_the_honest_work_beneath_it(graded_class: GradedClass):
    honest = graded_class.course.score(ASSIGNMENT, "honest")
    for student in ["attack_links", "attack_gradebook", "flood"]:
        score = graded_class.course.score(ASSIGNMENT, student)
        assert score is None or score[0] <= honest[0], student


def _printed(root: Path, student: str) -> str:
    graded = nbformat.read(root / "autograded" / student / ASSIGNMENT / NOTEBOOK, as_version=4)
    return "".join(str(o.get("text", "")) for cell in graded.cells for o in cell.get("outputs", []))


def test_every_attack_ran(graded_class: GradedClass):
    """Each notebook attack printed its marker after its last step, and the flood reached the output budget (a
    line printed after it would be cut to the budget's note): nothing below passes because an attack did nothing."""
    for student in ["attack_links", "attack_gradebook"]:
        assert f"ATTACK-RAN:{student}" in _printed(graded_class.root, student), student
    if graded_class.instructor is ROOT:
        graded = nbformat.read(graded_class.root / "autograded" / "flood" / ASSIGNMENT / NOTEBOOK, as_version=4)
        assert "[output cut by the grader:" in json.dumps([c.get("outputs", []) for c in graded.cells])


def test_nothing_hidden_reaches_a_graded_or_feedback_folder(graded_class: GradedClass):
    secret = (graded_class.root / "graders" / ASSIGNMENT / "test_sigmoid.py").read_text()
    looked_at = set()
    for top in ["autograded", "feedback"]:
        for path in (graded_class.root / top).rglob("*"):
            assert not path.is_symlink(), path
            if path.is_file():
                text = path.read_text(errors="replace")
                assert secret not in text and "the instructor's notes" not in text, path
                assert not leaked(text, ASSIGNMENT), (path, leaked(text, ASSIGNMENT)[:3])
                looked_at.add(path.relative_to(graded_class.root))
    # There was something to look at: every graded student's notebook and feedback (the attackers' included).
    for student in ["honest", "victim", "attack_links", "attack_gradebook"]:
        assert Path("autograded", student, ASSIGNMENT, NOTEBOOK) in looked_at, student
        assert Path("feedback", student, ASSIGNMENT, NOTEBOOK.replace(".ipynb", ".html")) in looked_at, student
    for student in REFUSED:
        assert not (graded_class.root / "autograded" / student).exists()


def test_a_flood_of_outputs_is_cut_and_costs_the_grader_little(graded_class: GradedClass):
    if graded_class.instructor is not ROOT:
        pytest.skip("the flood is graded once, by root")
    graded = graded_class.root / "autograded" / "flood" / ASSIGNMENT / NOTEBOOK
    assert graded.stat().st_size < 8 * 2**20, graded.stat().st_size
    nb = nbformat.read(graded, as_version=4)
    errors = [o for cell in nb.cells for o in cell.get("outputs", []) if o.output_type == "error"]
    assert errors and all(len(o.evalue) < 300_000 for o in errors)
    # 350 MB of output went past the grader: it holds a bounded part of it (before: a 2.2 GB grader).
    grown = peak_mib(graded_class.after) - peak_mib(graded_class.before)
    assert grown < 500, f"the grader grew by {grown} MiB grading the flood"


def test_an_ordinary_user_grades_without_a_memory_cgroup_and_is_told(graded_class: GradedClass):
    if graded_class.instructor is ROOT:
        pytest.skip("root has a memory cgroup on these machines")
    assert "No per-notebook memory cap" in graded_class.before.stderr, graded_class.before.stderr[-2000:]


def test_the_kernel_sees_no_course_and_no_network(graded_class: GradedClass):
    graded = nbformat.read(graded_class.root / "autograded" / "attack_links" / ASSIGNMENT / NOTEBOOK, as_version=4)
    text = "".join(o.get("text", "") for cell in graded.cells for o in cell.get("outputs", []))
    probe = json.loads(next(line for line in text.splitlines() if line.startswith("PROBE ")).removeprefix("PROBE "))
    swap = probe.pop("swap its working folder")  # its folder is a mount point in a parent it cannot write
    assert swap in {"PermissionError", "OSError"}, swap
    assert probe == {"gradebook": "FileNotFoundError", "grader": "FileNotFoundError",
                     "other student": "FileNotFoundError", "host loopback": "ConnectionRefusedError"}, probe
