"""The kit runs on Python 3.11, 3.12 and 3.13, and the Makefile, pyproject.toml and the lock agree on it.

The Makefile builds the venv on the newest python3.13/3.12/3.11 that runs (or PYTHON=...) and refuses
any other Python with a message saying which ones it takes. These tests run the Makefile's own
selection against stand-in interpreters that only answer its version probe, so they need no
second Python; that the lock really installs on each version is checked by `make lock`
(scripts/lock.py), and the suite's run on each is measured in the README.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from conftest import REPO


def supported() -> list[str]:
    return re.search(r"^SUPPORTED := (.+)$", (REPO / "Makefile").read_text(), re.M).group(1).split()


def fake_python(folder: Path, name: str, version: str | None) -> Path:
    """An executable that answers the Makefile's version probes as Python `version` would; None: it fails."""
    path = folder / name
    if version is None:
        path.write_text("#!/bin/sh\necho 'pyenv: command not found' >&2\nexit 127\n")
    else:
        minor = version.rsplit(".", 1)[0]
        probes = f"*%d.%d.%d*) echo {version};; *%d.%d*) echo {minor};;"
        path.write_text(f"#!/bin/sh\ncase \"$2\" in {probes} *) exit 1;; esac\n")
    path.chmod(0o755)
    return path


def run_make(folder: Path, *args: str, path: str) -> subprocess.CompletedProcess:
    for name in ("Makefile", "requirements.txt", "pyproject.toml", "jupyter-config/course_kit.json"):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / name, folder / name)
    return subprocess.run(["make", "-C", str(folder), *args], capture_output=True, text=True,
                          env={"PATH": path, "HOME": str(folder)}, timeout=1800)


def test_pyproject_allows_exactly_the_makefile_versions():
    allowed = SpecifierSet(tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["requires-python"])
    for minor in range(9, 16):
        assert (f"3.{minor}.0" in allowed) == (f"3.{minor}" in supported()), f"3.{minor}: pyproject and Makefile differ"


def test_lock_holds_every_direct_pin_and_setuptools():
    lock = {}
    for line in (REPO / "requirements.txt").read_text().splitlines():
        if "==" in line:
            name, version = line.split("==")
            lock[Requirement(name).name.lower().replace("_", "-")] = version
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    extras = [pin for extra in project.get("optional-dependencies", {}).values() for pin in extra]
    for pin in project["dependencies"] + extras:
        requirement = Requirement(pin)
        assert lock.get(requirement.name.lower().replace("_", "-")) == str(requirement.specifier)[2:], pin
    # A 3.12+ venv has no setuptools; unpinned, tensorflow's dependency on it would float.
    assert "setuptools" in lock and "wheel" in lock


def test_the_environment_lacks_the_slow_iri_checker_and_stays_consistent():
    """jsonschema imports rfc3987-syntax whenever it is installed, for 1.4 s of CPU in each process that imports
    nbformat (scripts/lock.py); the lock and the Makefile leave it out, and pip still finds every requirement of
    every installed package met."""
    assert importlib.util.find_spec("rfc3987_syntax") is None, "make setup left rfc3987-syntax installed"
    check = subprocess.run([sys.executable, "-m", "pip", "check"], capture_output=True, text=True, timeout=300)
    assert check.returncode == 0, check.stdout + check.stderr


def test_newest_python_that_runs_is_picked(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake_python(bin_dir, "python3.13", None)  # a pyenv shim of a version not selected
    fake_python(bin_dir, "python3.12", "3.12.1")
    fake_python(bin_dir, "python3.11", "3.11.2")
    result = run_make(tmp_path, "-n", ".venv/.installed", path=f"{bin_dir}:/usr/bin:/bin")
    assert "Building .venv on Python 3.12.1 (python3.12)" in result.stdout, result.stdout + result.stderr


@pytest.mark.parametrize("version", ["3.10.12", "3.14.0", None])
def test_unsupported_python_is_refused_by_name(tmp_path, version):
    python = fake_python(tmp_path, "python-under-test", version)
    result = run_make(tmp_path, f"PYTHON={python}", ".venv/.installed", path="/usr/bin:/bin")
    assert result.returncode != 0
    said = version or "not a Python that runs"
    assert f"The kit runs on Python 3.11, 3.12 or 3.13; {python} is {said}." in result.stdout
    assert not (tmp_path / ".venv").exists()
