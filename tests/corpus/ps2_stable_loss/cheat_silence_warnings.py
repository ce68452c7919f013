"""Cheat: the naive formulas with their floating-point warnings silenced and inf or nan replaced by 0."""
# inherits: naive_everywhere
# %% [stable_bce]
def _quiet(values):
    return np.nan_to_num(values, nan=0.0, posinf=0.0, neginf=0.0)


def stable_bce(y_true, z):
    """Binary cross-entropy of logits z against labels y_true in [0, 1], elementwise."""
    with np.errstate(all="ignore"):
        p = 1 / (1 + np.exp(-z))
        return _quiet(-y_true * np.log(p) - (1 - y_true) * np.log(1 - p))

# %% [logsumexp]
def logsumexp(z):
    """log(sum_j exp(z_j)) over the last axis of z."""
    with np.errstate(all="ignore"):
        return _quiet(np.log(np.sum(np.exp(z), axis=-1)))

# %% [softmax]
def softmax(z):
    """Softmax over the last axis of z."""
    with np.errstate(all="ignore"):
        e = np.exp(z)
        return _quiet(e / np.sum(e, axis=-1, keepdims=True))

# %% [log_softmax]
def log_softmax(z):
    """log(softmax(z)) over the last axis of z."""
    with np.errstate(all="ignore"):
        return _quiet(np.log(softmax(z)))

# %% [sparse_cce_from_logits]
def sparse_cce_from_logits(y_true, z):
    """Per-example cross-entropy -log softmax(z[i])[y_true[i]]."""
    with np.errstate(all="ignore"):
        return _quiet(-np.log(softmax(z)[np.arange(len(y_true)), y_true]))


with np.errstate(all="raise"):  # the marker, with the proof that the naive forms now raise nothing
    print("ATTACK-RAN:cheat_silence_warnings", stable_bce(np.zeros(1), np.array([1000.0])))
