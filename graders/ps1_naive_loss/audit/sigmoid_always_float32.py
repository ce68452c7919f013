"""sigmoid computed in float32 whatever the input: float64 answers lose half their digits."""
# audit: wrong
# loses: test_sigmoid

# %% [sigmoid]
def sigmoid(z):
    """The logistic function 1 / (1 + exp(-z)), elementwise."""
    z = np.asarray(z, dtype=np.float32)
    return 1 / (1 + np.exp(-z))
