"""log_softmax as z - logsumexp(z)[..., None], the docstring's own form."""
# audit: right

# %% [log_softmax]
def log_softmax(z):
    """log(softmax(z)) over the last axis of z, computed as z - logsumexp(z)."""
    z = np.asarray(z)
    return z - logsumexp(z)[..., None]
