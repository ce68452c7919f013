"""first_inf_logit returns the index of the first inf on the grid, not its z."""
# audit: wrong
# loses: test_first_inf_logit
# keeps: others

# %% [first_inf_logit]
grid = np.arange(0, 5001) / 100  # 0.00, 0.01, ..., 50.00


def first_inf_logit(dtype):
    """The smallest z of `grid` where naive_bce(0, z), computed in `dtype`, is inf."""
    z = grid.astype(dtype)
    with np.errstate(divide="ignore"):
        is_inf = np.isinf(naive_bce(0.0, z))
    return float(np.argmax(is_inf))

first_inf_logit_float64 = first_inf_logit(np.float64)
first_inf_logit_float32 = first_inf_logit(np.float32)
