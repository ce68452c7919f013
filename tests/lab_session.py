"""A real JupyterLab on localhost and a headless Chromium to drive it, for the browser tests.

``LabServer`` starts ``python -m jupyterlab`` on a course directory the way an
instructor does from the course root (the server loads its
``nbgrader_config.py``, so the assignment list and formgrader see the course's
exchange and gradebook), on a free loopback port with a token and its own
Jupyter config, data and runtime folders, so that nothing of the user's
``~/.jupyter`` leaks in.  ``chromium`` launches Debian's ``/usr/bin/chromium``
through Playwright for Python: Playwright's own browser download is never used
(``make setup`` installs the ``chromium`` package).  ``Screenshots`` writes one
numbered PNG per step into ``browser-screenshots/`` (README, "Browser tests").
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
# Headless, and nothing that reaches out on its own: no QUIC, no component or sync traffic.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
# JupyterLab user settings: no "Would you like to get notified about Jupyter news?" toast over the page (as in
# nbgrader's own UI tests), and every cell of a notebook in the page rather than those near the viewport, so that
# a cell is found by its position in the notebook file.
USER_SETTINGS = {
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false"},
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
}
SCREENSHOTS = Path(__file__).resolve().parents[1] / "browser-screenshots"


class LabServer:
    """``jupyter lab`` serving ``root`` on 127.0.0.1; ``url(path)`` carries the token."""

    def __init__(self, root: Path, scratch: Path, extra_args: tuple[str, ...] = ()) -> None:
        # The server picks its own port (0) and says which in its runtime file: a port picked here and closed
        # could be taken by another process before the server bound it.
        self.root, self.port, self.token = root, None, secrets.token_hex(16)
        self.log_path = scratch / "jupyterlab.log"
        bindir = str(Path(sys.executable).parent)  # kernels and nbgrader's alembic are found beside this Python
        env = {**os.environ, "PATH": bindir + os.pathsep + os.environ.get("PATH", "")}
        # JUPYTER_DATA_DIR holds nbgrader's student submission cache: the user's own would list their past
        # submissions to this course in the page (and get this test's added to it).
        for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "JUPYTERLAB_WORKSPACES_DIR",
                     "IPYTHONDIR"):
            env[name] = str(scratch / name.lower())
        self.data_dir = Path(env["JUPYTER_DATA_DIR"])
        self.runtime_dir = Path(env["JUPYTER_RUNTIME_DIR"])
        env["JUPYTERLAB_SETTINGS_DIR"] = str(scratch / "lab-settings")
        for plugin, settings in USER_SETTINGS.items():
            path = scratch / "lab-settings" / f"{plugin}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(settings))
        command = [
            sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
            "--ServerApp.port=0", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={root}",
            # No news feed or update check: the page would otherwise ask about them and call out.
            "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            *extra_args,
        ]  # fmt: skip
        if os.geteuid() == 0:
            command.append("--allow-root")  # CI and these machines run as root; jupyter refuses root otherwise
        with self.log_path.open("w") as log:  # a file: a full pipe would stall the server
            self.process = subprocess.Popen(
                command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )  # not waited for here: the caller prepares the course meanwhile (wait_until_up)

    def url(self, path: str = "lab") -> str:
        assert self.port is not None, "the server's port is known once it is up (wait_until_up)"
        return f"http://127.0.0.1:{self.port}/{path}?token={self.token}"

    def log(self) -> str:
        return self.log_path.read_text()

    def wait_until_up(self, limit_s: float = 90) -> None:
        deadline = time.monotonic() + limit_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with {self.process.returncode}:\n{self.log()}")
            try:
                if self.port is None:  # jupyter_server writes it once listening (ServerApp.info_file)
                    info = self.runtime_dir / f"jpserver-{self.process.pid}.json"
                    self.port = json.loads(info.read_text())["port"]
                with urllib.request.urlopen(self.url("api/status"), timeout=5):
                    return
            except (OSError, ValueError):  # no file yet, half written, or not answering yet
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"jupyter lab did not answer within {limit_s} s:\n{self.log()}")

    def stop(self) -> None:
        """SIGTERM: the server shuts its kernels down; any it left (each kernel leads its own session) are killed."""
        started = psutil.Process(self.process.pid).children(recursive=True) if self.process.poll() is None else []
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=60)
        for child in started:
            with contextlib.suppress(psutil.NoSuchProcess):
                child.kill()


@contextlib.contextmanager
def chromium():
    """Debian's Chromium, headless, under Playwright."""
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: `make setup` installs it as root (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser: Browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class Screenshots:
    """``<folder>/<scenario>-<nn>-<step>.png``, numbered in the order the steps were taken."""

    def __init__(self, folder: Path, scenario: str) -> None:
        self.folder, self.scenario, self.count = folder, scenario, 0
        folder.mkdir(exist_ok=True)
        for old in folder.glob(f"{scenario}-*.png"):
            old.unlink()

    def take(self, page: Page, step: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.scenario}-{self.count:02d}-{step}.png"
        page.screenshot(path=path)
        return path
