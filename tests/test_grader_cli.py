"""`pytest graders/<assignment> --submission x.ipynb` grades one notebook without nbgrader."""

import subprocess
import sys

import nbformat
import pytest

from conftest import REPO


def _grade_by_hand(assignment: str, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", f"graders/{assignment}", "-p", "no:cacheprovider", *extra],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )


def test_source_notebook_passes_every_check():
    # One assignment: the hand-run path is the same for all (nbgrader's path grades every source notebook).
    run = _grade_by_hand("ps2_stable_loss")
    assert run.returncode == 0, run.stdout[-3000:]
    total = [line for line in run.stdout.splitlines() if line.startswith("total: ")]
    earned, _, possible = total[-1].removeprefix("total: ").partition(" / ")
    assert float(earned) == float(possible) > 0


def test_unanswered_release_scores_zero_with_reasons(tmp_path):
    assignment = "ps1_naive_loss"
    (release,) = (REPO / "release" / assignment).glob("*.ipynb")
    path = tmp_path / release.name
    path.write_bytes(release.read_bytes())
    run = _grade_by_hand(assignment, "--submission", str(path))
    assert run.returncode == 1
    assert "total: 0 / " in run.stdout
    assert "NotImplementedError" in run.stdout


def test_a_hand_graded_notebook_runs_confined_in_a_copy(tmp_path):
    """A submission whose sigmoid only works if it can read the hidden graders scores nothing by hand too."""
    assignment = "ps1_naive_loss"
    (release,) = (REPO / "release" / assignment).glob("*.ipynb")
    nb = nbformat.read(release, as_version=4)
    peek = (
        "import numpy as np\n"
        "try:\n"
        f"    open({str(REPO / 'graders' / 'conftest.py')!r}).read()\n"
        "    def sigmoid(z):\n"
        "        return 1 / (1 + np.exp(-np.asarray(z, dtype=float)))\n"
        "except OSError as error:\n"
        "    print(error)\n"
        "open('written_by_the_notebook.txt', 'w').write('x')\n"
    )
    nb.cells.append(nbformat.v4.new_code_cell(peek))
    path = tmp_path / release.name
    nbformat.write(nb, path)
    before = path.read_bytes()
    run = _grade_by_hand(assignment, "--submission", str(path))
    assert "test_sigmoid: 0 / " in run.stdout, run.stdout[-3000:]
    assert path.read_bytes() == before and not (tmp_path / "written_by_the_notebook.txt").exists()


@pytest.mark.filterwarnings("ignore::pytest.PytestUnknownMarkWarning")  # the grader module's marks, imported here
def test_a_hand_run_draws_fixed_inputs_or_a_students_own(tmp_path):
    """By hand the random hidden inputs come from fixed public seeds; `--student ada` draws ada's, from the course's
    secret, as autograde does.  The submission's sigmoid raises a digest of its input, which pytest's report shows."""
    import hashlib
    import importlib.util

    import numpy as np

    from course_kit.grading.hidden_seeds import HiddenSeeds, course_secret
    from course_kit.instructor import copy_course

    assignment = "ps1_naive_loss"
    course = copy_course(REPO, tmp_path / "course", assignments=[assignment])
    (release,) = (REPO / "release" / assignment).glob("*.ipynb")
    nb = nbformat.read(release, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(
        "import hashlib\n"
        "def sigmoid(z):\n"
        "    raise RuntimeError('DIGEST ' + hashlib.sha256(z.tobytes()).hexdigest()[:16])\n"
    ))
    path = tmp_path / release.name
    nbformat.write(nb, path)
    grader = course / "graders" / assignment / "test_sigmoid.py"
    spec = importlib.util.spec_from_file_location("hand_run_sigmoid", grader)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    def digest_of_inputs(seeds: HiddenSeeds) -> str:
        flat, _ = module.random_grids(np.float64, seeds.seed("test_sigmoid"))
        return "DIGEST " + hashlib.sha256(flat.tobytes()).hexdigest()[:16]

    for extra, seeds in [((), None), (("--student", "ada"), "ada")]:
        run = subprocess.run([sys.executable, "-m", "pytest", f"graders/{assignment}", "-p", "no:cacheprovider",
                              "--submission", str(path), "-k", "random_grids", *extra],
                             cwd=course, capture_output=True, text=True, timeout=300)
        if seeds is None:
            expected = digest_of_inputs(HiddenSeeds.hand_run("from_logits", assignment))
        else:
            expected = digest_of_inputs(HiddenSeeds(course_secret(course), "from_logits", assignment, seeds))
        assert expected in run.stdout, run.stdout[-3000:]
