"""sigmoid computed in float64 and rounded back to the input's dtype: more accurate, dtype kept."""
# audit: right

# %% [sigmoid]
def sigmoid(z):
    """The logistic function 1 / (1 + exp(-z)), elementwise."""
    z = np.asarray(z)
    return (1 / (1 + np.exp(-z.astype(np.float64)))).astype(z.dtype)
