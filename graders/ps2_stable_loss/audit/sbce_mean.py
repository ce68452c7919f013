"""stable_bce returns the mean over the batch, not the elementwise loss."""
# audit: wrong
# loses: test_stable_bce
# keeps: others

# %% [stable_bce]
def stable_bce(y_true, z):
    """Binary cross-entropy of logits z against labels y_true in [0, 1], elementwise."""
    z = np.asarray(z)
    return np.mean(np.maximum(z, 0) - z * y_true + np.log1p(np.exp(-np.abs(z))))
