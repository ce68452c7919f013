"""Stable instead of naive: naive_bce "fixed" with the stable formula, so it never breaks down (and no inf is found)."""
# expect: test_sigmoid full
# expect: test_naive_bce 1.5 "breaks down where the textbook formula does"
# expect: test_first_inf_logit 0 "first_inf_logit"

# %% [naive_bce]
def naive_bce(y_true, z):
    """Binary cross-entropy from logits, the textbook way: p = sigmoid(z), then -y log p - (1 - y) log(1 - p)."""
    z = np.asarray(z)
    return np.maximum(z, 0) - z * y_true + np.log1p(np.exp(-np.abs(z)))
