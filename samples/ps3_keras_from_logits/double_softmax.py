"""Double softmax: keeps activation="softmax" in the output layer and also sets from_logits=True."""
# expect: test_build_model 1 "double softmax"
# predict_proba is the reference, right: its softmax is now tested on the grader's own logits, whatever the
# model outputs, so the model's mistake (a softmax in its output layer) costs test_build_model only.
# expect: test_predict_proba full
# expect: test_predict_classes full
# fails: test_build_model "model's last layer is a linear Dense layer with 4 units, and nothing after it changes its"
# fails: test_build_model "model outputs logits on held-out points: 4 per example, some negative, rows not summing to 1"

# %% [build_model]
def build_model(n_features, n_classes):
    """An uncompiled Keras classifier: ReLU hidden layers, then a linear Dense layer of n_classes logits."""
    return keras.Sequential(
        [
            keras.Input(shape=(n_features,)),
            keras.layers.Dense(25, activation="relu"),
            keras.layers.Dense(15, activation="relu"),
            keras.layers.Dense(n_classes, activation="softmax"),
        ]
    )
