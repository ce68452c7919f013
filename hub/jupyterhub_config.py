"""JupyterHub for one nbgrader course on one machine: the from-logits course's hub (docs/jupyterhub.md).

Run as root (JupyterHub's docs: the local-process spawner starts each user's server as that Unix user):

    make hub      # = <prefix>/venv/bin/jupyterhub -f hub/jupyterhub_config.py, after make hub-prefix builds it

* Logins: PAM, the machine's own accounts (swap in OAuthenticator or LTI Authenticator: docs/jupyterhub.md).
* Each user's server: ``jupyterhub-singleuser`` as that Unix user, from a world-readable prefix that ``make hub``
  builds from the locked requirements (a clone or venv under /root, mode 700, is out of the users' reach).
* Course membership: hub groups ``formgrade-<course>`` (instructors) and ``nbgrader-<course>`` (students),
  which nbgrader's JupyterHubAuthPlugin reads, so a student's Assignments panel lists this course only.
* The instructor's server starts in the course root (formgrader loads ``nbgrader_config.py`` from its working
  folder, so its Autograde button grades with the kit: confined kernels, the submission gate, the graders
  outside the kernel); a student's server starts in their home, without formgrader or the course list.

Everything that belongs to one machine or one term is an environment variable below, so that this file stays
as it is in the repository (the end-to-end test, tests/test_hub.py, starts the hub from it).
"""

from __future__ import annotations

import os
from pathlib import Path

c = get_config()  # noqa: F821  (injected by traitlets' config loader)


def _names(variable: str) -> list[str]:
    return [name for name in os.environ.get(variable, "").replace(",", " ").split() if name]


HERE = Path(__file__).resolve().parent
COURSE_ID = os.environ.get("FROM_LOGITS_COURSE_ID", "from_logits")
# The course root, the instructor's (mode 700: graders/, source/, the gradebook and .grading-secret stay theirs).
COURSE_ROOT = os.environ.get("FROM_LOGITS_COURSE_ROOT", "/srv/from_logits/course")
# The shared exchange (mode 1777, as docs/instructor_guide.md sets it up); students' nbgrader is pointed at it.
EXCHANGE = os.environ.get("FROM_LOGITS_EXCHANGE", "/srv/nbgrader/exchange")
# What every user's server runs from: a venv and the students' settings that users can read (make hub-prefix).
PREFIX = Path(os.environ.get("FROM_LOGITS_HUB_PREFIX", "/opt/from_logits-hub"))
# The hub's own state (its database, cookie secret): root's, never a user's.
STATE = Path(os.environ.get("FROM_LOGITS_HUB_STATE", "/srv/jupyterhub"))
INSTRUCTORS = _names("FROM_LOGITS_INSTRUCTORS")
STUDENTS = _names("FROM_LOGITS_STUDENTS")

# --- The hub and its proxy ------------------------------------------------------------------------------------
# Loopback only: TLS and the public name belong to a reverse proxy in front (docs/jupyterhub.md, nginx).
c.JupyterHub.bind_url = os.environ.get("FROM_LOGITS_HUB_URL", "http://127.0.0.1:8000")
c.JupyterHub.hub_bind_url = os.environ.get("FROM_LOGITS_HUB_API_URL", "http://127.0.0.1:8081")
c.ConfigurableHTTPProxy.api_url = os.environ.get("FROM_LOGITS_PROXY_API_URL", "http://127.0.0.1:8001")
# The proxy pinned in hub/package-lock.json, installed by `make hub` (npm ci): never fetched at run time.
c.ConfigurableHTTPProxy.command = [str(HERE / "node_modules" / ".bin" / "configurable-http-proxy")]
c.JupyterHub.db_url = "sqlite:///" + str(STATE / "jupyterhub.sqlite")
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")

# --- Who logs in ----------------------------------------------------------------------------------------------
# PAM: the machine's own accounts and passwords.  The students must be Unix users anyway: the kit's collect
# takes a submission only from the Unix user whose login is its student id (README, Security, VettedCollect).
c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.open_sessions = False  # no login session (utmp, pam_systemd) per server: not needed here
c.Authenticator.allowed_users = set(INSTRUCTORS + STUDENTS)
c.Authenticator.admin_users = set(_names("FROM_LOGITS_HUB_ADMINS"))

# --- Course membership ----------------------------------------------------------------------------------------
# nbgrader's JupyterHubAuthPlugin reads these groups: a student sees the assignments of nbgrader-<course>'s
# courses only; formgrade-<course> makes its members the course's graders.
INSTRUCTOR_GROUP, STUDENT_GROUP = f"formgrade-{COURSE_ID}", f"nbgrader-{COURSE_ID}"
c.JupyterHub.load_groups = {
    INSTRUCTOR_GROUP: {"users": INSTRUCTORS},
    STUDENT_GROUP: {"users": STUDENTS},
}
c.JupyterHub.load_roles = [
    # A server's token may read its own user's groups, which is all the plugin asks the hub (GET /users/<me>).
    {"name": "server", "scopes": ["inherit"]},
    # Formgrader's "add student" puts the student into nbgrader-<course> through the hub's API.
    {
        "name": f"grader-{COURSE_ID}",
        "groups": [INSTRUCTOR_GROUP],
        "scopes": ["list:users", "read:users", f"list:groups!group={STUDENT_GROUP}", f"groups!group={STUDENT_GROUP}"],
    },
]

# --- Each user's server ---------------------------------------------------------------------------------------
c.JupyterHub.spawner_class = "localprocess"  # a real process per user, as that Unix user
SINGLEUSER = str(PREFIX / "venv" / "bin" / "jupyterhub-singleuser")
c.Spawner.cmd = [SINGLEUSER]
c.Spawner.default_url = "/lab"
c.Spawner.http_timeout = 120  # a first start imports JupyterLab, nbgrader and their extensions
c.Spawner.start_timeout = 120
# PATH: nbgrader starts alembic and kernels by name; the prefix's bin/ first, then the system's (bwrap).
c.Spawner.environment = {
    "PATH": f"{PREFIX / 'venv' / 'bin'}:/usr/local/bin:/usr/bin:/bin",
    "FROM_LOGITS_EXCHANGE": EXCHANGE,
    "FROM_LOGITS_COURSE_ID": COURSE_ID,
    "LANG": "C.UTF-8",
}
# Server settings for students (PREFIX/students/: formgrader and the course list off, server and page alike).
STUDENT_CONFIG = PREFIX / "students"


def _in(spawner, group: str) -> bool:
    return any(g.name == group for g in spawner.user.groups)


def pre_spawn_hook(spawner) -> None:
    """The instructor's server works in the course root with formgrader; a student's in their home without it."""
    if _in(spawner, INSTRUCTOR_GROUP):
        spawner.notebook_dir = COURSE_ROOT
        # Formgrader reads nbgrader_config.py from the server's working folder, the course root (the kit's
        # configuration: confined kernels, the submission gate); the spawner itself starts in the home folder.
        spawner.cmd = ["/bin/sh", "-c", 'cd "$0" && exec "$@"', COURSE_ROOT, SINGLEUSER]
    else:
        spawner.notebook_dir = "~"
        # Its settings come first (hub/students/): formgrader and the course list off in the server, so that no
        # formgrader URL answers, and their menu items off in the page.
        spawner.environment = {**spawner.environment, "JUPYTER_CONFIG_PATH": str(STUDENT_CONFIG)}


c.Spawner.pre_spawn_hook = pre_spawn_hook
