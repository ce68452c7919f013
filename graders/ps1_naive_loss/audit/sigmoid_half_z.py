"""sigmoid with exp(-z / 2): the tanh identity's halving put in the wrong place."""
# audit: wrong
# loses: test_sigmoid

# %% [sigmoid]
def sigmoid(z):
    """The logistic function 1 / (1 + exp(-z)), elementwise."""
    z = np.asarray(z)
    return 1 / (1 + np.exp(-z / 2))
