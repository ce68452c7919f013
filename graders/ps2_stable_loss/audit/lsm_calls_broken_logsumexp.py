"""log_softmax as z - logsumexp(z)[..., None], right, on a logsumexp that drops keepdims: the cause is logsumexp."""
# audit: wrong
# inherits: lse_missing_keepdims
# loses: test_logsumexp
# says: test_log_softmax calls your logsumexp, which fails its own check

# %% [log_softmax]
def log_softmax(z):
    """log(softmax(z)) over the last axis of z, computed as z - logsumexp(z)."""
    z = np.asarray(z)
    return z - logsumexp(z)[..., None]
