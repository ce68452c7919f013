"""TensorFlow's documented form max(z, 0) - z * y + log1p(exp(-|z|))."""
# inherits: reference
# A correct form TensorFlow uses: the tolerance must not punish it.
# expect: test_stable_bce full
# expect: test_logsumexp full
# expect: test_softmax full
# expect: test_log_softmax full
# expect: test_sparse_cce full
# fails: test_stable_bce "stable_bce is within 4 eps |L| of the exact loss, even where L < 1e-16 (needs log1p and z(1 -"

# %% [stable_bce]
def stable_bce(y_true, z):
    """Binary cross-entropy of logits z against labels y_true in [0, 1], elementwise."""
    z = np.asarray(z)
    return np.maximum(z, 0) - z * y_true + np.log1p(np.exp(-np.abs(z)))
