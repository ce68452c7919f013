"""predict_proba with an unshifted numpy softmax: exp of a large logit overflows to inf / inf = nan."""
# audit: wrong
# loses: test_predict_proba
# keeps: test_build_model test_compile_model

# %% [predict_proba]
def predict_proba(model, X):
    """Class probabilities for the rows of X: softmax of the model's logits."""
    logits = keras.ops.convert_to_numpy(model(X, training=False))
    e = np.exp(logits)
    return e / np.sum(e, axis=-1, keepdims=True)
