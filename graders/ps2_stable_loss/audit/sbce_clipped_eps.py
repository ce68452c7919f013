"""stable_bce by clipping p to [1e-7, 1 - 1e-7]: finite, but wrong by far at large |z|."""
# audit: wrong
# loses: test_stable_bce
# keeps: others

# %% [stable_bce]
def stable_bce(y_true, z):
    """Binary cross-entropy of logits z against labels y_true in [0, 1], elementwise."""
    z = np.asarray(z)
    with np.errstate(over="ignore"):
        p = np.clip(1 / (1 + np.exp(-z)), 1e-7, 1 - 1e-7)
    return -y_true * np.log(p) - (1 - y_true) * np.log(1 - p)
