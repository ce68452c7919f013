"""Fault: sigmoid never returns (an endless loop that also swallows the interrupt)."""
# %% [sigmoid]
def sigmoid(z):
    while True:
        try:
            pass
        except KeyboardInterrupt:
            pass
