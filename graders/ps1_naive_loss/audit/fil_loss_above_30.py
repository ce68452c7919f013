"""first_inf_logit searches for loss > 30 instead of inf: right only where the loss jumps straight to inf."""
# audit: wrong
# loses: test_first_inf_logit
# keeps: others

# %% [first_inf_logit]
grid = np.arange(0, 5001) / 100  # 0.00, 0.01, ..., 50.00


def first_inf_logit(dtype):
    """The smallest z of `grid` where naive_bce(0, z), computed in `dtype`, is inf."""
    z = grid.astype(dtype)
    with np.errstate(divide="ignore"):
        big = naive_bce(0.0, z) > 30
    return float(grid[big][0]) if big.any() else float("nan")

first_inf_logit_float64 = first_inf_logit(np.float64)
first_inf_logit_float32 = first_inf_logit(np.float32)
