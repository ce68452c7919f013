"""logsumexp without the max shift: exp(1000) overflows, exp(-800) underflows."""
# audit: wrong
# loses: test_logsumexp
# says: test_logsumexp exp of a large positive number overflows

# %% [logsumexp]
def logsumexp(z):
    """log(sum_j exp(z_j)) over the last axis of z, without overflow."""
    z = np.asarray(z)
    return np.log(np.sum(np.exp(z), axis=-1))
