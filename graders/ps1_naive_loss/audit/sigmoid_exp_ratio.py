"""sigmoid as exp(z) / (1 + exp(z)) everywhere: inf / inf = nan for large z."""
# audit: wrong
# loses: test_sigmoid

# %% [sigmoid]
def sigmoid(z):
    """The logistic function 1 / (1 + exp(-z)), elementwise."""
    z = np.asarray(z)
    return np.exp(z) / (1 + np.exp(z))
