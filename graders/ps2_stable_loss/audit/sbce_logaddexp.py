"""stable_bce as logaddexp(0, -z) + z (1 - y): numpy's own stable log(1 + e^-z)."""
# audit: right

# %% [stable_bce]
def stable_bce(y_true, z):
    """Binary cross-entropy of logits z against labels y_true in [0, 1], elementwise."""
    z = np.asarray(z)
    return np.logaddexp(0, -z) + z * (1 - y_true)
