"""Naive everywhere: sigmoid then log, exp/sum without the shift, -log(softmax) for the cross-entropy."""
# inherits: reference
# expect: test_stable_bce 0.8 "outside the tolerance"
# expect: test_logsumexp 0.57 "logsumexp"
# expect: test_softmax 0.5 "softmax"
# expect: test_log_softmax 0.57 "log_softmax"
# expect: test_sparse_cce 0.85 "sparse_cce_from_logits"
# fails: test_stable_bce "stable_bce is within 4 eps (1 + |z|) of the exact loss where naive code breaks (|z| up to"
# fails: test_stable_bce "stable_bce is within 4 eps (1 + |z|) of the exact loss on random logits, labels 0 and 1"
# fails: test_stable_bce "stable_bce is within 4 eps (1 + |z|) of the exact loss with soft labels, some near 0 and 1"
# fails: test_stable_bce "stable_bce is right with floating-point warnings turned into errors, at logits up to +-1e300"
# fails: test_stable_bce "stable_bce is within 4 eps |L| of the exact loss, even where L < 1e-16 (needs log1p and z(1 -"
# fails: test_logsumexp "logsumexp is within 4 eps (k + max|z|) of the exact value on rows like [1000, 0, -1000] and"
# fails: test_logsumexp "logsumexp is within 4 eps (k + max|z|) of the exact value on random rows, k = 2, 3, 10"
# fails: test_logsumexp "logsumexp is right with floating-point warnings turned into errors, on rows like [1000, 0,"
# fails: test_softmax "softmax is within 4 eps (k + |z_i - m| + |m|) softmax_i of the exact value on rows like"
# fails: test_softmax "softmax is within 4 eps (k + |z_i - m| + |m|) softmax_i of the exact value on random rows, k ="
# fails: test_softmax "softmax rows sum to 1 (within the rounding the elementwise tolerance allows)"
# fails: test_softmax "softmax is right with floating-point warnings turned into errors, on rows like [1000, 0, -1000],"
# fails: test_log_softmax "log_softmax is within 4 eps (k + max|z|) of the exact value on rows like [1000, 0, -1000]"
# fails: test_log_softmax "log_softmax is within 4 eps (k + max|z|) of the exact value on random rows, k = 2, 3, 10"
# fails: test_log_softmax "log_softmax is right with floating-point warnings turned into errors, on rows like [1000, 0,"
# fails: test_sparse_cce "sparse_cce_from_logits gives 0 / 1000 / 2000 for [1000, 0, -1000] and log 2 for [1e4, 1e4]"
# fails: test_sparse_cce "sparse_cce_from_logits is within 4 eps (k + max|z|) of the exact loss on random rows, k = 2,"
# fails: test_sparse_cce "sparse_cce_from_logits is right with floating-point warnings turned into errors, on rows like"

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
