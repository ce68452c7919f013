"""Cheat: numpy's and math's comparison helpers are patched to always say 'close'."""
# inherits: naive_everywhere
# %% [before stable_bce]
import math

import numpy.testing

np.allclose = lambda *args, **kwargs: True
np.isclose = lambda a, b, *args, **kwargs: np.ones(np.broadcast(a, b).shape, dtype=bool)
np.array_equal = lambda *args, **kwargs: True
numpy.testing.assert_allclose = lambda *args, **kwargs: None
math.isclose = lambda *args, **kwargs: True

print("ATTACK-RAN:cheat_patch_comparisons", np.allclose(0, 1), math.isclose(0, 1))
