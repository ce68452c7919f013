"""The seeds' piecewise form with np.log(1 + np.exp(.)) instead of log1p, each branch on its own side of zero."""
# inherits: reference
# A correct form the seeds use: the tolerance must not punish it.
# expect: test_stable_bce full
# expect: test_logsumexp full
# expect: test_softmax full
# expect: test_log_softmax full
# expect: test_sparse_cce full
# fails: test_stable_bce "stable_bce is within 4 eps |L| of the exact loss, even where L < 1e-16 (needs log1p and z(1 -"

# %% [stable_bce]
def stable_bce(y_true, z):
    """Binary cross-entropy of logits z against labels y_true in [0, 1], elementwise."""
    y_true, z = np.broadcast_arrays(y_true, np.asarray(z))
    loss = np.empty(z.shape, dtype=np.result_type(z, y_true, 1.0))
    pos = z >= 0
    zp, yp = z[pos], y_true[pos]
    zn, yn = z[~pos], y_true[~pos]
    loss[pos] = np.log(1 + np.exp(-zp)) + zp - zp * yp  # Loss for z >= 0
    loss[~pos] = np.log(1 + np.exp(zn)) - zn * yn  # Loss for z < 0
    return loss[()] if loss.ndim == 0 else loss
