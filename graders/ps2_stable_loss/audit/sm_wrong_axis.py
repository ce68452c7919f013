"""softmax normalised over axis 0, the examples, instead of the classes."""
# audit: wrong
# loses: test_softmax
# keeps: others

# %% [softmax]
def softmax(z):
    """Softmax over the last axis of z, shifted by the row maximum."""
    z = np.asarray(z)
    e = np.exp(z - np.max(z, axis=0, keepdims=True))
    return e / np.sum(e, axis=0, keepdims=True)
