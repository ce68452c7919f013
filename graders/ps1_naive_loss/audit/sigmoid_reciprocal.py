"""sigmoid with np.reciprocal and np.add: the same arithmetic, other spellings."""
# audit: right

# %% [sigmoid]
def sigmoid(z):
    """The logistic function 1 / (1 + exp(-z)), elementwise."""
    z = np.asarray(z)
    return np.reciprocal(np.add(1, np.exp(np.negative(z))))
