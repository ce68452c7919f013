"""Argmax on the wrong axis: predict_classes takes the argmax over examples (axis 0), not classes."""
# expect: test_predict_classes 1.5 "axis"
# expect: test_predict_proba full
# fails: test_predict_classes "predict_classes returns one class per example: the argmax of the model's logits"
# fails: test_predict_classes "predict_classes agrees with the argmax of predict_proba"

# %% [predict_classes]
def predict_classes(model, X):
    """The class id of each row of X: the argmax of the model's logits over the class axis."""
    logits = keras.ops.convert_to_numpy(model(X, training=False))
    return np.argmax(logits, axis=0)
