"""naive_bce picks one log by the label: right for 0 and 1, wrong for soft labels."""
# audit: wrong
# loses: test_naive_bce
# keeps: test_sigmoid

# %% [naive_bce]
def naive_bce(y_true, z):
    """Binary cross-entropy from logits, the textbook way."""
    p = sigmoid(z)
    return np.where(np.asarray(y_true) == 1, -np.log(p), -np.log(1 - p))
