"""Errors: naive_bce written with the math module, which raises on arrays and on log(0)."""
# expect: test_sigmoid full
# expect: test_naive_bce 0 "naive_bce(...) raised"
# Its first_inf_logit searches as asked (the reference), so with the grader's stand-in naive_bce it finds 3.21:
# consistency grading gives it that check's 1.25 of 4 weights, 2 * 1.25 / 4 = 0.625, rounded down to 0.62; the
# reported values were never defined (the cell raised in naive_bce) and float16's search raises there too.
# expect: test_first_inf_logit 0.62 "does not define first_inf_logit"
# fails: test_naive_bce "naive_bce agrees with the exact loss for logits between -10 and 10"
# fails: test_naive_bce "naive_bce breaks down (inf, nan) where the naive formula on your own sigmoid's values does"
# fails: test_naive_bce "labels and logits broadcast against each other"
# fails: test_naive_bce "float32 stays float32, and the loss has the shape of the inputs (single numbers included)"
# fails: test_first_inf_logit "first_inf_logit is where your naive_bce(0, z) first becomes inf on the 0.01 grid"
# fails: test_first_inf_logit "float32 breaks at a smaller logit than float64"
# fails: test_first_inf_logit "first_inf_logit(dtype) searches: on float16, a type the notebook never uses, it finds"

# %% [naive_bce]
import math


def naive_bce(y_true, z):
    """Binary cross-entropy from logits, the textbook way: p = sigmoid(z), then -y log p - (1 - y) log(1 - p)."""
    p = 1 / (1 + math.exp(-z))
    return -y_true * math.log(p) - (1 - y_true) * math.log(1 - p)
