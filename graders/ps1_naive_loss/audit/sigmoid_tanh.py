"""sigmoid as 0.5 (1 + tanh(z / 2)): exact in algebra, but 1 + tanh cancels for negative z."""
# audit: wrong
# loses: test_sigmoid

# %% [sigmoid]
def sigmoid(z):
    """The logistic function 1 / (1 + exp(-z)), elementwise."""
    z = np.asarray(z)
    return 0.5 * (1 + np.tanh(z / 2))
