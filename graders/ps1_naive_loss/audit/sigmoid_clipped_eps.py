"""sigmoid clipped to [1e-7, 1 - 1e-7] "to avoid log(0)": wrong at both ends."""
# audit: wrong
# loses: test_sigmoid

# %% [sigmoid]
def sigmoid(z):
    """The logistic function 1 / (1 + exp(-z)), elementwise."""
    z = np.asarray(z)
    return np.clip(1 / (1 + np.exp(-z)), 1e-7, 1 - 1e-7)
