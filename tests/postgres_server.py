"""A throwaway PostgreSQL server for the tests: its own cluster in a temporary folder, reached by a unix socket.

The idea is the one PostgreSQL's own regression suite (``pg_regress --temp-instance``) and the
``testing.postgresql`` / ``pytest-postgresql`` plugins use: ``initdb`` a fresh cluster in a
temporary folder, ``pg_ctl start`` a server on it that listens only on a unix socket in that
folder (no TCP port to find or to collide on), ``createdb`` the database, and at the end
``pg_ctl stop`` and delete the folder, whatever happened in between.

PostgreSQL refuses to run as root.  When the tests run as root the cluster belongs to the
ordinary account ``nobody`` and every server command runs through ``setpriv`` as that user;
the tests, as root, still reach the socket.  Authentication is ``trust``: only processes of
this machine that can enter the folder can connect, and it lives for one test module.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import URL

DATABASE = "gradebook"
SUPERUSER = "grader"
UNPRIVILEGED = "nobody"  # Debian's account for daemons that own nothing


def postgres_bin_dir() -> Path | None:
    """The folder of ``initdb`` and ``pg_ctl``: on PATH (most systems), else Debian's newest
    ``/usr/lib/postgresql/<version>/bin`` (Debian keeps them off PATH so versions can coexist)."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(on_path).resolve().parent
    versions = [p.parent for p in Path("/usr/lib/postgresql").glob("*/bin/initdb")]
    versions.sort(key=lambda bin_dir: [int(n) for n in re.findall(r"\d+", bin_dir.parent.name)])
    return versions[-1] if versions else None


def unavailable() -> str | None:
    """Why a server cannot be started here, or None."""
    if postgres_bin_dir() is None:
        return "PostgreSQL's server is not installed (apt-get install postgresql; `make setup` does it as root)"
    if os.geteuid() == 0 and not shutil.which("setpriv"):
        return "running as root, and setpriv (util-linux) is missing to start PostgreSQL as an ordinary user"
    return None


class PostgresServer:
    """One running cluster; ``url`` is the SQLAlchemy URL of its database (psycopg 3, unix socket)."""

    def __init__(self, folder: Path) -> None:
        bin_dir = postgres_bin_dir()
        if bin_dir is None:
            raise RuntimeError(unavailable())
        self.bin_dir = bin_dir
        self.folder = folder
        self.data = folder / "data"
        self.socket_dir = folder  # a socket path must stay under ~100 characters: keep it short
        self.log = folder / "server.log"
        query = {"host": str(self.socket_dir)}  # libpq: a host that is a folder means the unix socket in it
        self.url = URL.create("postgresql+psycopg", SUPERUSER, database=DATABASE, query=query).render_as_string()

    def start(self) -> None:
        self._run("initdb", "--pgdata", str(self.data), "--username", SUPERUSER, "--auth", "trust",
                  "--encoding", "UTF8", "--locale", "C", "--no-sync")
        # listen_addresses='' : no TCP at all; fsync off: a test cluster need not survive a power cut.
        options = f"-c listen_addresses='' -k '{self.socket_dir}' -c fsync=off"
        self._run("pg_ctl", "start", "--wait", "--pgdata", str(self.data), "--log", str(self.log),
                  "-o", options)
        self._run("createdb", "--host", str(self.socket_dir), "--username", SUPERUSER, DATABASE)

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():  # immediate: no checkpoint, the cluster is deleted next
            self._run("pg_ctl", "stop", "--wait", "--pgdata", str(self.data), "--mode", "immediate")

    def _run(self, program: str, *args: str) -> None:
        command: Sequence[str] = [str(self.bin_dir / program), *args]
        if os.geteuid() == 0:
            user = pwd.getpwnam(UNPRIVILEGED)
            command = ["setpriv", "--reuid", str(user.pw_uid), "--regid", str(user.pw_gid), "--clear-groups",
                       "--", *command]
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(self.folder)}
        done = subprocess.run(command, cwd=self.folder, env=env, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            server_log = self.log.read_text() if self.log.exists() else ""
            raise RuntimeError(f"{program} failed ({done.returncode}):\n{done.stdout}{done.stderr}{server_log}")


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """A started server, stopped and its folder removed on leaving, even after a failure."""
    # Not under pytest's tmp_path: /tmp/pytest-of-root is 0700, which ``nobody`` cannot enter.
    folder = Path(tempfile.mkdtemp(prefix="ck-pg-"))
    if os.geteuid() == 0:
        user = pwd.getpwnam(UNPRIVILEGED)
        os.chown(folder, user.pw_uid, user.pw_gid)
    server = PostgresServer(folder)
    try:
        server.start()
        yield server
    finally:
        try:
            server.stop()
        finally:
            shutil.rmtree(folder, ignore_errors=True)
