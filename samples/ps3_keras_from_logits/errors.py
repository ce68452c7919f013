"""Errors: predict_proba calls a softmax the notebook never defines; build_binary_model misspells from_logits."""
# expect: test_predict_proba 0 "raised NameError"
# expect: test_binary_model 0
# expect: test_build_model full


# %% [predict_proba]
def predict_proba(model, X):
    """Class probabilities for the rows of X: softmax of the model's logits; each row sums to 1."""
    return softmax(keras.ops.convert_to_numpy(model(X)))


# %% [build_binary_model]
def build_binary_model(n_features):
    """A compiled binary classifier: ReLU hidden layer, one linear output unit, BinaryCrossentropy(from_logits=True)."""
    binary = keras.Sequential(
        [
            keras.Input(shape=(n_features,)),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dense(1),
        ]
    )
    binary.compile(loss=keras.losses.BinaryCrossentropy(from_logit=True), optimizer="adam")
    return binary
