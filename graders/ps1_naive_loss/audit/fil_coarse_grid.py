"""first_inf_logit searches its own grid of step 0.1, not the notebook's 0.01."""
# audit: wrong
# loses: test_first_inf_logit
# keeps: others

# %% [first_inf_logit]
grid = np.arange(0, 5001) / 100  # 0.00, 0.01, ..., 50.00


def first_inf_logit(dtype):
    """The smallest z of `grid` where naive_bce(0, z), computed in `dtype`, is inf."""
    coarse = np.arange(0, 501) / 10
    z = coarse.astype(dtype)
    with np.errstate(divide="ignore"):
        is_inf = np.isinf(naive_bce(0.0, z))
    return float(coarse[is_inf][0]) if is_inf.any() else float("nan")

first_inf_logit_float64 = first_inf_logit(np.float64)
first_inf_logit_float32 = first_inf_logit(np.float32)
