"""sigmoid computed in float64 and rounded back to the input's dtype: more accurate, dtype kept."""
# audit: right
# known-hole: test_naive_bce issue 24: naive_bce judged by the textbook's arithmetic, not this student's sigmoid
# known-hole: test_first_inf_logit issue 24: first_inf_logit judged by the textbook's arithmetic, not this naive_bce

# %% [sigmoid]
def sigmoid(z):
    """The logistic function 1 / (1 + exp(-z)), elementwise."""
    z = np.asarray(z)
    return (1 / (1 + np.exp(-z.astype(np.float64)))).astype(z.dtype)
