"""from_logits=True on a softmax output: the loss applies softmax to probabilities (a double softmax)."""
# audit: wrong
# loses: test_build_model

# %% [build_model]
def build_model(n_features, n_classes):
    """An uncompiled Keras classifier: ReLU hidden layers, then n_classes logits."""
    return keras.Sequential([
        keras.Input(shape=(n_features,)),
        keras.layers.Dense(25, activation="relu"),
        keras.layers.Dense(15, activation="relu"),
        keras.layers.Dense(n_classes, activation="softmax"),
    ])
