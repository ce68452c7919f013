"""stable_bce piecewise with boolean masks: each form computed only on its own side of zero."""
# audit: right

# %% [stable_bce]
def stable_bce(y_true, z):
    """Binary cross-entropy of logits z against labels y_true in [0, 1], elementwise."""
    y_true, z = np.broadcast_arrays(y_true, np.asarray(z))
    loss = np.empty(z.shape, dtype=np.result_type(z, y_true, 1.0))
    pos = z >= 0
    loss[pos] = z[pos] * (1 - y_true[pos]) + np.log1p(np.exp(-z[pos]))
    loss[~pos] = -z[~pos] * y_true[~pos] + np.log1p(np.exp(z[~pos]))
    return loss[()] if loss.ndim == 0 else loss
