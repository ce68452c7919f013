"""A term's dates through the whole loop: due date, a late student, an extension, the late penalty, both exports.

A copy of the course gets a local_config.py as the guide writes it (local_config.example.py): a due date, one
student's extension, the kit's late penalty.  The roster names three students, who submit through the exchange;
after collect, each submission's time (``submitted/<student>/<assignment>/timestamp.txt``, what nbgrader's
autograde reads) is set, so that nothing depends on the clock: ``ontime`` an hour early, ``late`` a day and a
half late, ``extended`` as late as that but within her extension.  ``make grade``'s own code grades them.  The
gradebook must then hold nbgrader's fields (due date, extension, seconds late, penalty) and both exports the
penalised score and the lateness, every expected number derived here from the configured rule.  Then ``late``
is granted an extension after grading: ``make dates`` names him for a regrade, and the regrade lifts the penalty.
"""

from __future__ import annotations

import csv
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from conftest import REPO
from course_kit.config import load_course_config
from course_kit.exporters import export_canvas_csv
from course_kit.instructor import Course, copy_course, roster, term_dates
from course_kit.instructor.grade_class import EXIT_OK, main
from course_kit.instructor.samples import build_submission, read_sample
from course_kit.term import LatePenalty, TermDates

ASSIGNMENT = "ps1_naive_loss"
NOTEBOOK = "naive_loss"
LOCAL_CONFIG = f"""
c = get_config()
c.TermDates.timezone = "Europe/Berlin"
c.TermDates.due_dates = {{"{ASSIGNMENT}": "2026-11-02 23:59"}}
c.TermDates.extensions = {{"{ASSIGNMENT}": {{"extended": "2026-11-06 12:00"}}}}
c.AssignLatePenalties.plugin_class = "course_kit.term.LatePenalty"
c.LatePenalty.percent_per_day = 10
c.LatePenalty.max_percent = 30
c.LatePenalty.grace_minutes = 15
"""
ROSTER = "id,first_name,last_name,lms_user_id\nontime,Olga,Ontime,2001\nlate,Lars,Late,2002\nextended,Eda,Ext,2003\n"


def _submission_times(due: datetime) -> dict[str, datetime]:
    """Naive UTC, as nbgrader keeps times: relative to the due date, so that each case is what its name says."""
    return {"ontime": due - timedelta(hours=1), "late": due + timedelta(hours=37),
            "extended": due + timedelta(hours=37)}


def _grade(course: Course, capsys, *options: str) -> str:
    status = main([ASSIGNMENT, "--course-dir", str(course.course_dir), "--jobs", "1", *options])
    out = capsys.readouterr().out
    assert status == EXIT_OK, out
    return out


def _gradebook_view(course: Course) -> dict[str, tuple]:
    with Gradebook(course.api.coursedir.db_url, course.course_id) as gradebook:
        assignment = gradebook.find_assignment(ASSIGNMENT)
        return {s.student_id: (assignment.duedate, s.extension, s.total_seconds_late, s.score,
                               s.late_submission_penalty, s.max_score) for s in assignment.submissions}


def _exports(course: Course, tmp_path: Path) -> tuple[dict[str, dict], dict[str, dict]]:
    with course.export_grades(tmp_path / "grades.csv").open(newline="") as fh:
        stock = {r["student_id"]: r for r in csv.DictReader(fh) if r["assignment"] == ASSIGNMENT}
    with export_canvas_csv(course.api.coursedir.db_url, course.course_id, tmp_path / "canvas.csv",
                           course.config).open(newline="") as fh:
        header, points, *rows = list(csv.reader(fh))
    canvas = {row[3]: dict(zip(header, row, strict=True)) for row in rows}
    canvas["    Points Possible"] = dict(zip(header, points, strict=True))
    return stock, canvas


def test_due_dates_extensions_and_the_late_penalty_reach_the_gradebook_and_both_exports(tmp_path, capsys):
    course_dir = copy_course(REPO, tmp_path / "course", [ASSIGNMENT])
    (course_dir / "local_config.py").write_text(LOCAL_CONFIG)
    course = Course(course_dir)
    roster_file = tmp_path / "roster.csv"
    roster_file.write_text(ROSTER)
    assert roster.main([str(roster_file), "--course-dir", str(course_dir)]) == roster.EXIT_OK

    course.release(ASSIGNMENT)
    release, source = course.release_notebook(ASSIGNMENT), course.source_notebook(ASSIGNMENT)
    sample = read_sample(REPO / "samples" / ASSIGNMENT / "reference.py")
    dates = TermDates(config=course.config)
    due, extensions = dates.resolved([ASSIGNMENT])[ASSIGNMENT]
    times = _submission_times(due)
    for student in times:
        course.submit(student, ASSIGNMENT, {release.name: build_submission(release, source, sample)})
    course.collect(ASSIGNMENT)
    for student, moment in times.items():  # what `nbgrader submit` writes, at a time of the test's choosing
        stamp = course_dir / "submitted" / student / ASSIGNMENT / "timestamp.txt"
        stamp.write_text(moment.replace(tzinfo=UTC).strftime("%Y-%m-%d %H:%M:%S.%f %Z"))

    graded_lines = {line.split()[0]: line for line in _grade(course, capsys).splitlines() if line.startswith("  ")}

    rule = LatePenalty(config=course.config)
    view = _gradebook_view(course)
    stock, canvas = _exports(course, tmp_path)
    assert canvas["    Points Possible"][f"{ASSIGNMENT} seconds late"] == "(read only)"
    expected_late = {}
    for student, moment in times.items():
        extension = extensions.get(student)
        seconds_late = max(0.0, (moment - (due + (extension or timedelta()))).total_seconds())
        expected_late[student] = seconds_late
        duedate, gb_extension, gb_late, score, penalty, max_score = view[student]
        assert score == max_score, f"{student}: the reference answers lost points: {view[student]}"
        expected_penalty = rule.penalty(max_score, seconds_late) if seconds_late else 0.0
        assert (duedate, gb_extension, gb_late) == (due, extension, seconds_late), student
        assert penalty == pytest.approx(expected_penalty), student
        final = max_score - expected_penalty
        row = stock[student]
        assert float(row["score"]) == pytest.approx(final) and float(row["raw_score"]) == max_score, row
        assert float(row["late_submission_penalty"]) == pytest.approx(expected_penalty), row
        assert float(row["seconds_late"]) == seconds_late, row
        assert row["extension_seconds"] == (str(extension.total_seconds()) if extension else ""), row
        assert float(canvas[student][ASSIGNMENT]) == pytest.approx(final), canvas[student]
        assert float(canvas[student][f"{ASSIGNMENT} seconds late"]) == seconds_late, canvas[student]
        # make grade's line shows the score the exports carry, never only the one before the penalty.
        line = graded_lines[student]
        assert (f"(late: -{expected_penalty:g} = {final:g})" in line) == bool(expected_penalty), line
    # The three cases are what they claim: one on time, one late and penalised, one late but within her extension.
    assert expected_late["ontime"] == 0 and expected_late["extended"] == 0 and expected_late["late"] > 0
    assert times["extended"] > due and view["late"][4] > 0
    assert canvas["late"]["Student"] == "Late, Lars" and canvas["late"]["ID"] == "2002"  # from the roster

    # An extension granted after grading: `make dates` writes it and names the regrade that applies it.
    lars_until = "2026-11-05 12:00"
    (course_dir / "local_config.py").write_text(LOCAL_CONFIG + f'c.TermDates.extensions["{ASSIGNMENT}"]["late"] = '
                                                f'"{lars_until}"\n')
    assert term_dates.main(["--course-dir", str(course_dir)]) == term_dates.EXIT_OK
    out = capsys.readouterr().out
    assert f"make grade A={ASSIGNMENT} S=late FORCE=1" in out and "S=extended" not in out, out
    assert f"late                   extended to {lars_until}" in out, out
    # Run again before the regrade (an instructor checking the dates): the regrade is still owed, so still named.
    assert term_dates.main(["--course-dir", str(course_dir)]) == term_dates.EXIT_OK
    assert f"make grade A={ASSIGNMENT} S=late FORCE=1" in capsys.readouterr().out
    course = Course(course_dir)  # the instructor's next command reads the new local_config.py
    _grade(course, capsys, "--student", "late", "--force")
    duedate, extension, seconds_late, score, penalty, max_score = _gradebook_view(course)["late"]
    new_due = TermDates(config=load_course_config(course_dir)).resolved([ASSIGNMENT])[ASSIGNMENT][1]["late"]
    assert (extension, seconds_late, penalty) == (new_due, 0, 0), "the extension lifts the penalty"
    stock, canvas = _exports(course, tmp_path)
    assert float(stock["late"]["score"]) == max_score and canvas["late"][f"{ASSIGNMENT} seconds late"] == "0"
    assert term_dates.main(["--course-dir", str(course_dir)]) == term_dates.EXIT_OK
    assert "FORCE=1" not in capsys.readouterr().out, "regraded: no penalty is owed any more"



def test_plain_nbgrader_autograde_applies_the_dates_too(tmp_path):
    """Formgrader's Autograde button and plain ``nbgrader autograde`` (nbgrader's API, in this process, against the
    real gradebook) write the configured due date and take the penalty, with no ``make dates`` before them."""
    course_dir = copy_course(REPO, tmp_path / "course", [ASSIGNMENT])
    (course_dir / "local_config.py").write_text(LOCAL_CONFIG)
    course = Course(course_dir)
    course.release(ASSIGNMENT)
    release, source = course.release_notebook(ASSIGNMENT), course.source_notebook(ASSIGNMENT)
    sample = read_sample(REPO / "samples" / ASSIGNMENT / "reference.py")
    course.submit("late", ASSIGNMENT, {release.name: build_submission(release, source, sample)})
    course.collect(ASSIGNMENT)
    due = TermDates(config=course.config).resolved([ASSIGNMENT])[ASSIGNMENT][0]
    submitted = _submission_times(due)["late"]
    stamp = course_dir / "submitted" / "late" / ASSIGNMENT / "timestamp.txt"
    stamp.write_text(submitted.replace(tzinfo=UTC).strftime("%Y-%m-%d %H:%M:%S.%f %Z"))
    with Gradebook(course.api.coursedir.db_url, course.course_id) as gradebook:
        assert gradebook.find_assignment(ASSIGNMENT).duedate is None, "no due date in the gradebook yet"

    result = course.autograde(ASSIGNMENT, "late")
    assert result["success"], result.get("log")
    duedate, extension, seconds_late, score, penalty, max_score = _gradebook_view(course)["late"]
    assert (duedate, extension, seconds_late) == (due, None, (submitted - due).total_seconds())
    expected = LatePenalty(config=course.config).penalty(max_score, seconds_late)
    assert expected > 0 and penalty == pytest.approx(expected)

def test_wrong_dates_are_named_and_nothing_is_written(tmp_path, capsys):
    course_dir = copy_course(REPO, tmp_path / "course", [ASSIGNMENT])
    (course_dir / "local_config.py").write_text(
        f'c = get_config()\nc.TermDates.due_dates = {{"ps1": "2026-11-02 23:59", "{ASSIGNMENT}": "Monday"}}\n'
        f'c.TermDates.extensions = {{"{ASSIGNMENT}": {{"ada": "2026-11-01"}}, '
        '"ps2_stable_loss": {"bob": "2026-12-01"}}\n')
    course = Course(course_dir)
    course.generate(ASSIGNMENT)
    assert term_dates.main(["--course-dir", str(course_dir)]) == term_dates.EXIT_BAD_SETTINGS
    err = capsys.readouterr().err
    assert f"no assignment 'ps1' in this course ({ASSIGNMENT})" in err, err
    assert f"TermDates.due_dates['{ASSIGNMENT}']: 'Monday' is not a date and time" in err, err
    assert "TermDates.extensions['ps2_stable_loss']: the assignment has no due date" in err, err
    with Gradebook(course.api.coursedir.db_url, course.course_id) as gradebook:
        assert gradebook.find_assignment(ASSIGNMENT).duedate is None


def test_an_extension_before_the_due_date_is_refused():
    dates = TermDates(timezone="Europe/Berlin", due_dates={ASSIGNMENT: "2026-11-02 23:59"},
                      extensions={ASSIGNMENT: {"ada": "2026-11-02 12:00"}})
    with pytest.raises(ValueError, match=r"\['ada'\]: 2026-11-02 12:00 is not after the assignment's due date"):
        dates.resolved([ASSIGNMENT])


def test_the_penalty_rule_counts_started_days_within_its_cap_and_grace():
    rule = LatePenalty(percent_per_day=10, max_percent=25, grace_minutes=15)
    day = 24 * 3600
    assert [rule.days_late(s) for s in (0, 15 * 60, 15 * 60 + 1, day, day + 1, 3 * day)] == [0, 0, 1, 1, 2, 3]
    assert [rule.penalty(8, s) for s in (60, 16 * 60, day + 1, 5 * day)] == [0, 0.8, 1.6, 2.0]


def test_the_example_local_config_loads_and_its_dates_read(tmp_path):
    """local_config.example.py, copied as the guide says, is a configuration the kit reads without a mistake."""
    course_dir = copy_course(REPO, tmp_path / "course")
    example = (REPO / "local_config.example.py").read_text()
    (course_dir / "local_config.py").write_text(example)
    config = load_course_config(course_dir)
    assert config.Exchange.root == "/srv/nbgrader/exchange"
    assert not TermDates(config=config).due_dates, "copied as it is, the example sets no made-up due date"
    assert "plugin_class" not in config.AssignLatePenalties and "CanvasExportPlugin" not in config
    # Each example setting (`#c.` and the lines of its dict) switched on, as the guide says to.
    (course_dir / "local_config.py").write_text(re.sub(r"^#(?=c\.|    \"|})", "", example, flags=re.MULTILINE))
    config = load_course_config(course_dir)
    resolved = TermDates(config=config).resolved(term_dates.course_assignments(course_dir))
    assert set(resolved) == set(term_dates.course_assignments(course_dir)), "a due date for every assignment"
    assert LatePenalty(config=config).max_percent == config.LatePenalty.max_percent
