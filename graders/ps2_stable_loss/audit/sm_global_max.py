"""softmax shifted by the max of the whole array: rows far below it underflow to 0 / 0."""
# audit: wrong
# loses: test_softmax
# keeps: others

# %% [softmax]
def softmax(z):
    """Softmax over the last axis of z, shifted by the row maximum."""
    z = np.asarray(z)
    e = np.exp(z - np.max(z))
    return e / np.sum(e, axis=-1, keepdims=True)
