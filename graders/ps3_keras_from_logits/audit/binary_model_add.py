"""build_binary_model with model.add, and the loss and metric given as objects."""
# audit: right

# %% [build_binary_model]
def build_binary_model(n_features):
    """A compiled binary classifier with one linear output unit."""
    binary = keras.Sequential()
    binary.add(keras.Input(shape=(n_features,)))
    binary.add(keras.layers.Dense(16, activation="relu"))
    binary.add(keras.layers.Dense(1))
    binary.compile(optimizer=keras.optimizers.Adam(0.01), loss=keras.losses.BinaryCrossentropy(from_logits=True),
                   metrics=[keras.metrics.BinaryAccuracy(threshold=0.0)])
    return binary
