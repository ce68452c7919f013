"""logsumexp shifted by each row's first entry, which is the max only sometimes."""
# audit: wrong
# loses: test_logsumexp

# %% [logsumexp]
def logsumexp(z):
    """log(sum_j exp(z_j)) over the last axis of z, without overflow."""
    z = np.asarray(z)
    m = z[..., :1]
    return np.squeeze(m, axis=-1) + np.log(np.sum(np.exp(z - m), axis=-1))
