"""sigmoid piecewise with boolean masks, each side exponentiating -|z| only (no scipy)."""
# audit: right

# %% [sigmoid]
def sigmoid(z):
    """The logistic function 1 / (1 + exp(-z)), elementwise."""
    z = np.asarray(z)
    e = np.exp(-np.abs(z))  # in (0, 1]: never overflows
    out = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
    return out[()] if out.ndim == 0 else out
