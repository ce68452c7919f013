"""One function errors: log_softmax calls np.logsumexp, which numpy does not have."""
# inherits: reference
# expect: test_stable_bce full
# expect: test_log_softmax 0 "raised AttributeError"
# fails: test_log_softmax "log_softmax is within 4 eps (k + max|z|) of the exact value on rows like [1000, 0, -1000]"
# fails: test_log_softmax "log_softmax is within 4 eps (k + max|z|) of the exact value on random rows, k = 2, 3, 10"
# fails: test_log_softmax "log_softmax keeps the shape: (k,), (n, k), (2, 3, k), also for k = 1"
# fails: test_log_softmax "log_softmax keeps the dtype: float32 in, float32 out (and float64 in, float64 out)"
# fails: test_log_softmax "log_softmax is right with floating-point warnings turned into errors, on rows like [1000, 0,"

# %% [log_softmax]
def log_softmax(z):
    """log(softmax(z)) over the last axis of z, computed as z - logsumexp(z)."""
    z = np.asarray(z)
    return z - np.logsumexp(z, axis=-1, keepdims=True)
