"""sigmoid converts its input to float64: float32 in gives float64 out."""
# audit: wrong
# loses: test_sigmoid

# %% [sigmoid]
def sigmoid(z):
    """The logistic function 1 / (1 + exp(-z)), elementwise."""
    z = np.asarray(z, dtype=np.float64)
    return 1 / (1 + np.exp(-z))
