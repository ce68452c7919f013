"""stable_bce left as the naive formula through a sigmoid: overflow, log(0), inf."""
# audit: wrong
# loses: test_stable_bce
# keeps: others
# says: test_stable_bce your values are the naive formula's

# %% [stable_bce]
def stable_bce(y_true, z):
    """Binary cross-entropy of logits z against labels y_true in [0, 1], elementwise."""
    z = np.asarray(z)
    p = 1 / (1 + np.exp(-z))
    return -y_true * np.log(p) - (1 - y_true) * np.log(1 - p)
