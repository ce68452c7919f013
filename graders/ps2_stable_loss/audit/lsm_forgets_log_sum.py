"""log_softmax as z - max(z): the shift without the log of the sum."""
# audit: wrong
# loses: test_log_softmax
# keeps: others

# %% [log_softmax]
def log_softmax(z):
    """log(softmax(z)) over the last axis of z, computed as z - logsumexp(z)."""
    z = np.asarray(z)
    return z - np.max(z, axis=-1, keepdims=True)
