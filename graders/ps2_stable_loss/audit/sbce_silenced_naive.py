"""The naive formula with every numpy warning silenced: no warning, but inf and nan remain."""
# audit: wrong
# loses: test_stable_bce
# keeps: others

# %% [stable_bce]
def stable_bce(y_true, z):
    """Binary cross-entropy of logits z against labels y_true in [0, 1], elementwise."""
    z = np.asarray(z)
    with np.errstate(all="ignore"):
        p = 1 / (1 + np.exp(-z))
        return -y_true * np.log(p) - (1 - y_true) * np.log(1 - p)
