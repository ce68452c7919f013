"""Student kernels run confined: real kernels under ConfinedKernelManager, in a decoy course directory.

Each test starts real kernels (about a second each) and asserts what student
code can and cannot do from inside; the last one runs real ``nbgrader
autograde`` on a submission that goes looking for the gradebook and graders.
"""

from __future__ import annotations

import json
import logging
import os
import resource
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError
from nbformat import NotebookNode
from traitlets.config import Config

from conftest import REPO, processes_matching
from course_kit.config import load_course_config
from course_kit.confinement import ConfinedKernelManager, ConfinementError, notebook_cgroup
from course_kit.confinement.sandbox import SandboxPlan
from course_kit.confinement.warm_kernels import KernelOrder, SpareKernels
from course_kit.instructor import Course, copy_course

# Per test, not for the file: the configuration and the refusal without bubblewrap are checked everywhere.
needs_bwrap = pytest.mark.safety_feature(
    "the sandbox (bubblewrap)", missing="bubblewrap is not installed" if shutil.which("bwrap") is None else None)
NO_CGROUP = notebook_cgroup.available()  # None where notebook cgroups can be made (as root: made), else why not
needs_a_cgroup = pytest.mark.safety_feature("per-notebook memory cap", missing=NO_CGROUP)

SECRET = "TOP-SECRET-decoy-7f3a"
STUDENT = "alice"
# Everything in a course directory that a kernel grading alice's a1 must not read, relative to the course root.
DECOYS = [
    "gradebook.db",
    "course_config.py",
    "nbgrader_config.py",
    "graders/a1/test_hidden.py",
    "source/a1/a1.ipynb",
    "release/a1/a1.ipynb",
    "exchange/course/inbound/bob+a1+2024/a1.ipynb",
    "submitted/alice/a1/a1.ipynb",
    "submitted/bob/a1/a1.ipynb",
    "autograded/bob/a1/a1.ipynb",
    "feedback/bob/a1/a1.html",
]
LOG = logging.getLogger("test_confinement")
CONNECT_TIMEOUT_S = 10  # the probe's connect timeout: a blocked connection must fail before it, with an error


@pytest.fixture
def course_root(tmp_path: Path) -> Path:
    root = tmp_path / "course"
    for rel in DECOYS:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(SECRET)
    (root / "autograded" / STUDENT / "a1").mkdir(parents=True)
    return root


def workdir(root: Path) -> Path:
    return root / "autograded" / STUDENT / "a1"


class RecordedManager(ConfinedKernelManager):
    """Keeps the managers nbclient creates (and owns, so it shuts their kernels down) for the test to inspect."""

    made: list[ConfinedKernelManager] = []

    def __init__(self, **kwargs) -> None:
        super().__init__(log=LOG, **kwargs)
        RecordedManager.made.append(self)


def run_cells(
    cells: list[str], root: Path, timeout: int = 30, interrupt_on_timeout: bool = False, warm: bool = False,
    **traits
) -> tuple[NotebookNode, float]:
    """Execute ``cells`` in a fresh confined kernel working in alice's a1 folder; (notebook, seconds).

    ``warm``: in a spare kernel (``warm_kernels``), started and its numpy imported before the folder was lent."""
    config = Config()
    config.ConfinedKernelManager.course_root = str(root)
    for name, value in traits.items():
        setattr(config.ConfinedKernelManager, name, value)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    spare = spare_kernel(config, workdir(root)) if warm else None
    client = NotebookClient(
        nb, km=spare, kernel_manager_class=RecordedManager, kernel_name="python3", config=config, timeout=timeout,
        interrupt_on_timeout=interrupt_on_timeout, allow_errors=True,
        resources={"metadata": {"path": str(workdir(root))}},
    )
    start = time.monotonic()
    client.execute(cleanup_kc=True)  # a manager handed to nbclient is otherwise left running
    return nb, time.monotonic() - start


# Kept for the whole module: a kernel dies with the thread that started it (bwrap --die-with-parent is the
# parent *thread*'s death signal), and a SpareKernels' starter thread ends when the object is collected.
SPARES_OF_THIS_MODULE = SpareKernels()


def spare_kernel(config: Config, folder: Path) -> ConfinedKernelManager:
    """A spare kernel as a grading worker would get it: the first ``take`` starts it, the second lends it ``folder``."""
    spares = SPARES_OF_THIS_MODULE
    served = spares.served
    order = KernelOrder.of(RecordedManager, config, "python3", [], ("numpy",))
    try:
        assert spares.take(order, folder) is None  # nothing started yet: this starts the spare
        manager = spares.take(order, folder)
        assert manager is not None and spares.served == served + 1
        return manager
    finally:
        spares.close()  # the spare the second take started


def stdout(cell: NotebookNode) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream" and o.name == "stdout")


def errors(cell: NotebookNode) -> list[str]:
    return [o.ename for o in cell.outputs if o.output_type == "error"]


PROBE = '''
import json, os, socket, sys, time

def attempt(action):
    start = time.monotonic()
    try:
        result = action()
        return {"ok": True, "result": repr(result)[:200], "seconds": time.monotonic() - start}
    except BaseException as error:
        return {"ok": False, "error": f"{type(error).__name__}: {error}", "seconds": time.monotonic() - start}

def read(path):
    with open(path) as f:
        return f.read()

def write(path):
    with open(path, "w") as f:
        f.write("pwned")
'''


@needs_bwrap
@pytest.mark.parametrize("kernel", ["cold", "warm"])
def test_kernel_sees_and_reaches_only_its_own_folder(course_root: Path, monkeypatch, kernel: str):
    """A spare kernel ("warm": started, its numpy imported, before it was lent the folder) is as confined."""
    monkeypatch.setenv("COURSE_KIT_TEST_TOKEN", "ghp_not_for_students")
    host_tmp_marker = f"/tmp/confined-probe-{os.getpid()}"
    listener = socket.create_server(("127.0.0.1", 0))
    listener.setblocking(False)  # a connection that got through is queued by the time the kernel's attempt returns
    port = listener.getsockname()[1]
    root = str(course_root)
    checks = f'''
report = {{
    "exists": {{rel: os.path.lexists(os.path.join({root!r}, rel)) for rel in {DECOYS!r}}},
    "relative": {{p: attempt(lambda p=p: read(p)) for p in
                 ["../../../gradebook.db", "../../../graders/a1/test_hidden.py", "../../bob/a1/a1.ipynb"]}},
    "list_root": attempt(lambda: os.listdir({root!r})),
    "list_autograded": attempt(lambda: os.listdir(os.path.join({root!r}, "autograded"))),
    "list_graders": attempt(lambda: os.listdir(os.path.join({root!r}, "graders"))),
    "cwd": os.getcwd(),
    "write_outside": {{p: attempt(lambda p=p: write(p)) for p in
                      ["../../../gradebook.db", "../../../graders/a1/test_hidden.py", "../../bob/x.txt",
                       os.path.join({root!r}, "autograded", "alice", "a1", "x.txt"), "/etc/confined-probe",
                       sys.prefix + "/confined-probe", "/confined-probe"]}},
    "write_workdir": attempt(lambda: write("answer.txt")),
    "write_tmp": attempt(lambda: write({host_tmp_marker!r})),
    "net_external": attempt(lambda: socket.create_connection(("192.0.2.1", 80), timeout={CONNECT_TIMEOUT_S})),
    "net_host_loopback": attempt(lambda: socket.create_connection(("127.0.0.1", {port}),
                                                                  timeout={CONNECT_TIMEOUT_S})),
    "dns": attempt(lambda: socket.getaddrinfo("example.com", 80)),
    "uid": os.getuid(),
    "cap_eff": [l for l in read("/proc/self/status").splitlines() if l.startswith("CapEff")][0],
    "processes": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
    "token": os.environ.get("COURSE_KIT_TEST_TOKEN"),
    "sysctl": attempt(lambda: write("/proc/sys/kernel/hostname")),
}}
print(json.dumps(report))
'''
    nb, _ = run_cells([PROBE, checks], course_root, warm=kernel == "warm")
    assert errors(nb.cells[1]) == [], nb.cells[1].outputs
    report = json.loads(stdout(nb.cells[1]))

    # Nothing of the course but the kernel's own folder exists for it.
    assert not any(report["exists"].values()), report["exists"]
    for path, outcome in report["relative"].items():
        assert not outcome["ok"] and "FileNotFoundError" in outcome["error"], (path, outcome)
    assert report["list_root"]["result"] == "[]"  # an empty folder: the course is not there
    assert "FileNotFoundError" in report["list_autograded"]["error"]
    assert "FileNotFoundError" in report["list_graders"]["error"]
    assert not report["cwd"].startswith(root)  # it works in a private copy, outside the course

    # It writes its own folder and a private /tmp, nothing else.
    for path, outcome in report["write_outside"].items():
        assert not outcome["ok"], (path, outcome)
    assert report["write_workdir"]["ok"]
    assert not (workdir(course_root) / "answer.txt").exists()  # written in the private copy, gone with it
    assert report["write_tmp"]["ok"] and not os.path.exists(host_tmp_marker)
    assert not report["sysctl"]["ok"]
    for rel in DECOYS:
        assert (course_root / rel).read_text() == SECRET, rel
    assert not (course_root / "autograded" / "bob" / "x.txt").exists()
    assert not (course_root / "autograded" / STUDENT / "x.txt").exists()

    # No network: fails at once with a clear error, not at the 10 s connect timeout; the host's loopback services
    # are out of reach.  (How fast "at once" is on an idle machine: `make bench`, not here.)
    assert "Network is unreachable" in report["net_external"]["error"]
    # refused by the sandbox's own empty loopback (or unreachable): an error, not a timeout
    assert report["net_host_loopback"]["error"].split(":")[0] in ("ConnectionRefusedError", "OSError"), report
    assert all(report[k]["seconds"] < CONNECT_TIMEOUT_S for k in ("net_external", "net_host_loopback"))
    with pytest.raises(BlockingIOError):
        listener.accept()
    listener.close()
    assert "gaierror" in report["dns"]["error"], report["dns"]  # no resolver: an error, not a wait

    # No privileges, no view of other processes, none of the grader's secrets.
    if os.geteuid() == 0:
        assert report["uid"] == 65534
    assert report["cap_eff"].split()[1] == "0000000000000000"
    assert len(report["processes"]) < 10, report["processes"]
    assert report["token"] is None
    # nbgrader's folder was never the kernel's: same owner, nothing added.
    assert workdir(course_root).stat().st_uid == os.geteuid()
    assert list(workdir(course_root).iterdir()) == []


@needs_bwrap
def test_memory_and_disk_bombs_fail_and_the_kernel_survives(course_root: Path):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cells = [
        "x = bytearray(2 * 1024**3)",  # one huge allocation
        "chunks = []\nwhile True:\n    chunks.append(bytearray(50 * 1024**2))",  # creeping growth
        "del chunks\nimport numpy as np\ny = np.ones(10**10)",
        "import mmap\nm = mmap.mmap(-1, 4 * 1024**3)",  # shared memory: only RLIMIT_AS counts it
        "with open('big.bin', 'wb') as f:\n    f.write(bytes(2 * 1024**2))",  # RLIMIT_FSIZE: 1 MiB
        "for i in range(20):\n    with open(f'/tmp/fill{i}', 'wb') as f:\n        f.write(bytes(1024**2))",
        "print('still alive')",
    ]
    nb, _ = run_cells(
        cells, course_root, process_data_limit_mb=512, address_space_limit_mb=2048, file_size_limit_mb=1, tmp_size_mb=8
    )
    assert [errors(c) for c in nb.cells[:6]] == [["MemoryError"]] * 3 + [["OSError"]] * 3
    assert "File too large" in nb.cells[4].outputs[0].evalue
    assert "No space left on device" in nb.cells[5].outputs[0].evalue
    assert stdout(nb.cells[6]) == "still alive\n"  # every cell ended within its timeout (else CellTimeoutError)
    # The test process itself never held the bomb (ru_maxrss is in KiB).
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200 * 1024


# Touches every page, says so on stdout, then holds them until its stdin closes: the kernel closes the hogs'
# stdins once each has said so or died, so that all of them are alive at once (a pipe, not a sleep, decides).
HOG = "import sys; b = bytearray({mb} * 2**20); b[::4096] = bytes(len(b[::4096])); print('held', flush=True); " \
    "sys.stdin.read()"
HOGS = (
    "import subprocess, sys\n"
    "hogs = [subprocess.Popen([sys.executable, '-c', {hog!r}], stdin=subprocess.PIPE, stdout=subprocess.PIPE)\n"
    "        for _ in range(4)]\n"
    "held = [h.stdout.readline() for h in hogs]  # b'held\\n', or b'' from a hog killed first\n"
    "for h in hogs:\n"
    "    h.stdin.close()\n"
    "print(sorted(h.wait() for h in hogs))"
)


@needs_bwrap
@needs_a_cgroup
def test_memory_is_capped_for_the_whole_notebook_not_per_process(course_root: Path):
    # Four children of 200 MiB each, every one within the per-process cap: only a notebook-wide cap stops them.
    cells = [HOGS.format(hog=HOG.format(mb=200)), "print('kernel alive')"]
    nb, _ = run_cells(cells, course_root, process_data_limit_mb=300, notebook_memory_limit_mb=400)
    codes = json.loads(stdout(nb.cells[0]))
    assert codes.count(-9) >= 2, codes  # 800 MiB of hogs alive at once under a 400 MiB cap: SIGKILL
    assert stdout(nb.cells[1]) == "kernel alive\n"
    # Without the notebook cap all four fit.
    nb, _ = run_cells(cells[:1], course_root, process_data_limit_mb=300, notebook_memory_limit_mb=0)
    assert json.loads(stdout(nb.cells[0])) == [0, 0, 0, 0]


@needs_bwrap
@needs_a_cgroup
def test_a_notebook_over_its_memory_cap_is_stopped_with_the_reason(course_root: Path):
    # The kernel grows past the notebook's cap, within its own per-process one.
    cells = [
        "kept = []\n"
        "for _ in range(10):\n"
        "    kept.append(bytearray(50 * 2**20)); kept[-1][::4096] = bytes(len(kept[-1][::4096]))",
        "print('never')",
    ]
    with pytest.raises(DeadKernelError):
        run_cells(cells, course_root, process_data_limit_mb=1024, notebook_memory_limit_mb=400)
    assert "went over its memory limit (400 MiB" in (RecordedManager.made[-1].last_exit_reason or "")


@needs_bwrap
@pytest.mark.safety_feature("leftover processes killed with their notebook", missing=NO_CGROUP)
def test_processes_a_notebook_leaves_behind_are_killed_with_it(course_root: Path):
    nb, _ = run_cells(
        ["import subprocess\nleft = [subprocess.Popen(['sleep', '301']) for _ in range(5)]\nprint('started')"],
        course_root,
    )
    assert stdout(nb.cells[0]) == "started\n"
    # Gone by the time the kernel's resources are cleaned up: no polling needed.
    assert processes_matching("sleep 301") == []


@needs_a_cgroup
def test_a_grader_beside_another_leaves_its_empty_cgroups_alone():
    """Two graders at once: one must not remove the other's new cgroup before its kernel joins (it did)."""
    mine = notebook_cgroup.NotebookCgroup.create(2**30)  # empty: no kernel has joined yet
    stale = mine.path.parent / f"{notebook_cgroup.PREFIX}{2**22 + 1}-0"  # made by a grader that is gone
    stale.mkdir()
    try:
        other_grader = "from course_kit.confinement.notebook_cgroup import NotebookCgroup as Cgroup\n" \
            "Cgroup.create(2**30).remove()"
        subprocess.run([sys.executable, "-c", other_grader], check=True, cwd=REPO, timeout=120)
        assert mine.path.exists() and not stale.exists()
    finally:
        mine.remove()
        if stale.exists():
            stale.rmdir()


@needs_bwrap
def test_cpu_time_limit_kills_a_spinning_notebook(course_root: Path):
    # Dead (DeadKernelError), not interrupted at the cell timeout (CellTimeoutError): the CPU limit stopped it first.
    with pytest.raises(DeadKernelError):
        run_cells(["while True:\n    pass", "print('never')"], course_root, cpu_time_limit_s=1)
    assert "CPU time limit (1 s)" in (RecordedManager.made[-1].last_exit_reason or "")


@needs_bwrap
def test_process_and_thread_bombs_are_bounded(course_root: Path):
    bomb = """
import subprocess, threading
children, threads, refused = [], [], []
release = threading.Event()  # every thread lives until the loop has been refused: none ends early on a slow machine
try:
    for _ in range(200):
        children.append(subprocess.Popen(["sleep", "600"]))
except OSError as error:
    refused.append(type(error).__name__)
for child in children:
    child.kill()
    child.wait()
try:
    for _ in range(200):
        t = threading.Thread(target=release.wait)
        t.start()
        threads.append(t)
except RuntimeError as error:
    refused.append(type(error).__name__)
release.set()
for t in threads:
    t.join()
print(len(children), len(threads), refused)
"""
    nb, _ = run_cells([bomb], course_root, max_processes=40)  # within the cell's timeout, else CellTimeoutError
    assert errors(nb.cells[0]) == [], nb.cells[0].outputs
    n_children, n_threads, refused = stdout(nb.cells[0]).split(maxsplit=2)
    assert 0 < int(n_children) < 40 and 0 < int(n_threads) < 40
    assert refused.strip() == "['BlockingIOError', 'RuntimeError']"


@needs_bwrap
def test_per_cell_timeout_still_interrupts(course_root: Path):
    timeout = 2
    nb, seconds = run_cells(
        ["import time\ntime.sleep(10**6)", "print('next cell ran')"], course_root, timeout=timeout,
        interrupt_on_timeout=True,
    )
    # Interrupted (a sleep of 10**6 s does not end by itself), and not before its timeout.
    assert errors(nb.cells[0]) == ["KeyboardInterrupt"]
    assert stdout(nb.cells[1]) == "next cell ran\n"
    assert seconds >= timeout


def test_the_shipped_configuration_confines_autograding():
    config = load_course_config(REPO)
    assert config.ExecuteWithGraders.kernel_manager_class is ConfinedKernelManager
    assert config.ConfinedKernelManager.allow_unconfined is False


def test_refuses_without_bubblewrap(course_root: Path, tmp_path: Path):
    with pytest.raises(ConfinementError, match=r"bubblewrap not found.*allow_unconfined = True"):
        run_cells(["print('ran')"], course_root, bwrap_path=str(tmp_path / "no-such-bwrap"))


def test_opt_out_runs_unconfined_and_says_so(course_root: Path, tmp_path: Path, caplog, capfd):
    with caplog.at_level(logging.WARNING, logger=LOG.name):
        nb, _ = run_cells(
            ["print(open('../../../gradebook.db').read())"], course_root,
            bwrap_path=str(tmp_path / "no-such-bwrap"), allow_unconfined=True,
        )
    assert stdout(nb.cells[0]) == SECRET + "\n"  # unconfined indeed: this is what the opt-out costs
    assert any("STUDENT CODE RUNS UNCONFINED" in r.getMessage() for r in caplog.records)
    # Over ipc even then: a kernel on tcp logs "running over TCP without encryption" to its stderr, our fd 2.
    assert "without encryption" not in capfd.readouterr().err


def test_a_plan_that_would_uncover_a_hidden_path_is_refused(tmp_path: Path):
    plan = SandboxPlan(
        bwrap="bwrap", workdir=tmp_path, runtime_dir=tmp_path / "rt", hidden=[tmp_path / "course"],
        readonly=[], tmp_size_bytes=2**20, switch_user=False,
    )
    with pytest.raises(ConfinementError, match="contains the hidden path"):
        plan.bwrap_args()


# -- end to end: real nbgrader autograde -------------------------------------------------------------------

def _cell(source: str, grade_id: str, *, solution: bool = False, points: float | None = None) -> NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata.nbgrader = {
        "grade": points is not None, "grade_id": grade_id, "locked": not solution, "schema_version": 3,
        "solution": solution,
    }
    if points is not None:
        cell.metadata.nbgrader["points"] = points
    return cell


PEEK = """
import os
for path in ["{root}/gradebook.db", "{root}/graders/box/test_double.py", "{root}/course_config.py",
             "../../../gradebook.db"]:
    try:
        print(path, open(path, "rb").read()[:2000])
    except OSError as error:
        print(path, type(error).__name__)
for folder in ["{root}/graders", "{root}/submitted", "{root}/autograded", "."]:
    try:
        print(folder, os.listdir(folder))
    except OSError as error:
        print(folder, type(error).__name__)
"""


# Honest work beneath (double returns z, worth 0), and a numpy.save that, in the grader's snippet, plants a
# symlink to the grader's own expected answer: a grader (root) that followed it would score the cheat 2/2.
PLANT = """
import os
import numpy as np

def _plant(path, array, allow_pickle=False):
    os.symlink(os.path.abspath("../../../graders/box/expected.npy"), path)

np.save = _plant

def double(z):
    return z
"""


@pytest.fixture(scope="module")
def box_course(tmp_path_factory: pytest.TempPathFactory) -> Course:
    """A one-assignment course (the repo's configuration) whose hidden grader compares with a file beside it.

    Submitted and collected: mallory (peeks, then answers honestly), trudy (plants a symlink), eve (honest).
    """
    course = Course(copy_course(REPO, tmp_path_factory.mktemp("box") / "course", assignments=[]))
    root = course.course_dir
    (root / "source" / "box").mkdir(parents=True)
    nbformat.write(
        nbformat.v4.new_notebook(
            cells=[
                _cell("import numpy as np", "setup"),
                _cell("def double(z):\n    ### BEGIN SOLUTION\n    return 2 * z\n    ### END SOLUTION", "double",
                      solution=True),
                _cell("assert double(2.0) == 4.0", "test_double", points=2),
            ],
            metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        ),
        root / "source" / "box" / "box.ipynb",
    )
    graders = root / "graders" / "box"
    graders.mkdir(parents=True)
    np.save(graders / "expected.npy", np.array([2.0, -6.0]))
    (graders / "test_double.py").write_text(
        f'"""{SECRET}"""\nfrom pathlib import Path\n\nimport numpy as np\n\n\n'
        "def test_double(student):\n"
        '    """double doubles"""\n'
        "    expected = np.load(Path(__file__).with_name('expected.npy'))\n"
        "    assert student.call('double', np.array([1.0, -3.0])).tolist() == expected.tolist()\n"
    )
    course.release("box")
    release = nbformat.read(course.release_notebook("box"), as_version=4)
    peek = PEEK.format(root=root)  # the worst case: a student who knows where the course lives
    for student, answer in [("mallory", peek + "\ndef double(z):\n    return 2 * z\n"), ("trudy", PLANT),
                            ("eve", "def double(z):\n    return 2 * z\n")]:
        submission = nbformat.from_dict(release)
        submission.cells[1].source = answer
        course.submit(student, "box", {"box.ipynb": submission})
    course.collect("box")
    return course


@needs_bwrap
def test_autograde_a_submission_that_goes_looking_for_the_answers(box_course: Course):
    course, root = box_course, box_course.course_dir
    outcome = course.autograde("box", "mallory")
    assert outcome["success"], outcome.get("log")
    graded = nbformat.read(root / "autograded" / "mallory" / "box" / "box.ipynb", as_version=4)
    peeked = stdout(graded.cells[1])
    assert SECRET not in peeked and "SQLite" not in peeked
    for what in ["gradebook.db FileNotFoundError", "test_double.py FileNotFoundError",
                 "course_config.py FileNotFoundError", "graders FileNotFoundError", "submitted FileNotFoundError",
                 "autograded FileNotFoundError", "'box.ipynb'"]:  # its own private copy, nothing else
        assert what in peeked, peeked
    # The honest part still scores, through the hidden grader's calls into the confined kernel.
    assert course.score("box", "mallory") == (2.0, 2.0), stdout(graded.cells[2])
    assert "passed  double doubles" in stdout(graded.cells[2])


@needs_bwrap
def test_the_grader_follows_no_symlink_the_kernel_planted(box_course: Course):
    """The graders run as the instructor (often root) outside the sandbox, on files the kernel wrote."""
    course = box_course
    assert course.autograde("box", "trudy")["success"]
    graded = nbformat.read(course.course_dir / "autograded" / "trudy" / "box" / "box.ipynb", as_version=4)
    assert course.score("box", "trudy") == (0.0, 2.0), stdout(graded.cells[2])
    # The plant ran, under the grader's call: its link to the hidden answers met the answer file the grader had
    # already made (unplanted, the check would have failed on z's values instead).
    assert "expected.npy' -> " in stdout(graded.cells[2]), stdout(graded.cells[2])


def test_autograde_refuses_where_bubblewrap_is_missing(box_course: Course, tmp_path: Path):
    config = box_course.course_dir / "course_config.py"
    shipped = config.read_text()
    config.write_text(shipped + f"\nc.ConfinedKernelManager.bwrap_path = {str(tmp_path / 'no-such-bwrap')!r}\n")
    try:
        refused = Course(box_course.course_dir).autograde("box", "eve")
    finally:
        config.write_text(shipped)
    assert not refused["success"]
    assert "bubblewrap not found" in refused["log"] and "allow_unconfined = True" in refused["log"]
