"""Never trained: train() returns without calling model.fit, so the models keep their random weights."""
# expect: test_predict_classes 1.5 "never trained"
# expect: test_binary_model 2 "never trained"
# expect: test_build_model full
# fails: test_predict_classes "the trained model classifies at least 85% of held-out points correctly (argmax of its"
# fails: test_predict_classes "model was trained as the locked cell asks: train(model, X_train, y_train, epochs=3), 3"
# fails: test_binary_model "binary_model was trained as the locked cell asks: train(binary_model, ..., epochs=6), 6"
# fails: test_binary_model "classes from logit > 0 (sigmoid(logit) > 0.5, without its rounding) are right on 85% of"

# %% [train]
def train(model, X, y, epochs):
    """Fit a compiled model on (X, y) for `epochs` epochs, silently; return the History."""
    return None
