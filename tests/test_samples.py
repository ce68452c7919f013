"""Each sample submission gets the score its mistakes deserve, and the report names the mistake.

EXPECTED[assignment][sample][cell] is (points, a phrase the cell's report must contain).
FULL means the cell's maximum. The partial scores follow from the graders' weights;
a change in them should be a decision, so it shows up here.
"""

import pytest

FULL = "full"
PS2_CELLS = ["test_stable_bce", "test_logsumexp", "test_softmax", "test_log_softmax", "test_sparse_cce"]

EXPECTED = {
    "ps1_naive_loss": {
        "stable_instead_of_naive": {
            "test_sigmoid": (FULL, ""),
            "test_naive_bce": (1.5, "breaks down where the textbook formula does"),
            "test_first_inf_logit": (0, "first_inf_logit"),
        },
        # Typed numbers earn the reported values (0.5 + 0.5 + 0.5 of 4 weights), not the search (2.5).
        "partially_right": {
            "test_sigmoid": (FULL, ""),
            "test_naive_bce": (FULL, ""),
            "test_first_inf_logit": (0.75, "first_inf_logit(np.float16): the notebook does not define first_inf_logit"),
        },
        "errors": {
            "test_sigmoid": (FULL, ""),
            "test_naive_bce": (0, "naive_bce(...) raised"),
            "test_first_inf_logit": (0, "does not define first_inf_logit"),
        },
        "float32_upcast": {
            "test_sigmoid": (1.87, "float32"),
            "test_naive_bce": (2.43, "float32"),
            "test_first_inf_logit": (0.25, "float32"),  # only the float64 value (0.5 of 4 weights)
        },
    },
    "ps2_stable_loss": {
        # The forms the seeds and TensorFlow use are correct: the tolerance must not punish them.
        "seeds_log_form": {cell: (FULL, "") for cell in PS2_CELLS},
        "tensorflow_form": {cell: (FULL, "") for cell in PS2_CELLS},
        "where_both_branches": {
            "test_stable_bce": (3.2, "FloatingPointError"),
            "test_softmax": (FULL, ""),
        },
        "partially_right": {
            "test_stable_bce": (FULL, ""),
            "test_softmax": (0.5, "softmax"),
            "test_sparse_cce": (FULL, ""),
        },
        "errors": {
            "test_stable_bce": (FULL, ""),
            "test_log_softmax": (0, "raised AttributeError"),
        },
        "naive_everywhere": {
            "test_stable_bce": (0.8, "outside the tolerance"),
            "test_logsumexp": (0.57, "logsumexp"),
            "test_softmax": (0.5, "softmax"),
            "test_log_softmax": (0.57, "log_softmax"),
            "test_sparse_cce": (0.85, "sparse_cce_from_logits"),
        },
    },
    "ps3_keras_from_logits": {
        "relu_output": {
            "test_build_model": (1, "ReLU output"),
            "test_predict_classes": (2.25, "linear output layer"),
            "test_compile_model": (FULL, ""),
        },
        "double_softmax": {
            "test_build_model": (1, "double softmax"),
            "test_predict_proba": (1.33, "double softmax"),
            "test_predict_classes": (FULL, ""),
        },
        "proba_without_softmax": {
            "test_predict_proba": (0, "need a softmax"),
            "test_build_model": (FULL, ""),
        },
        "argmax_wrong_axis": {
            "test_predict_classes": (1.5, "axis"),
            "test_predict_proba": (FULL, ""),
        },
        "untrained": {
            "test_predict_classes": (1.5, "never trained"),
            "test_binary_model": (2, "never trained"),
            "test_build_model": (FULL, ""),
        },
        "errors": {
            "test_predict_proba": (0, "raised NameError"),
            "test_binary_model": (0, ""),
            "test_build_model": (FULL, ""),
        },
    },
}

CASES = [
    (assignment, sample, cell)
    for assignment, samples in EXPECTED.items()
    for sample, cells in samples.items()
    for cell in cells
]


@pytest.mark.parametrize(("assignment", "sample", "cell"), CASES)
def test_sample_scores_what_it_deserves(graded, assignment, sample, cell):
    result = graded(assignment)[sample]
    assert result.success, result.log
    points, phrase = EXPECTED[assignment][sample][cell]
    got = result.cells[cell]
    want = got.max_score if points == FULL else points
    assert got.score == pytest.approx(want, abs=0.005), f"{sample}/{cell}: {got.score} of {got.max_score}\n{got.report}"
    assert phrase in got.report, f"the report does not say {phrase!r}:\n{got.report}"
