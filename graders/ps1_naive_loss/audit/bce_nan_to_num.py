"""naive_bce passes its result through np.nan_to_num: inf becomes 1.8e308, hiding the breakdown."""
# audit: wrong
# loses: test_naive_bce
# keeps: test_sigmoid

# %% [naive_bce]
def naive_bce(y_true, z):
    """Binary cross-entropy from logits, the textbook way."""
    p = sigmoid(z)
    return np.nan_to_num(-y_true * np.log(p) - (1 - y_true) * np.log(1 - p))
