"""predict_proba with model.predict and keras.activations.softmax."""
# audit: right

# %% [predict_proba]
def predict_proba(model, X):
    """Class probabilities for the rows of X: softmax of the model's logits."""
    logits = keras.ops.convert_to_tensor(model.predict(X, verbose=0))
    return keras.ops.convert_to_numpy(keras.activations.softmax(logits))
