"""softmax whose row sums drop keepdims: a broadcast error, or a wrong division, on a matrix."""
# audit: wrong
# loses: test_softmax
# keeps: others

# %% [softmax]
def softmax(z):
    """Softmax over the last axis of z, shifted by the row maximum."""
    z = np.asarray(z)
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1)
