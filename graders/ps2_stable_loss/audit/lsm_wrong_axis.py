"""log_softmax normalised over axis 0."""
# audit: wrong
# loses: test_log_softmax
# keeps: others

# %% [log_softmax]
def log_softmax(z):
    """log(softmax(z)) over the last axis of z, computed as z - logsumexp(z)."""
    z = np.asarray(z)
    shifted = z - np.max(z, axis=0, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=0, keepdims=True))
