"""A link cannot make the instructor's formgrader run a configuration file of a student's.

nbgrader 0.9.6 re-initialises formgrader from ``<dir>/nbgrader_config.py`` on a
plain ``GET /formgrader?path=<dir>``; the kit's server extension
(``course_kit.server_extensions.formgrader_guard``, enabled in the venv by
``make setup``) refuses it.  The attack is played for real on JupyterLab started
from a copy of the course, as the guide says: a planted ``nbgrader_config.py``
that writes a marker file when it runs, and the link opened with the
instructor's credentials.  The same request to a server started without the
guard proves the attack is real (the marker appears), so the guarded run's
missing marker means something.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from lab_session import LabServer

from conftest import REPO
from course_kit.instructor import copy_course

UNGUARDED = "--ServerApp.jpserver_extensions=course_kit.server_extensions.formgrader_guard=False"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 302 itself is the answer we look at


def plant_configuration(folder: Path) -> Path:
    """A student's folder with an nbgrader_config.py that leaves a marker when it runs; the marker's path."""
    folder.mkdir(parents=True)
    marker = folder / "ran-as-the-instructor"
    (folder / "nbgrader_config.py").write_text(f"open({str(marker)!r}, 'w').write('attack ran')\n")
    return marker


def open_link(lab: LabServer, path: str, query: dict[str, str] | None = None) -> int:
    """The instructor's browser following a link: a GET with their credentials; the HTTP status."""
    url = f"http://127.0.0.1:{lab.port}/{path}?" + urllib.parse.urlencode({**(query or {}), "token": lab.token})
    try:
        with urllib.request.build_opener(NoRedirect).open(url, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as answer:
        return answer.code


def run_attack(tmp_path: Path, extra_args: tuple[str, ...] = ()) -> tuple[int, int, bool, str]:
    """Start JupyterLab on a course copy and follow ``/formgrader?path=<student folder>``; then formgrader's
    own entry point without it.  (status of the attack, status of the plain entry, marker written, log)."""
    course = copy_course(REPO, tmp_path / "course", ["ps1_naive_loss"])
    marker = plant_configuration(tmp_path / "student-home" / "notes")
    lab = LabServer(course, tmp_path / "scratch", extra_args)
    try:
        lab.wait_until_up()
        attack = open_link(lab, "formgrader", {"path": str(marker.parent)})
        plain = open_link(lab, "formgrader")
        return attack, plain, marker.exists(), lab.log()
    finally:
        lab.stop()


def test_formgrader_refuses_a_configuration_named_by_a_link(tmp_path: Path) -> None:
    attack, plain, ran, log = run_attack(tmp_path)
    assert not ran, "the planted nbgrader_config.py ran in the instructor's server"
    assert attack == 403, log
    assert "refused ?path=" in log
    assert plain == 302, f"formgrader's own entry point no longer redirects to its pages:\n{log}"


def test_without_the_guard_the_same_link_runs_the_students_file(tmp_path: Path) -> None:
    """The attack the guard stops is real on stock nbgrader 0.9.6; if nbgrader fixes it, this says so."""
    attack, _, ran, log = run_attack(tmp_path, (UNGUARDED,))
    if not ran:
        pytest.fail(f"stock formgrader no longer runs a configuration named by ?path= (status {attack}): the "
                    "guard may be unneeded with this nbgrader; review course_kit/server_extensions/formgrader_guard")
    assert attack == 302
