"""first_inf_logit compares the loss with np.inf and takes np.flatnonzero's first index."""
# audit: right

# %% [first_inf_logit]
grid = np.arange(0, 5001) / 100  # 0.00, 0.01, ..., 50.00


def first_inf_logit(dtype):
    """The smallest z of `grid` where naive_bce(0, z), computed in `dtype`, is inf."""
    z = grid.astype(dtype)
    with np.errstate(divide="ignore"):
        where = np.flatnonzero(naive_bce(dtype(0), z) == np.inf)
    return float(grid[where[0]]) if where.size else float("nan")

first_inf_logit_float64 = first_inf_logit(np.float64)
first_inf_logit_float32 = first_inf_logit(np.float32)
