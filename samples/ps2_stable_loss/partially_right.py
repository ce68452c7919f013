"""Partially right: stable BCE, log-sum-exp, log-softmax and cross-entropy right, softmax not shifted by the max."""
# inherits: reference
# expect: test_stable_bce full
# expect: test_softmax 0.5 "softmax"
# expect: test_sparse_cce full
# fails: test_softmax "softmax is within 4 eps (k + |z_i - m| + |m|) softmax_i of the exact value on rows like"
# fails: test_softmax "softmax is within 4 eps (k + |z_i - m| + |m|) softmax_i of the exact value on random rows, k ="
# fails: test_softmax "softmax rows sum to 1 (within the rounding the elementwise tolerance allows)"
# fails: test_softmax "softmax is right with floating-point warnings turned into errors, on rows like [1000, 0, -1000],"

# %% [softmax]
def softmax(z):
    """Softmax over the last axis of z."""
    e = np.exp(z)
    return e / np.sum(e, axis=-1, keepdims=True)
