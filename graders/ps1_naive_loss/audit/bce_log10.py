"""naive_bce with log10 instead of the natural log."""
# audit: wrong
# loses: test_naive_bce
# keeps: test_sigmoid

# %% [naive_bce]
def naive_bce(y_true, z):
    """Binary cross-entropy from logits, the textbook way."""
    p = sigmoid(z)
    return -y_true * np.log10(p) - (1 - y_true) * np.log10(1 - p)
