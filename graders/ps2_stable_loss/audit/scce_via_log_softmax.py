"""sparse CCE as -log_softmax(z)[i, y_i]."""
# audit: right

# %% [sparse_cce_from_logits]
def sparse_cce_from_logits(y_true, z):
    """Per-example cross-entropy -log softmax(z[i])[y_true[i]], from logits."""
    z = np.asarray(z)
    return -log_softmax(z)[np.arange(z.shape[0]), y_true]
