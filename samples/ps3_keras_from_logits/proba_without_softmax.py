"""Probabilities without softmax: predict_proba returns the model's raw outputs, which are logits."""
# expect: test_predict_proba 0 "need a softmax"
# expect: test_build_model full
# fails: test_predict_proba "predict_proba returns probabilities: one row of 4 per example, entries in [0, 1], rows"
# fails: test_predict_proba "predict_proba equals the softmax of the model's logits (on moderate logits the grader"
# fails: test_predict_proba "predict_proba stays finite and exact on large logits: rows like [1000, 0, -1000, 0] and"

# %% [predict_proba]
def predict_proba(model, X):
    """Class probabilities for the rows of X: softmax of the model's logits; each row sums to 1."""
    return model.predict(X, verbose=0)
