"""compile_model with Adam's default learning rate, 0.001: three epochs are not enough.

The optimizer check of test_compile_model reports the rate (weight 0: the cell is about the loss from logits),
so the points go where the slow rate does its harm, the held-out accuracy of test_predict_classes."""
# audit: wrong
# loses: test_predict_classes
# keeps: test_build_model

# %% [compile_model]
def compile_model(model):
    """Compile model in place: SparseCategoricalCrossentropy(from_logits=True), Adam(0.01)."""
    model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), optimizer="adam",
                  metrics=["accuracy"])
