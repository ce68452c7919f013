"""stable_bce with np.log(1 + exp(-|z|)) instead of log1p: the seeds' form, accurate enough here."""
# audit: right

# %% [stable_bce]
def stable_bce(y_true, z):
    """Binary cross-entropy of logits z against labels y_true in [0, 1], elementwise."""
    z = np.asarray(z)
    return np.maximum(z, 0) - z * y_true + np.log(1 + np.exp(-np.abs(z)))
