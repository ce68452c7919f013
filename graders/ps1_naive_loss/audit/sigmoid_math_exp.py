"""sigmoid with math.exp: fine on one number, raises on an array."""
# audit: wrong
# loses: test_sigmoid

# %% [sigmoid]
import math


def sigmoid(z):
    """The logistic function 1 / (1 + exp(-z)), elementwise."""
    return 1 / (1 + math.exp(-z))
