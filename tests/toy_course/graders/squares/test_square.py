"""Hidden grader of the test cell test_square: square(x) = x * x, on arrays and on negative numbers."""

import numpy as np


def test_small_integers(student):
    """square is right on 0, 1, 2, 3"""
    got = student.call("square", np.arange(4))
    assert got.tolist() == [0, 1, 4, 9], f"square([0, 1, 2, 3]) returned {got.tolist()}"


def test_negative_numbers(student):
    """square of a negative number is positive"""
    got = student.call("square", np.array([-2.0, -0.5]))
    assert got.tolist() == [4.0, 0.25], f"square([-2, -0.5]) returned {got.tolist()}"
