"""sparse CCE as -log(softmax(z)[i, y_i]): inf where the probability underflows."""
# audit: wrong
# loses: test_sparse_cce
# keeps: others

# %% [sparse_cce_from_logits]
def sparse_cce_from_logits(y_true, z):
    """Per-example cross-entropy -log softmax(z[i])[y_true[i]], from logits."""
    z = np.asarray(z)
    with np.errstate(divide="ignore"):
        return -np.log(softmax(z)[np.arange(z.shape[0]), y_true])
