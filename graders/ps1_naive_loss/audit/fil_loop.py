"""first_inf_logit as a Python loop over the grid, stopping at the first inf."""
# audit: right

# %% [first_inf_logit]
grid = np.arange(0, 5001) / 100  # 0.00, 0.01, ..., 50.00


def first_inf_logit(dtype):
    """The smallest z of `grid` where naive_bce(0, z), computed in `dtype`, is inf."""
    for value in grid:
        with np.errstate(divide="ignore"):
            if np.isinf(naive_bce(dtype(0), dtype(value))):
                return float(value)
    return float("nan")

first_inf_logit_float64 = first_inf_logit(np.float64)
first_inf_logit_float32 = first_inf_logit(np.float32)
