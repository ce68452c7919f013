"""logsumexp shifted by the row mean, not the max: [1000, 0, -1000] still overflows."""
# audit: wrong
# loses: test_logsumexp

# %% [logsumexp]
def logsumexp(z):
    """log(sum_j exp(z_j)) over the last axis of z, without overflow."""
    z = np.asarray(z)
    m = np.mean(z, axis=-1, keepdims=True)
    return np.squeeze(m, axis=-1) + np.log(np.sum(np.exp(z - m), axis=-1))
