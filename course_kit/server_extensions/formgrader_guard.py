"""Formgrader grades the course it was started in, and loads no configuration named by a URL.

nbgrader 0.9.6's ``GET /formgrader?path=<dir>`` re-initialises formgrader from
``<dir>/nbgrader_config.py``: a Python file, run in the instructor's server.  A GET
checks no XSRF token, so one link is enough: a student who leaves an
``nbgrader_config.py`` in a folder the instructor's account can read (their home on
the course's server, a shared scratch folder) and gets the instructor to open
``.../formgrader?path=/home/student/x`` (a forum post, a link in an e-mail, an image
on any web page the instructor visits while logged in) runs code as the instructor.

This extension refuses that parameter with 403 and leaves the rest of formgrader as
it is.  The feature it removes is formgrader's "look at another course" shortcut;
an instructor of two courses starts JupyterLab from each course's folder instead.
It patches nbgrader's handler class rather than registering a route of its own:
tornado serves the route of whichever extension registered it first, and the order
extensions load in is not ours to choose.
"""

from __future__ import annotations

import functools
from typing import Any

from tornado import web

REFUSAL = ("formgrader grades the course it was started in: start JupyterLab from the other course's folder "
           "instead (course_kit.server_extensions.formgrader_guard)")


def _refuse_path_argument(get):
    @functools.wraps(get)
    def guarded_get(self, *args, **kwargs):
        if self.get_argument("path", ""):
            self.log.warning("formgrader: refused ?path=%r (a configuration named by a URL would run as you)",
                             self.get_argument("path"))
            raise web.HTTPError(403, REFUSAL)
        return get(self, *args, **kwargs)

    guarded_get.course_kit_guarded = True
    return guarded_get


def guard_formgrader() -> None:
    """Patch nbgrader's ``FormgraderHandler.get`` (once)."""
    from nbgrader.server_extensions.formgrader.handlers import FormgraderHandler

    if not getattr(FormgraderHandler.get, "course_kit_guarded", False):
        FormgraderHandler.get = _refuse_path_argument(FormgraderHandler.get)


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    return [{"module": "course_kit.server_extensions.formgrader_guard"}]


def _load_jupyter_server_extension(server_app) -> None:
    guard_formgrader()
    server_app.log.info("course_kit: formgrader refuses ?path= (configuration named by a URL)")
