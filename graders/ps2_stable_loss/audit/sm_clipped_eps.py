"""softmax clipped to [1e-7, 1] "so that its log is finite"."""
# audit: wrong
# loses: test_softmax
# keeps: others

# %% [softmax]
def softmax(z):
    """Softmax over the last axis of z, shifted by the row maximum."""
    z = np.asarray(z)
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return np.clip(e / np.sum(e, axis=-1, keepdims=True), 1e-7, 1.0)
