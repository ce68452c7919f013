"""softmax in float64 whatever the input."""
# audit: wrong
# loses: test_softmax
# keeps: others

# %% [softmax]
def softmax(z):
    """Softmax over the last axis of z, shifted by the row maximum."""
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)
