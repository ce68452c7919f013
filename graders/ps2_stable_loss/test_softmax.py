"""Hidden grader for ``softmax(z)`` over the last axis.

Checks, against 200-bit mpmath references of the exact inputs (row tables in conftest.py): the
extreme rows, where the naive exp(z) / sum(exp(z)) gives inf/inf or 0/0 ([1000, 0, -1000],
[-800, -800], [1e4, 1e4], ...); random rows with k = 2, 3, 10, float64 and float32; rows sum
to 1; shapes (k,), (n, k), (2, 3, k), k = 1; float32 in, float32 out; no floating-point warning
under np.errstate(over, invalid, divide = "raise").

Tolerance, per element: |err_i| <= 4 eps (k + |z_i - m| + |m|) softmax_i + tiny (``tolerances.SOFTMAX``),
with m = max_j z_j and tiny the smallest normal number of the dtype.  Why: every correct form
computes softmax_i = exp(x_i) for some computed exponent x_i ~ z_i - logsumexp(z), and exp
turns an absolute error d in x_i into a relative error d in the result.  Shifting rounds
z_i - m (eps/2 |z_i - m|); the normaliser adds about k eps (the sum of k terms in [0, 1], or
log of it); exp and the division add about eps.  A student who writes exp(z - logsumexp(z))
also rounds logsumexp(z) itself at eps/2 |m|, hence the |m| term (without it that form fails
by a factor of 1000 on rows centred at 1e4).  Below the smallest normal number only absolute
accuracy is possible (subnormal results), hence + tiny.  Measured worst cases on this module's
inputs, in units of the bound without the factor 4: 0.49 for exp(z - m) / sum, 0.66 for
exp(z - logsumexp(z)) and for exp(log_softmax(z)).  (1 / sum_j exp(z_j - z_i) is within the
bound too, but exponentiates positive numbers and fails the no-warning check.)  The naive form
is accurate while every exp(z_j) is a normal float, and fails on the extreme rows: nan from
inf/inf once a logit exceeds 709.8 (float32: 88.7), nan from 0/0 once all are below -745
(float32: -104), lost digits when the largest exp(z_j) is subnormal.
"""

import numpy as np

from course_kit.grading.accuracy import assert_within, eps
from course_kit.grading.student_kernel import in_order
from course_numerics import reference
from course_numerics.rowwise import SharedChecks
from course_numerics.tolerances import SOFTMAX, shown_as, softmax_bound

ROW_SIZES = (2, 3, 10)

CHECKS = SharedChecks("softmax", reference.softmax, SOFTMAX, softmax_bound, reduces_last_axis=False)
test_extreme_rows = CHECKS.extreme_rows("[1000, 0, -1000]",
                                        "softmax on rows where the naive formula gives inf/inf or 0/0")
test_random_rows = CHECKS.random_rows(ROW_SIZES)


@shown_as("softmax rows sum to 1 (within the rounding the elementwise tolerance allows)")
def test_rows_sum_to_one(student, extreme_rows, random_rows):
    softmax = CHECKS.function(student)
    cases = [(kind, k, *softmax.reference(rows, np.float64))
             for kind, table in [("extreme", extreme_rows), ("random", random_rows)] for k, rows in table.items()]
    answers = student.call_many("softmax", [(z,) for _, _, z, _ in cases])
    for (kind, k, z, ref), got in zip(cases, in_order(answers), strict=True):
        assert got.shape == z.shape, (
            f"softmax on {kind} rows (k = {k}): returned shape {got.shape}, expected {z.shape}"
        )
        total = np.sum(got.astype(np.float64), axis=-1)
        allowed = np.sum(softmax_bound(z, ref, np.float64), axis=-1) + k * eps(np.float64)
        assert_within(total, np.ones(len(z)), allowed, f"sum of each softmax row, {kind} rows (k = {k})",
                      inputs={"row": z})


test_shapes = CHECKS.shapes("softmax keeps the shape: (k,), (n, k), (2, 3, k), also for k = 1", relative=True)
test_float32_stays_float32 = CHECKS.keeps_dtype()
test_no_floating_point_warning = CHECKS.no_fp_warning("[1000, 0, -1000], [-800, -800]")
