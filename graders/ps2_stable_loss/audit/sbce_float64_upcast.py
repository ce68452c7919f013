"""stable_bce converts z to float64: float32 logits give a float64 loss."""
# audit: wrong
# loses: test_stable_bce
# keeps: others

# %% [stable_bce]
def stable_bce(y_true, z):
    """Binary cross-entropy of logits z against labels y_true in [0, 1], elementwise."""
    z = np.asarray(z, dtype=np.float64)
    return np.maximum(z, 0) - z * y_true + np.log1p(np.exp(-np.abs(z)))
