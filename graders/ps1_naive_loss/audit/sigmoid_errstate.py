"""The textbook sigmoid with the overflow warning silenced: the value at -800 is the right 0."""
# audit: right

# %% [sigmoid]
def sigmoid(z):
    """The logistic function 1 / (1 + exp(-z)), elementwise."""
    z = np.asarray(z)
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-z))
