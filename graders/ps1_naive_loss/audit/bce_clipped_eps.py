"""naive_bce clips p to [1e-7, 1 - 1e-7], like Keras: never inf, so nothing breaks where it should."""
# audit: wrong
# loses: test_naive_bce
# keeps: test_sigmoid

# %% [naive_bce]
def naive_bce(y_true, z):
    """Binary cross-entropy from logits, the textbook way."""
    p = np.clip(sigmoid(z), 1e-7, 1 - 1e-7)
    return -y_true * np.log(p) - (1 - y_true) * np.log(1 - p)
