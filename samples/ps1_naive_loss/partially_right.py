"""Partially right: both functions correct, but the thresholds typed from the table (36.74, 16.64), not searched."""

# %% [first_inf_logit]
# The table and the plot show where the loss turns inf; these are the grid points just after.
first_inf_logit_float64 = 36.74
first_inf_logit_float32 = 16.64
