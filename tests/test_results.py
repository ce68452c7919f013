"""A cell's points are split over its checks by weight and never rounded up."""

from course_kit.grading.results import CellReport, CheckResult


def test_points_split_by_weight_and_rounded_down():
    report = CellReport("test_f", [CheckResult("a", 1, True), CheckResult("b", 1, True), CheckResult("c", 1, False)])
    assert report.score(2) == 1.33
    assert report.score(3) == 2


def test_weight_zero_is_reported_but_not_scored():
    report = CellReport("test_f", [CheckResult("a", 1, True), CheckResult("tier", 0, False, "relative error 1e-3")])
    assert report.score(4) == 4
    text = report.render(4)
    assert "FAILED  tier (reported only, no points)" in text and "relative error 1e-3" in text
    assert text.endswith("Score for this cell: 4 of 4")
