"""naive_bce written as the stable logaddexp form: right values, but not the naive formula asked for."""
# audit: wrong
# loses: test_naive_bce
# keeps: test_sigmoid

# %% [naive_bce]
def naive_bce(y_true, z):
    """Binary cross-entropy from logits, the textbook way."""
    z = np.asarray(z)
    return np.logaddexp(0, -z) + (1 - y_true) * z
