"""first_inf_logit looks the two thresholds up in a table typed from the plot: any other dtype is nan."""
# audit: wrong
# loses: test_first_inf_logit
# keeps: others

# %% [first_inf_logit]
grid = np.arange(0, 5001) / 100  # 0.00, 0.01, ..., 50.00


def first_inf_logit(dtype):
    """The smallest z of `grid` where naive_bce(0, z), computed in `dtype`, is inf."""
    return {np.float64: 36.74, np.float32: 16.64}.get(dtype, float("nan"))

first_inf_logit_float64 = first_inf_logit(np.float64)
first_inf_logit_float32 = first_inf_logit(np.float32)
