"""sigmoid rounded to 6 decimals "to be tidy": tiny values become 0."""
# audit: wrong
# loses: test_sigmoid

# %% [sigmoid]
def sigmoid(z):
    """The logistic function 1 / (1 + exp(-z)), elementwise."""
    z = np.asarray(z)
    return np.round(1 / (1 + np.exp(-z)), 6)
