"""Partially right: both functions correct, but the thresholds typed (36.0 and 17.0) instead of searched."""

# %% [first_inf_logit]
# The table showed 36 finite and 40 inf in float64, 17 inf in float32.
first_inf_logit_float64 = 36.0
first_inf_logit_float32 = 17.0
