"""np.where over both unsafe branches: right values, but exp overflows (and warns) in the branch it discards."""
# inherits: reference
# expect: test_stable_bce 3.2 "FloatingPointError"
# expect: test_softmax full
# fails: test_stable_bce "stable_bce is right with floating-point warnings turned into errors, at logits up to +-1e300"
# fails: test_stable_bce "stable_bce is within 4 eps |L| of the exact loss, even where L < 1e-16 (needs log1p and z(1 -"

# %% [stable_bce]
def stable_bce(y_true, z):
    """Binary cross-entropy of logits z against labels y_true in [0, 1], elementwise."""
    z = np.asarray(z)
    return np.where(
        z >= 0,
        np.log1p(np.exp(-z)) + z - z * y_true,
        np.log1p(np.exp(z)) - z * y_true,
    )
