"""sparse CCE as logsumexp(z) - z[i, y_i], right, on an unshifted logsumexp: the cause is logsumexp."""
# audit: wrong
# inherits: lse_not_shifted
# loses: test_logsumexp
# says: test_sparse_cce calls your logsumexp, which fails its own check
