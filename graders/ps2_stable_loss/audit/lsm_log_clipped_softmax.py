"""log_softmax as the log of a clipped softmax: never -inf, but -16 where it should be -2000."""
# audit: wrong
# loses: test_log_softmax
# keeps: others

# %% [log_softmax]
def log_softmax(z):
    """log(softmax(z)) over the last axis of z, computed as z - logsumexp(z)."""
    return np.log(np.clip(softmax(z), 1e-7, 1.0))
