"""naive_bce with log p and log(1 - p) named first: the same formula, other steps."""
# audit: right

# %% [naive_bce]
def naive_bce(y_true, z):
    """Binary cross-entropy from logits, the textbook way."""
    p = sigmoid(z)
    log_p = np.log(p)
    log_q = np.log(1 - p)
    return -(y_true * log_p + (1 - y_true) * log_q)
