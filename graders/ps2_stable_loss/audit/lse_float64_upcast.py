"""logsumexp in float64 whatever the input: float32 in gives float64 out."""
# audit: wrong
# loses: test_logsumexp

# %% [logsumexp]
def logsumexp(z):
    """log(sum_j exp(z_j)) over the last axis of z, without overflow."""
    z = np.asarray(z, dtype=np.float64)
    m = np.max(z, axis=-1, keepdims=True)
    return np.squeeze(m, axis=-1) + np.log(np.sum(np.exp(z - m), axis=-1))
