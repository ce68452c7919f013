"""course_kit installs as a package of its own (pyproject.toml), and what installs holds no course.

A course that adopts the engine depends on the package; this course's maths (graders/course_numerics)
must not come with it.  The package is built from a copy of pyproject.toml and course_kit/ (a build
in the checkout would leave build/ behind), installed into a scratch folder, and imported from there.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO

IMPORT_EVERY_MODULE = """
import importlib, importlib.util, json, pkgutil, sys
import course_kit
failed = {}
for module in pkgutil.walk_packages(course_kit.__path__, "course_kit."):
    try:
        importlib.import_module(module.name)
    except Exception as error:
        failed[module.name] = repr(error)
print(json.dumps({"file": course_kit.__file__, "failed": failed, "mpmath": "mpmath" in sys.modules,
                  "course_numerics": importlib.util.find_spec("course_numerics") is not None}))
"""


def test_the_installed_engine_imports_without_the_course(tmp_path: Path):
    source = tmp_path / "src"
    source.mkdir()
    shutil.copy2(REPO / "pyproject.toml", source)
    shutil.copytree(REPO / "course_kit", source / "course_kit", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "jupyter-config", source / "jupyter-config")  # the server extensions' enabling file
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                    "--target", str(site), str(source)], check=True, capture_output=True, timeout=600)
    assert sorted(p.name for p in site.iterdir() if not p.name.endswith(".dist-info")) == ["course_kit", "etc"]
    # Jupyter finds <prefix>/etc/jupyter/jupyter_server_config.d/: every server of that environment loads the guard.
    enabled = json.loads((site / "etc/jupyter/jupyter_server_config.d/course_kit.json").read_text())
    assert enabled["ServerApp"]["jpserver_extensions"] == {"course_kit.server_extensions.formgrader_guard": True}
    (metadata,) = site.glob("*.dist-info/METADATA")
    requires = [line.split(":", 1)[1].strip() for line in metadata.read_text().splitlines()
                if line.startswith("Requires-Dist:")]
    # The engine's own needs (Dask and tqdm grade a class in parallel, cryptography makes its cluster's TLS keys, nh3
    # cleans what a notebook puts into a page, latex2mathml makes its maths MathML); TensorFlow, mpmath and matplotlib
    # are the course's (extra "course").
    engine = sorted(r.split("==")[0] for r in requires if "extra ==" not in r)
    assert engine == ["cryptography", "dask[distributed]", "distributed", "latex2mathml", "nbgrader", "nh3", "numpy",
                      "pytest", "tqdm"]

    env = {**os.environ, "PYTHONPATH": str(site)}
    run = subprocess.run([sys.executable, "-c", IMPORT_EVERY_MODULE], cwd=tmp_path, env=env,
                         capture_output=True, text=True, check=True, timeout=300)
    found = json.loads(run.stdout.splitlines()[-1])
    assert Path(found["file"]).is_relative_to(site), found["file"]
    assert not found["failed"], found["failed"]
    assert not found["mpmath"], "a module of the engine imports mpmath: course maths came with it"
    assert not found["course_numerics"]
    # The feedback's template comes with it (nbconvert reads it from the installed package).
    assert (site / "course_kit" / "templates" / "course_kit_feedback" / "index.html.j2").is_file()
    # And the stand-in for nbconvert's MathJax macro, without which the pages would load MathJax from a CDN.
    assert (site / "course_kit" / "templates" / "base" / "mathjax.html.j2").is_file()
