"""Float32 upcast: every input converted to float64, so float32 results and float32's earlier breakdown are lost."""
# expect: test_sigmoid 1.87 "float32"
# naive_bce is judged by its own sigmoid (consistency grading): that sigmoid returns float64, on which the
# naive formula at z = 17 is finite, as naive_bce is; only the dtype check (0.5 of 8 weights) is lost:
# 3 * 7.5 / 8 = 2.8125, rounded down to 2.81.
# expect: test_naive_bce 2.81 "float32"
# Its naive_bce computes float32 in float64, so its first inf is 36.74 for every dtype, and its search, which
# reports 36.74 for float32 and float16, agrees with it: only "float32 breaks first" (0.5 of 4 weights) is lost,
# with a message naming naive_bce: 2 * 3.5 / 4 = 1.75.
# expect: test_first_inf_logit 1.75 "float32"
# fails: test_sigmoid "float32 in gives float32 out, float64 in gives float64 out"
# fails: test_naive_bce "float32 stays float32, and the loss has the shape of the inputs (single numbers included)"
# fails: test_first_inf_logit "float32 breaks at a smaller logit than float64"

# %% [sigmoid]
def sigmoid(z):
    """The logistic function 1 / (1 + exp(-z)), elementwise."""
    z = np.asarray(z, dtype=np.float64)
    return 1 / (1 + np.exp(-z))

# %% [naive_bce]
def naive_bce(y_true, z):
    """Binary cross-entropy from logits, the textbook way: p = sigmoid(z), then -y log p - (1 - y) log(1 - p)."""
    y = np.asarray(y_true, dtype=np.float64)
    p = sigmoid(z)
    return -y * np.log(p) - (1 - y) * np.log(1 - p)
