"""ReLU output layer: the last Dense layer uses ReLU like the hidden ones, erasing negative logits."""
# expect: test_build_model 1 "ReLU output"
# expect: test_predict_classes 2.25 "linear output layer"
# expect: test_compile_model full
# fails: test_build_model "model's last layer is a linear Dense layer with 4 units, and nothing after it changes its"
# fails: test_build_model "model outputs logits on held-out points: 4 per example, some negative, rows not summing to 1"
# fails: test_predict_classes "the trained model classifies at least 85% of held-out points correctly (argmax of its"

# %% [build_model]
def build_model(n_features, n_classes):
    """An uncompiled Keras classifier: ReLU hidden layers, then a linear Dense layer of n_classes logits."""
    return keras.Sequential(
        [
            keras.Input(shape=(n_features,)),
            keras.layers.Dense(25, activation="relu"),
            keras.layers.Dense(15, activation="relu"),
            keras.layers.Dense(n_classes, activation="relu"),
        ]
    )
