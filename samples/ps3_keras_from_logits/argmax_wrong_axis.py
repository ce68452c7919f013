"""Argmax on the wrong axis: predict_classes takes the argmax over examples (axis 0), not classes."""
# expect: test_predict_classes 1.5 "axis"
# expect: test_predict_proba full


# %% [predict_classes]
def predict_classes(model, X):
    """The class id of each row of X: the argmax of the model's logits over the class axis."""
    logits = keras.ops.convert_to_numpy(model(X, training=False))
    return np.argmax(logits, axis=0)
