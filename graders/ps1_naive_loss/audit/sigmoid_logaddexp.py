"""sigmoid as exp(-logaddexp(0, -z)): the log-domain form, never overflows."""
# audit: right
# known-hole: test_sigmoid issue 24: bound tighter than this right form's error (7.28e-23 > 3.68e-23 at z = -17)
# known-hole: test_naive_bce issue 24: naive_bce judged by the textbook's arithmetic, not this student's sigmoid
# known-hole: test_first_inf_logit issue 24: first_inf_logit judged by the textbook's arithmetic, not this naive_bce

# %% [sigmoid]
def sigmoid(z):
    """The logistic function 1 / (1 + exp(-z)), elementwise."""
    z = np.asarray(z)
    return np.exp(-np.logaddexp(0, -z))
