"""stable_bce as np.where of the two forms: both branches are evaluated, and the discarded one overflows."""
# audit: wrong
# loses: test_stable_bce
# keeps: others
# says: test_stable_bce np.where(condition, a, b) computes both a and b

# %% [stable_bce]
def stable_bce(y_true, z):
    """Binary cross-entropy of logits z against labels y_true in [0, 1], elementwise."""
    z = np.asarray(z)
    return np.where(z >= 0, np.log1p(np.exp(-z)) + z - z * y_true, np.log1p(np.exp(z)) - z * y_true)
