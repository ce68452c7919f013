"""naive_bce with the labels swapped: -(1 - y) log p - y log(1 - p)."""
# audit: wrong
# loses: test_naive_bce
# keeps: test_sigmoid

# %% [naive_bce]
def naive_bce(y_true, z):
    """Binary cross-entropy from logits, the textbook way."""
    p = sigmoid(z)
    return -(1 - y_true) * np.log(p) - y_true * np.log(1 - p)
