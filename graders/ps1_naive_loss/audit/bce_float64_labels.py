"""naive_bce converts the labels to float64: float32 logits give a float64 loss."""
# audit: wrong
# loses: test_naive_bce
# keeps: test_sigmoid

# %% [naive_bce]
def naive_bce(y_true, z):
    """Binary cross-entropy from logits, the textbook way."""
    y = np.asarray(y_true, dtype=np.float64)
    p = sigmoid(z)
    return -y * np.log(p) - (1 - y) * np.log(1 - p)
