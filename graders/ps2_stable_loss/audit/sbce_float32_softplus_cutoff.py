"""stable_bce that drops log1p(exp(-|z|)) beyond |z| > 10 "because it is tiny"."""
# audit: wrong
# loses: test_stable_bce
# keeps: others

# %% [stable_bce]
def stable_bce(y_true, z):
    """Binary cross-entropy of logits z against labels y_true in [0, 1], elementwise."""
    z = np.asarray(z)
    soft = np.where(np.abs(z) > 10, 0.0, np.log1p(np.exp(-np.abs(z)))).astype(z.dtype)
    return np.maximum(z, 0) - z * y_true + soft
