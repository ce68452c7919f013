"""Partially right: both functions correct, but the thresholds typed from the table (36.74, 16.64), not searched."""
# Typed numbers earn the reported values (0.5 + 0.5 + 0.5 of 4 weights), not the search (2.5).
# expect: test_sigmoid full
# expect: test_naive_bce full
# expect: test_first_inf_logit 0.75 "first_inf_logit(np.float16): the notebook does not define first_inf_logit"
# fails: test_first_inf_logit "first_inf_logit(dtype) searches: on float16, a type the notebook never uses, it finds"
# fails: test_first_inf_logit "first_inf_logit searches with naive_bce: given a naive_bce that turns inf at z = 3.21,"

# %% [first_inf_logit]
# The table and the plot show where the loss turns inf; these are the grid points just after.
first_inf_logit_float64 = 36.74
first_inf_logit_float32 = 16.64
