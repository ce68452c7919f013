"""sigmoid as np.where of 1 / (1 + exp(-z)) and exp(z) / (1 + exp(z)): both evaluated, the right one kept."""
# audit: right

# %% [sigmoid]
def sigmoid(z):
    """The logistic function 1 / (1 + exp(-z)), elementwise."""
    z = np.asarray(z)
    with np.errstate(over="ignore", invalid="ignore"):
        return np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))
