"""softmax not shifted: exp(1000) / sum is inf / inf = nan."""
# audit: wrong
# loses: test_softmax
# keeps: others

# %% [softmax]
def softmax(z):
    """Softmax over the last axis of z, shifted by the row maximum."""
    z = np.asarray(z)
    e = np.exp(z)
    return e / np.sum(e, axis=-1, keepdims=True)
