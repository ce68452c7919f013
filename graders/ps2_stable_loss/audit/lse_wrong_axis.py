"""logsumexp over axis 0, the rows, instead of the last axis."""
# audit: wrong
# loses: test_logsumexp

# %% [logsumexp]
def logsumexp(z):
    """log(sum_j exp(z_j)) over the last axis of z, without overflow."""
    z = np.asarray(z)
    m = np.max(z, axis=0, keepdims=True)
    return np.squeeze(m, axis=0) + np.log(np.sum(np.exp(z - m), axis=0))
