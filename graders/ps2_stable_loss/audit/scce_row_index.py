"""sparse CCE takes z[y_true], whole rows picked by the labels, then the first column."""
# audit: wrong
# loses: test_sparse_cce
# keeps: others

# %% [sparse_cce_from_logits]
def sparse_cce_from_logits(y_true, z):
    """Per-example cross-entropy -log softmax(z[i])[y_true[i]], from logits."""
    z = np.asarray(z)
    return logsumexp(z) - z[y_true][:, 0]
