"""TensorFlow's form: max(z, 0) - z y + log1p(exp(-|z|))."""
# audit: right

# %% [stable_bce]
def stable_bce(y_true, z):
    """Binary cross-entropy of logits z against labels y_true in [0, 1], elementwise."""
    z = np.asarray(z)
    return np.maximum(z, 0) - z * y_true + np.log1p(np.exp(-np.abs(z)))
