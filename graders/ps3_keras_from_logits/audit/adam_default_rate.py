"""compile_model with Adam's default learning rate, 0.001: three epochs are not enough."""
# audit: wrong
# loses: test_compile_model
# keeps: test_build_model

# %% [compile_model]
def compile_model(model):
    """Compile model in place: SparseCategoricalCrossentropy(from_logits=True), Adam(0.01)."""
    model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), optimizer="adam",
                  metrics=["accuracy"])
