"""Double softmax: keeps activation="softmax" in the output layer and also sets from_logits=True."""
# expect: test_build_model 1 "double softmax"
# expect: test_predict_proba 1.33 "double softmax"
# expect: test_predict_classes full


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
