"""first_inf_logit from a closed form, ceil(100 ln(2 / eps)) / 100 of np.finfo(dtype): no search, no naive_bce."""
# audit: wrong
# loses: test_first_inf_logit
# keeps: others

# %% [first_inf_logit]
grid = np.arange(0, 5001) / 100  # 0.00, 0.01, ..., 50.00


def first_inf_logit(dtype):
    """The smallest z of `grid` where naive_bce(0, z), computed in `dtype`, is inf."""
    return float(np.ceil(100 * np.log(2 / np.finfo(dtype).eps)) / 100)

first_inf_logit_float64 = first_inf_logit(np.float64)
first_inf_logit_float32 = first_inf_logit(np.float32)
