"""stable_bce forgets the (1 - y) factor of the z >= 0 form: z instead of z (1 - y)."""
# audit: wrong
# loses: test_stable_bce
# keeps: others

# %% [stable_bce]
def stable_bce(y_true, z):
    """Binary cross-entropy of logits z against labels y_true in [0, 1], elementwise."""
    z = np.asarray(z)
    linear = np.where(z >= 0, z, -z * y_true)
    return linear + np.log1p(np.exp(-np.abs(z)))
