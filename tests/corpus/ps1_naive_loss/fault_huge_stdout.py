"""Fault: an answer cell prints 100 MB to stdout."""
# %% [before sigmoid]
for _ in range(100):
    print("x" * (2**20 - 1))
