"""predict_classes takes the argmax over axis 0, the examples, not the classes."""
# audit: wrong
# loses: test_predict_classes
# keeps: test_build_model test_compile_model test_predict_proba

# %% [predict_classes]
def predict_classes(model, X):
    """The class id of each row of X: the argmax of the model's logits."""
    logits = keras.ops.convert_to_numpy(model(X, training=False))
    return np.argmax(logits, axis=0)
