"""Stable instead of naive: naive_bce "fixed" with the stable formula, so it never breaks down (and no inf is found)."""
# expect: test_sigmoid full
# expect: test_naive_bce 1.5 "breaks down (inf, nan) where the naive formula on your own sigmoid"
# Its naive_bce is never inf, and its search (the reference) says so, nan, for float64, float32 and float16,
# and finds 3.21 with the stand-in: consistent everywhere; only "float32 breaks first" (0.5 of 4 weights) is
# lost, and its message names naive_bce as the cell to fix: 2 * 3.5 / 4 = 1.75.
# expect: test_first_inf_logit 1.75 "calls your naive_bce, which fails its own check"
# fails: test_naive_bce "naive_bce breaks down (inf, nan) where the naive formula on your own sigmoid's values does"
# fails: test_first_inf_logit "float32 breaks at a smaller logit than float64"

# %% [naive_bce]
def naive_bce(y_true, z):
    """Binary cross-entropy from logits, the textbook way: p = sigmoid(z), then -y log p - (1 - y) log(1 - p)."""
    z = np.asarray(z)
    return np.maximum(z, 0) - z * y_true + np.log1p(np.exp(-np.abs(z)))
