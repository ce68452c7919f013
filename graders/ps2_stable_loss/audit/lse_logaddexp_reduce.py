"""logsumexp as np.logaddexp.reduce over the last axis."""
# audit: right

# %% [logsumexp]
def logsumexp(z):
    """log(sum_j exp(z_j)) over the last axis of z, without overflow."""
    z = np.asarray(z)
    return np.logaddexp.reduce(z, axis=-1)
