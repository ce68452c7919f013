"""naive_bce forgets the (1 - y) factor: -y log p - log(1 - p)."""
# audit: wrong
# loses: test_naive_bce
# keeps: test_sigmoid

# %% [naive_bce]
def naive_bce(y_true, z):
    """Binary cross-entropy from logits, the textbook way."""
    p = sigmoid(z)
    return -y_true * np.log(p) - np.log(1 - p)
