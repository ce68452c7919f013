"""naive_bce as np.negative of the sum, with the warnings of log(0) silenced."""
# audit: right

# %% [naive_bce]
def naive_bce(y_true, z):
    """Binary cross-entropy from logits, the textbook way."""
    p = sigmoid(z)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.negative(y_true * np.log(p) + (1 - y_true) * np.log(1 - p))
