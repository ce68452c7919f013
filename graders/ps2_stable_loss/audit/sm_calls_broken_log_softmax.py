"""softmax as exp(log_softmax(z)), right, on a log_softmax that drops keepdims: the cause is log_softmax."""
# audit: wrong
# inherits: lsm_missing_keepdims
# loses: test_log_softmax
# says: test_softmax calls your log_softmax, which fails its own check

# %% [softmax]
def softmax(z):
    """Softmax over the last axis of z, as exp(log_softmax(z))."""
    return np.exp(log_softmax(z))
