"""log_softmax subtracts logsumexp(z) without restoring its axis: a broadcast error on a matrix."""
# audit: wrong
# loses: test_log_softmax
# keeps: others

# %% [log_softmax]
def log_softmax(z):
    """log(softmax(z)) over the last axis of z, computed as z - logsumexp(z)."""
    z = np.asarray(z)
    return z - logsumexp(z)
