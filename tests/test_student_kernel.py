"""StudentKernel: what crosses from a submission's kernel to a grader is plain numbers, or an error."""

from pathlib import Path

import nbformat
import numpy as np
import pytest

from course_kit.grading.notebook_kernel import executed_notebook
from course_kit.grading.stopped import Stopped
from course_kit.grading.student_kernel import StudentCodeError, StudentKernel, in_order

SUBMISSION = '''
import json
import numpy as np

def softplus(z):
    return np.log1p(np.exp(-np.abs(z))) + np.maximum(z, 0)

def overflowing(z):
    return np.log(1 + np.exp(z))

class AlwaysEqual:
    def __eq__(self, other):
        return True

def returns_object(z):
    return AlwaysEqual()

def returns_complex(z):
    return np.asarray(z) + 0j

def returns_text(z):
    return np.array(["0.5"])

def shape_of(model, z):
    return np.asarray(model["scale"] * np.shape(z)[0])

def fails(z):
    raise ZeroDivisionError("no luck")

def picky(z):
    if np.any(z < 0):
        raise ValueError("no negative logits, please")
    return z * 2

threshold = 36.74
model = {"scale": 2}
'''


def _submission(folder: Path) -> Path:
    path = folder / "submission.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(SUBMISSION)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def student(tmp_path_factory):
    """One kernel for the module's tests that leave it as they found it."""
    with executed_notebook(_submission(tmp_path_factory.mktemp("submission")), timeout=30) as kernel:
        yield kernel


@pytest.fixture
def own_student(tmp_path):
    """A kernel of the test's own, for a test that breaks it (the module's shared one would stay broken)."""
    with executed_notebook(_submission(tmp_path), timeout=30) as kernel:
        yield kernel


def test_call_returns_the_functions_values(student):
    z = np.array([-800.0, 0.0, 800.0])
    np.testing.assert_allclose(student.call("softplus", z), [0.0, np.log(2), 800.0])


def test_scalars_cross_as_scalars_and_dtype_is_kept(student):
    got = student.call("softplus", np.float32(3.0))
    assert got.shape == () and got.dtype == np.float32


def test_floating_point_errors_raise_only_when_asked(student):
    z = np.array([1000.0])
    assert np.isinf(student.call("overflowing", z)[0])  # a warning in the kernel, inf here
    with pytest.raises(StudentCodeError, match="FloatingPointError: overflow"):
        student.call("overflowing", z, fp_errors="raise")


@pytest.mark.parametrize(
    ("function", "message"),
    [
        ("returns_object", "not an array of numbers"),
        ("returns_complex", "complex128, not real numbers"),
        ("returns_text", "not real numbers"),
        ("fails", "raised ZeroDivisionError: no luck"),
        ("missing_function", "does not define missing_function"),
    ],
)
def test_anything_but_real_numbers_is_refused(student, function, message):
    with pytest.raises(StudentCodeError, match=message):
        student.call(function, np.zeros(3))


def test_values_json_and_kernel_objects(student):
    assert student.value("threshold") == pytest.approx(36.74)
    assert student.json("{'a': [1, 2]}") == {"a": [1, 2]}
    assert student.call("shape_of", student.ref("model"), np.zeros(5)) == 10


def _messages(answers: list) -> list:
    return [str(a) if isinstance(a, StudentCodeError) else a.tolist() for a in answers]


def test_call_many_answers_each_set_as_its_own_call_would(student):
    sets = [(np.array([1.0, 2.0]),), (np.array([-1.0]),), (np.float32(3.0),)]
    single = []
    for args in sets:
        try:
            single.append(student.call("picky", *args))
        except StudentCodeError as error:
            single.append(error)
    batched = student.call_many("picky", sets)
    assert _messages(batched) == _messages(single)
    assert _messages(batched)[1] == "picky(...) raised ValueError: no negative logits, please"
    assert batched[2].shape == () and batched[2].dtype == np.float32  # a set that raised cost the others nothing
    refused = student.call_many("returns_object", [(np.zeros(1),)]) + student.call_many("returns_complex", [(1.0,)])
    assert "not an array of numbers" in str(refused[0]) and "complex128, not real numbers" in str(refused[1])


def test_call_many_floating_point_errors_and_missing_functions_per_set(student):
    answers = student.call_many("overflowing", [(np.array([1.0]),), (np.array([1000.0]),)], fp_errors="raise")
    assert answers[0] == pytest.approx(np.log1p(np.e))
    assert str(answers[1]) == "overflowing(...) raised FloatingPointError: overflow encountered in exp"
    missing = student.call_many("missing_function", [(np.zeros(1),), (np.ones(1),)])
    assert _messages(missing) == ["missing_function(...): the notebook does not define missing_function"] * 2
    assert student.call("softplus", np.zeros(1)) == pytest.approx(np.log(2))  # the kernel's names are left as found


class Stuck(BaseException):
    """Raised by a function run by InProcessKernel: the kernel stops answering, and code_runner says so."""


class InProcessKernel:
    """Runs each snippet in this process, reporting an escaping exception as IPython would (an error output)."""

    def __init__(self, **names) -> None:
        self.namespace = dict(names)
        self.snippets = 0

    def __call__(self, source: str) -> list:
        self.snippets += 1
        try:
            exec(source, self.namespace)
        except Stuck:
            raise Stopped("the kernel is stuck: it did not stop when interrupted") from None
        except BaseException as error:  # noqa: BLE001 - an interrupt, as the kernel reports it
            return [nbformat.v4.new_output("error", ename=type(error).__name__, evalue=str(error), traceback=[])]
        return []


def _hangs_on_two(z):
    if z == 2:
        raise KeyboardInterrupt  # what the grader's interrupt at the timeout raises in the kernel
    return z * 10


def test_call_many_is_one_round_trip_and_a_timeout_costs_the_set_it_cut_off(tmp_path: Path):
    kernel = InProcessKernel(f=_hangs_on_two)
    student = StudentKernel(kernel, scratch_parent=tmp_path)
    answers = student.call_many("f", [(np.float64(z),) for z in (1, 2, 3)], what="f(z)")
    assert kernel.snippets == 1
    assert _messages(answers) == [
        10.0, "f(z) did not finish in time (an endless loop, or far too slow)",
        "f(z): not tried, the call ended at an earlier set of arguments",
    ]
    assert not student.answers_in_time  # one timeout, counted once toward MAX_TIMEOUTS (2)
    assert student.call("f", np.float64(1)) == 10.0
    student.call_many("f", [(np.float64(2),)])
    with pytest.raises(StudentCodeError, match="not tried, earlier calls did not finish in time"):
        student.call("f", np.float64(1))


def test_call_many_keeps_the_answers_finished_before_the_kernel_was_stopped(tmp_path: Path):
    def stuck(z):
        if z == 2:
            raise Stuck
        return z

    student = StudentKernel(InProcessKernel(f=stuck), scratch_parent=tmp_path)
    answers = student.call_many("f", [(np.float64(z),) for z in (1, 2, 3)])
    assert _messages(answers) == [
        1.0, "f(...): the kernel is stuck: it did not stop when interrupted",
        "f(...): not tried, the call ended at an earlier set of arguments",
    ]
    assert _messages(student.call_many("f", [(np.float64(1),)])) == [
        "f(...): not tried, the kernel is stuck: it did not stop when interrupted"]


def test_call_many_blocked_is_an_error_not_a_pass(tmp_path: Path):
    student = StudentKernel(lambda source: [], scratch_parent=tmp_path)  # the snippet never runs
    answers = student.call_many("f", [(np.zeros(1),), (np.ones(1),)])
    assert _messages(answers) == [
        "f(...): no result came back from the kernel (the call did not run to its end)",
        "f(...): not tried, the call ended at an earlier set of arguments",
    ]


def test_in_order_raises_where_a_loop_of_calls_would():
    error = StudentCodeError("f(...) raised ValueError: no")
    seen = []
    with pytest.raises(StudentCodeError, match="raised ValueError: no"):
        for answer in in_order([np.zeros(1), error, np.ones(1)]):
            seen.append(answer)
    assert len(seen) == 1


def test_a_blocked_call_is_an_error_not_a_pass(own_student):
    student = own_student  # its input transformer blocks every later call: not in the module's shared kernel
    student.call("softplus", np.zeros(1))
    student.json("get_ipython().input_transformers_post.append(lambda lines: ['pass\\n']) or 0")
    with pytest.raises(StudentCodeError, match="no result came back"):
        student.call("softplus", np.zeros(1))


def test_calls_add_files_not_folders_to_the_exchange_folder(tmp_path: Path):
    """A folder per call cost a mkdir (~0.7 ms on a 2-core test machine) of a ~5 ms round trip."""
    student = StudentKernel(InProcessKernel(f=lambda z: z + 1), scratch_parent=tmp_path)
    assert student.call("f", np.float64(1)) == 2.0
    assert _messages(student.call_many("f", [(np.float64(2),), (np.float64(3),)])) == [3.0, 4.0]
    (exchange,) = tmp_path.iterdir()
    assert sorted(p.is_file() for p in exchange.iterdir()) == [True] * 7  # 3 argument files, 4 answer files


def test_a_grader_call_changes_no_cell_of_the_notebook(tmp_path: Path):
    """A display shown with a display_id in a cell, updated during a grader's call with the call's arguments, stays
    as the cell left it: the update (and any widget message) reaches the call's own, discarded, cell only."""
    from course_kit.confinement import ConfinedKernelManager
    from course_kit.grading.executor import keep_reply_error
    from course_kit.grading.notebook_kernel import TIMEOUT_ERROR, HandRunClient, code_runner

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(
        "import numpy as np\n"
        "handle = display({'text/plain': 'shown by the notebook'}, raw=True, display_id=True)\n"
        "def f(z):\n"
        "    handle.update({'text/plain': 'LEAKED ' + repr(z.tolist())}, raw=True)\n"
        "    display({'text/plain': 'LEAKED too'}, raw=True, display_id=handle.display_id)\n"
        "    return z * 2\n"
    )]
    client = HandRunClient(nb, interrupt_on_timeout=True, error_on_timeout=TIMEOUT_ERROR,
                           on_cell_executed=keep_reply_error, allow_errors=True, kernel_name="python3",
                           kernel_manager_class=ConfinedKernelManager, timeout=30,
                           resources={"metadata": {"path": str(tmp_path)}})
    with client.setup_kernel():
        client.run_all_cells()
        before = nbformat.writes(client.nb)
        student = StudentKernel(code_runner(client), scratch_parent=client.km.kernel_cwd or tmp_path)
        try:
            assert student.call("f", np.array([31.0, 41.0])).tolist() == [62.0, 82.0]
        finally:
            student.close()
        after = nbformat.writes(client.nb)
        assert "LEAKED [31" not in after and "LEAKED too" not in after.replace("'LEAKED too'", "")
        assert after == before
