"""Partially right: stable BCE, log-sum-exp, log-softmax and cross-entropy right, softmax not shifted by the max."""
# inherits: reference
# expect: test_stable_bce full
# expect: test_softmax 0.5 "softmax"
# expect: test_sparse_cce full
# %% [softmax]
def softmax(z):
    """Softmax over the last axis of z."""
    e = np.exp(z)
    return e / np.sum(e, axis=-1, keepdims=True)
