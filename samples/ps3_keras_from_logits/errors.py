"""Errors: predict_proba calls a softmax the notebook never defines; build_binary_model misspells from_logits."""
# expect: test_predict_proba 0 "raised NameError"
# expect: test_binary_model 0
# expect: test_build_model full
# expect: test_predict_classes 2.25 "agrees with the argmax of predict_proba"
# fails: test_predict_proba "predict_proba returns probabilities: one row of 4 per example, entries in [0, 1], rows"
# fails: test_predict_proba "predict_proba equals the softmax of the model's logits (on moderate logits the grader"
# fails: test_predict_proba "predict_proba stays finite and exact on large logits: rows like [1000, 0, -1000, 0] and"
# fails: test_predict_classes "predict_classes agrees with the argmax of predict_proba"
# fails: test_binary_model "binary_model ends in a single linear output unit, and nothing after it changes its output"
# fails: test_binary_model "binary_model outputs logits on held-out points: one per example, some negative"
# fails: test_binary_model "binary_model's loss is BinaryCrossentropy(from_logits=True) and computes the loss from"
# fails: test_binary_model "accuracy metrics compiled by build_binary_model, if any, cut the logits at 0"
# fails: test_binary_model "binary_model's optimizer is Adam with learning rate 0.01"
# fails: test_binary_model "binary_model was trained as the locked cell asks: train(binary_model, ..., epochs=6), 6"
# fails: test_binary_model "classes from logit > 0 (sigmoid(logit) > 0.5, without its rounding) are right on 85% of"

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
