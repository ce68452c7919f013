"""Hidden grader for ``logsumexp(z)``: log(sum_j exp(z_j)) over the last axis.

Checks, against 200-bit mpmath references of the exact inputs (row tables in conftest.py): the
extreme rows, where the naive log(sum(exp(z))) overflows or takes log(0) ([1000, 0, -1000],
[-800, -800], [1e4, 1e4], ...); random rows with k = 2, 3, 10, float64 and float32; shapes
(k,) -> (), (n, k) -> (n,), (2, 3, k) -> (2, 3); float32 in, float32 out; no floating-point
warning under np.errstate(over, invalid, divide = "raise").

Tolerance: |err| <= 4 eps (k + max_j |z_j|) per row (``tolerances.LOGSUMEXP``).  Why: with m = max_j z_j and
s = sum_j exp(z_j - m) in [1, k], a shifted computation rounds each z_j - m (error
eps/2 |z_j - m|, weighted in s by exp(z_j - m) <= 1, so at most ~eps), each exp and each
addition (together <= k eps relative in s, hence <= k eps absolute in log s), and finally
m + log s (eps/2 |m| + eps log k).  In all about eps (k + max_j |z_j|); measured worst case on
this module's inputs, float64 and float32: 0.78 of that for m + log(sum exp(z - m)) and for the
scipy-style m + log1p(sum of the non-maximal terms), 1.31 for np.logaddexp.reduce (which
rounds at |m| once per term).  The naive log(sum(exp(z))) is accurate
while every exp(z_j) is a normal float, and fails on the extreme rows: inf once a logit exceeds
709.8 (float32: 88.7), -inf once all are below -745 (float32: -104), lost digits when the
largest exp(z_j) is subnormal.
"""

from course_numerics import reference
from course_numerics.rowwise import SharedChecks
from course_numerics.tolerances import LOGSUMEXP, logsumexp_bound

ROW_SIZES = (2, 3, 10)

CHECKS = SharedChecks("logsumexp", reference.logsumexp, LOGSUMEXP,
                      lambda z, ref, dtype: logsumexp_bound(z, dtype), reduces_last_axis=True)
test_extreme_rows = CHECKS.extreme_rows("[1000, 0, -1000] and [-800, -800]",
                                        "logsumexp on rows where the naive formula overflows")
test_random_rows = CHECKS.random_rows(ROW_SIZES)
test_shapes = CHECKS.shapes("logsumexp reduces the last axis: (k,) -> (), (n, k) -> (n,), (2, 3, k) -> (2, 3), "
                            "also for k = 1")
test_float32_stays_float32 = CHECKS.keeps_dtype()
test_no_floating_point_warning = CHECKS.no_fp_warning("[1000, 0, -1000]")
