"""Float32 upcast: every input converted to float64, so float32 results and float32's earlier breakdown are lost."""
# expect: test_sigmoid 1.87 "float32"
# expect: test_naive_bce 2.43 "float32"
# Only the float64 value earns its points (0.5 of 4 weights).
# expect: test_first_inf_logit 0.25 "float32"

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
