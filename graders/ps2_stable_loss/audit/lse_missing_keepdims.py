"""logsumexp whose max drops keepdims: right on a vector, a broadcast error on a matrix."""
# audit: wrong
# loses: test_logsumexp
# says: test_logsumexp use keepdims=True

# %% [logsumexp]
def logsumexp(z):
    """log(sum_j exp(z_j)) over the last axis of z, without overflow."""
    z = np.asarray(z)
    m = np.max(z, axis=-1)
    return m + np.log(np.sum(np.exp(z - m), axis=-1))
