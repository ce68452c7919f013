"""Cheat: answers of the wrong kind: complex, object, strings and a wrongly shaped array."""
# inherits: naive_everywhere
# %% [logsumexp]
def logsumexp(z):
    return np.asarray(z, dtype=complex).sum(axis=-1)
# %% [softmax]
def softmax(z):
    return np.array([None] * np.size(z), dtype=object)
# %% [log_softmax]
def log_softmax(z):
    return np.full(np.shape(z), "0.0")
# %% [sparse_cce_from_logits]
def sparse_cce_from_logits(y_true, z):
    return np.zeros(np.shape(z))


print("ATTACK-RAN:cheat_wrong_dtypes", logsumexp(np.zeros((1, 2))).dtype, softmax(np.zeros(2)).dtype,
      log_softmax(np.zeros(2)).dtype)
