"""A linear output compiled with from_logits=False: the loss takes the logits for probabilities."""
# audit: wrong
# loses: test_compile_model
# keeps: test_build_model

# %% [compile_model]
def compile_model(model):
    """Compile model in place: SparseCategoricalCrossentropy(from_logits=True), Adam(0.01)."""
    model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=False),
                  optimizer=keras.optimizers.Adam(learning_rate=0.01), metrics=["accuracy"])
