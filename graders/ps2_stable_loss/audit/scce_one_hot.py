"""sparse CCE as -sum(one_hot(y) * log_softmax(z)), the one-hot in z's dtype."""
# audit: right

# %% [sparse_cce_from_logits]
def sparse_cce_from_logits(y_true, z):
    """Per-example cross-entropy -log softmax(z[i])[y_true[i]], from logits."""
    z = np.asarray(z)
    one_hot = np.eye(z.shape[-1], dtype=z.dtype)[y_true]
    return -np.sum(one_hot * log_softmax(z), axis=-1)
