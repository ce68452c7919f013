"""naive_bce without the leading minus: the loss is negative."""
# audit: wrong
# loses: test_naive_bce
# keeps: test_sigmoid

# %% [naive_bce]
def naive_bce(y_true, z):
    """Binary cross-entropy from logits, the textbook way."""
    p = sigmoid(z)
    return y_true * np.log(p) + (1 - y_true) * np.log(1 - p)
