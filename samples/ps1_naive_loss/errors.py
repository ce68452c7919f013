"""Errors: naive_bce written with the math module, which raises on arrays and on log(0)."""
# expect: test_sigmoid full
# expect: test_naive_bce 0 "naive_bce(...) raised"
# expect: test_first_inf_logit 0 "does not define first_inf_logit"

# %% [naive_bce]
import math


def naive_bce(y_true, z):
    """Binary cross-entropy from logits, the textbook way: p = sigmoid(z), then -y log p - (1 - y) log(1 - p)."""
    p = 1 / (1 + math.exp(-z))
    return -y_true * math.log(p) - (1 - y_true) * math.log(1 - p)
