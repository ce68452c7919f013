"""stable_bce as the derivation's second form, logaddexp(0, z) - z y."""
# audit: right

# %% [stable_bce]
def stable_bce(y_true, z):
    """Binary cross-entropy of logits z against labels y_true in [0, 1], elementwise."""
    z = np.asarray(z)
    return np.logaddexp(0, z) - z * y_true
