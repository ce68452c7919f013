"""Hidden grader of the test cell test_cube: cube(x) = x * x * x, keeping the sign."""

import numpy as np
import pytest


@pytest.mark.weight(3)
def test_keeps_the_sign(student):
    """cube keeps the sign: cube(-2) is -8"""
    got = student.call("cube", np.array([-2.0, 2.0]))
    assert got.tolist() == [-8.0, 8.0], f"cube([-2, 2]) returned {got.tolist()}"


def test_zero(student):
    """cube(0) is 0"""
    got = student.call("cube", np.array([0.0]))
    assert got.tolist() == [0.0], f"cube([0]) returned {got.tolist()}"
