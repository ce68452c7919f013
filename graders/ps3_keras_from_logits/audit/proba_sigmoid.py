"""predict_proba applies a sigmoid to each logit: entries in (0, 1), but rows do not sum to 1."""
# audit: wrong
# loses: test_predict_proba
# keeps: test_build_model test_compile_model

# %% [predict_proba]
def predict_proba(model, X):
    """Class probabilities for the rows of X: softmax of the model's logits."""
    logits = keras.ops.convert_to_numpy(model(X, training=False))
    return 1 / (1 + np.exp(-logits))
