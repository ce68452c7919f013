"""Sign slip in sigmoid: 1 / (1 + exp(z)), which is sigmoid(-z)."""
# audit: wrong
# loses: test_sigmoid

# %% [sigmoid]
def sigmoid(z):
    """The logistic function 1 / (1 + exp(-z)), elementwise."""
    z = np.asarray(z)
    return 1 / (1 + np.exp(z))
