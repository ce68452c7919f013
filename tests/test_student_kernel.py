"""StudentKernel: what crosses from a submission's kernel to a grader is plain numbers, or an error."""

import nbformat
import numpy as np
import pytest

from course_kit.grading.notebook_kernel import executed_notebook
from course_kit.grading.student_kernel import StudentCodeError

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

threshold = 36.74
model = {"scale": 2}
'''


@pytest.fixture(scope="module")
def student(tmp_path_factory):
    path = tmp_path_factory.mktemp("submission") / "submission.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(SUBMISSION)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    with executed_notebook(path, timeout=30) as kernel:
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


def test_a_blocked_call_is_an_error_not_a_pass(student):
    student.call("softplus", np.zeros(1))
    student.json("get_ipython().input_transformers_post.append(lambda lines: ['pass\\n']) or 0")
    with pytest.raises(StudentCodeError, match="no result came back"):
        student.call("softplus", np.zeros(1))
