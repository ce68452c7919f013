"""sigmoid built element by element in a Python list: the shape of a matrix is lost."""
# audit: wrong
# loses: test_sigmoid

# %% [sigmoid]
import math


def sigmoid(z):
    """The logistic function 1 / (1 + exp(-z)), elementwise."""
    z = np.asarray(z)
    return np.array([1 / (1 + math.exp(-x)) if x > -700 else 0.0 for x in z.reshape(-1)])
