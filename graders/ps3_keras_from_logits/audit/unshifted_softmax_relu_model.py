"""An unshifted numpy softmax in predict_proba, beside a ReLU output layer that zeroes every large logit."""
# audit: wrong
# loses: test_predict_proba test_build_model

# %% [build_model]
def build_model(n_features, n_classes):
    """An uncompiled Keras classifier: ReLU hidden layers, then n_classes logits."""
    return keras.Sequential([
        keras.Input(shape=(n_features,)),
        keras.layers.Dense(25, activation="relu"),
        keras.layers.Dense(15, activation="relu"),
        keras.layers.Dense(n_classes, activation="relu"),
    ])

# %% [predict_proba]
def predict_proba(model, X):
    """Class probabilities for the rows of X: softmax of the model's logits."""
    logits = keras.ops.convert_to_numpy(model(X, training=False))
    e = np.exp(logits)
    return e / np.sum(e, axis=-1, keepdims=True)
