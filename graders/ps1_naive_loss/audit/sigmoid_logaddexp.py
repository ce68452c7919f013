"""sigmoid as exp(-logaddexp(0, -z)): the log-domain form, never overflows."""
# audit: right

# %% [sigmoid]
def sigmoid(z):
    """The logistic function 1 / (1 + exp(-z)), elementwise."""
    z = np.asarray(z)
    return np.exp(-np.logaddexp(0, -z))
