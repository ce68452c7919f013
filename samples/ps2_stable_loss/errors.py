"""One function errors: log_softmax calls np.logsumexp, which numpy does not have."""
# inherits: reference
# expect: test_stable_bce full
# expect: test_log_softmax 0 "raised AttributeError"
# %% [log_softmax]
def log_softmax(z):
    """log(softmax(z)) over the last axis of z, computed as z - logsumexp(z)."""
    z = np.asarray(z)
    return z - np.logsumexp(z, axis=-1, keepdims=True)
