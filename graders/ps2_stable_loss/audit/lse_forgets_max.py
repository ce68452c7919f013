"""logsumexp shifts by the max but forgets to add it back."""
# audit: wrong
# loses: test_logsumexp

# %% [logsumexp]
def logsumexp(z):
    """log(sum_j exp(z_j)) over the last axis of z, without overflow."""
    z = np.asarray(z)
    m = np.max(z, axis=-1, keepdims=True)
    return np.log(np.sum(np.exp(z - m), axis=-1))
