"""sigmoid computed in float16 to save memory, then cast back: three digits left."""
# audit: wrong
# loses: test_sigmoid

# %% [sigmoid]
def sigmoid(z):
    """The logistic function 1 / (1 + exp(-z)), elementwise."""
    z = np.asarray(z)
    return (1 / (1 + np.exp(-z.astype(np.float16)))).astype(z.dtype)
