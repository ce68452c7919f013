"""Naive everywhere: sigmoid then log, exp/sum without the shift, -log(softmax) for the cross-entropy."""
# inherits: reference
# expect: test_stable_bce 0.8 "outside the tolerance"
# expect: test_logsumexp 0.57 "logsumexp"
# expect: test_softmax 0.5 "softmax"
# expect: test_log_softmax 0.57 "log_softmax"
# expect: test_sparse_cce 0.85 "sparse_cce_from_logits"
# %% [stable_bce]
def stable_bce(y_true, z):
    """Binary cross-entropy of logits z against labels y_true in [0, 1], elementwise."""
    p = 1 / (1 + np.exp(-z))
    return -y_true * np.log(p) - (1 - y_true) * np.log(1 - p)

# %% [logsumexp]
def logsumexp(z):
    """log(sum_j exp(z_j)) over the last axis of z."""
    return np.log(np.sum(np.exp(z), axis=-1))

# %% [softmax]
def softmax(z):
    """Softmax over the last axis of z."""
    e = np.exp(z)
    return e / np.sum(e, axis=-1, keepdims=True)

# %% [log_softmax]
def log_softmax(z):
    """log(softmax(z)) over the last axis of z."""
    return np.log(softmax(z))

# %% [sparse_cce_from_logits]
def sparse_cce_from_logits(y_true, z):
    """Per-example cross-entropy -log softmax(z[i])[y_true[i]]."""
    return -np.log(softmax(z)[np.arange(len(y_true)), y_true])
