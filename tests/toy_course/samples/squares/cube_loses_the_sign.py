"""Cube loses the sign: cube written as |x| ** 3, right for x >= 0 only."""
# expect: test_square full
# expect: test_cube 0.25 "cube keeps the sign"
# fails: test_cube "cube keeps the sign"
# %% [cube]
def cube(x):
    return np.abs(x) ** 3
