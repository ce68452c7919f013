"""sigmoid with 1e-12 added "for safety": biased by 1e-12, far too much for tiny values."""
# audit: wrong
# loses: test_sigmoid

# %% [sigmoid]
def sigmoid(z):
    """The logistic function 1 / (1 + exp(-z)), elementwise."""
    z = np.asarray(z)
    return 1 / (1 + np.exp(-z)) + 1e-12
