"""Softmax applied twice inside sparse CCE: the probabilities are treated as logits."""
# audit: wrong
# loses: test_sparse_cce
# keeps: others
# says: test_sparse_cce softmax is applied twice

# %% [sparse_cce_from_logits]
def sparse_cce_from_logits(y_true, z):
    """Per-example cross-entropy -log softmax(z[i])[y_true[i]], from logits."""
    z = np.asarray(z)
    p = softmax(z)
    return logsumexp(p) - p[np.arange(p.shape[0]), y_true]
