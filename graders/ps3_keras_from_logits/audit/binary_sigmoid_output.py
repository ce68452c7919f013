"""The binary model keeps a sigmoid output unit and sets from_logits=True: a sigmoid applied twice."""
# audit: wrong
# loses: test_binary_model
# keeps: test_build_model test_compile_model

# %% [build_binary_model]
def build_binary_model(n_features):
    """A compiled binary classifier with one linear output unit."""
    binary = keras.Sequential([
        keras.Input(shape=(n_features,)),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    binary.compile(
        loss=keras.losses.BinaryCrossentropy(from_logits=True),
        optimizer=keras.optimizers.Adam(learning_rate=0.01),
        metrics=[keras.metrics.BinaryAccuracy(threshold=0.0)],
    )
    return binary
