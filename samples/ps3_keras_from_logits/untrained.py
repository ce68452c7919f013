"""Never trained: train() returns without calling model.fit, so the models keep their random weights."""
# expect: test_predict_classes 1.5 "never trained"
# expect: test_binary_model 2 "never trained"
# expect: test_build_model full


# %% [train]
def train(model, X, y, epochs):
    """Fit a compiled model on (X, y) for `epochs` epochs, silently; return the History."""
    return None
