"""Never trained: train() returns without calling model.fit, so the models keep their random weights."""


# %% [train]
def train(model, X, y, epochs):
    """Fit a compiled model on (X, y) for `epochs` epochs, silently; return the History."""
    return None
