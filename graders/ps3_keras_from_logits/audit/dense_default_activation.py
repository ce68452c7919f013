"""The output layer as Dense(n_classes) with no activation argument (linear by default)."""
# audit: right

# %% [build_model]
def build_model(n_features, n_classes):
    """An uncompiled Keras classifier: ReLU hidden layers, then n_classes logits."""
    return keras.Sequential([
        keras.Input(shape=(n_features,)),
        keras.layers.Dense(25, activation="relu"),
        keras.layers.Dense(15, activation="relu"),
        keras.layers.Dense(n_classes),
    ])
