"""The graders' phase clock (course_kit.grading.phase_times): seconds add up per phase and per notebook,
a nested phase of one name counts once, and a new notebook starts from zero."""

from __future__ import annotations

import time

from course_kit.grading import phase_times


def _busy(seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def test_phases_add_up_once_each_and_restart_per_notebook():
    phase_times.start()
    started = time.perf_counter()
    with phase_times.phase("figures"):
        _busy(0.02)
        with phase_times.phase("figures"):  # nested: counted by the outer one only
            _busy(0.02)
        with phase_times.phase("references"):
            _busy(0.01)
    with phase_times.phase("references"):
        _busy(0.01)
    elapsed = time.perf_counter() - started
    totals = phase_times.totals()
    assert set(totals) == {"figures", "references"}
    assert 0.05 <= totals["figures"] <= elapsed + 1e-3
    assert 0.02 <= totals["references"] <= totals["figures"]
    phase_times.start()
    assert phase_times.totals() == {}


def test_a_phase_that_raises_is_still_counted():
    phase_times.start()
    try:
        with phase_times.phase("figures"):
            _busy(0.01)
            raise ValueError("a drawing failed")
    except ValueError:
        pass
    assert phase_times.totals()["figures"] >= 0.01
