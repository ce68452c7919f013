"""Probabilities without softmax: predict_proba returns the model's raw outputs, which are logits."""
# expect: test_predict_proba 0 "need a softmax"
# expect: test_build_model full


# %% [predict_proba]
def predict_proba(model, X):
    """Class probabilities for the rows of X: softmax of the model's logits; each row sums to 1."""
    return model.predict(X, verbose=0)
