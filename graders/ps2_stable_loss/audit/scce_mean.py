"""sparse CCE returns the batch mean, as Keras does, not one loss per example."""
# audit: wrong
# loses: test_sparse_cce
# keeps: others

# %% [sparse_cce_from_logits]
def sparse_cce_from_logits(y_true, z):
    """Per-example cross-entropy -log softmax(z[i])[y_true[i]], from logits."""
    z = np.asarray(z)
    return np.mean(logsumexp(z) - z[np.arange(z.shape[0]), y_true])
