"""log_softmax with np.expand_dims of logsumexp(z)."""
# audit: right

# %% [log_softmax]
def log_softmax(z):
    """log(softmax(z)) over the last axis of z, computed as z - logsumexp(z)."""
    z = np.asarray(z)
    return z - np.expand_dims(logsumexp(z), axis=-1)
