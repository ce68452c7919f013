"""log_softmax as np.log(softmax(z)): -inf where softmax underflows."""
# audit: wrong
# loses: test_log_softmax
# keeps: others

# %% [log_softmax]
def log_softmax(z):
    """log(softmax(z)) over the last axis of z, computed as z - logsumexp(z)."""
    with np.errstate(divide="ignore"):
        return np.log(softmax(z))
