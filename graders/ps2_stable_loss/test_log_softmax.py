"""Hidden grader for ``log_softmax(z)`` over the last axis.

Checks, against 200-bit mpmath references of the exact inputs (row tables in conftest.py): the
extreme rows, where log of a (naive or shifted) softmax gives nan or log(0) = -inf
([1000, 0, -1000], [-800, -800], [1e4, 1e4], ...); random rows with k = 2, 3, 10, float64 and
float32; shapes (k,), (n, k), (2, 3, k), k = 1; float32 in, float32 out; no floating-point
warning under np.errstate(over, invalid, divide = "raise").

Tolerance: |err_i| <= 4 eps (k + max_j |z_j|), the bound of logsumexp (``tolerances.LOGSUMEXP``), per
element.  Why:
log_softmax_i = z_i - logsumexp(z).  Computed as (z_i - m) - log s or as z_i - logsumexp(z),
it inherits the logsumexp error (about eps (k + |m|), see test_logsumexp) plus the rounding
of one or two subtractions of size <= |z_i - m| + log k <= 2 max_j |z_j| + log k.  In all
about eps (k + 2 max_j |z_j|); measured worst case on this module's inputs 1.55 eps (k + max_j |z_j|)
for both forms, for z - (scipy-style logsumexp) and for z - np.logaddexp.reduce(z), float64 and
float32.  log(softmax(z)) is not a correct
form: it returns -inf (with a divide warning) wherever softmax underflows, e.g. at
[1000, 0, -1000], where the answer is [0, -1000, -2000].
"""

from course_numerics import reference
from course_numerics.rowwise import SharedChecks
from course_numerics.tolerances import LOGSUMEXP, log_softmax_bound

ROW_SIZES = (2, 3, 10)

CHECKS = SharedChecks("log_softmax", reference.log_softmax, LOGSUMEXP, log_softmax_bound, reduces_last_axis=False,
                      value_scale="symlog")
test_extreme_rows = CHECKS.extreme_rows("[1000, 0, -1000] and [-800, -800]",
                                        "log_softmax on rows where softmax overflows or underflows")
test_random_rows = CHECKS.random_rows(ROW_SIZES)
test_shapes = CHECKS.shapes("log_softmax keeps the shape: (k,), (n, k), (2, 3, k), also for k = 1")
test_float32_stays_float32 = CHECKS.keeps_dtype()
test_no_floating_point_warning = CHECKS.no_fp_warning("[1000, 0, -1000]")
