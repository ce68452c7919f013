"""Write requirements.txt, one full lock that installs on every Python the kit supports (3.11.2 to 3.13).

The lock is resolved for the oldest of them, Debian 12's own python3.11 (3.11.2), on a real 3.11
interpreter: pip's ``--python-version 3.11.2`` skips releases whose Requires-Python excludes it
(soupsieve >= 3.0 needs 3.11.5), and running under 3.11 evaluates environment markers for 3.11,
so backports that only older Pythons need (overrides) are locked too; newer Pythons install them
harmlessly. Wheels only, so that no pin needs a compiler. Each newer interpreter given then
resolves the lock itself (``pip --python``, markers evaluated there) and must install exactly
the locked packages, nothing unpinned (setuptools and wheel, which a 3.12 venv lacks, are locked).

Two packages are left out (``LEFT_OUT``), which is why the Makefile installs the lock with
``--no-deps``: rfc3987-syntax, an optional IRI format checker of jsonschema that jupyter-events
pulls in (``jsonschema[format-nongpl]``) and no Jupyter schema uses, and lark, which only it needs.
jsonschema imports it whenever it is installed, and its import compiles ~35 Lark grammars: 1.4 s of
CPU in every process that imports nbformat (each nbgrader command, the grading command, each Dask
worker). See python-jsonschema/jsonschema#1428. ``pip check`` stays clean without it.

    python scripts/lock.py python3.11 python3.12 python3.13   # first resolves, the others check

The students' lock, ``student-requirements.txt``, is written from it: what students install (the
notebooks' libraries, Jupyter, nbgrader; ``[tool.course-kit] student-dependencies`` in pyproject.toml)
and everything beneath, resolved on the same interpreter with the instructor's lock as constraints, so
every package a student gets runs at the graders' version, less the same two left-out packages.

    python scripts/lock.py --student python3.11   # the students' lock alone, from requirements.txt as it is
"""

import json
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLOOR = "3.11.2"  # Debian 12's python3.11, the oldest Python the kit supports
HEADER = (
    f"# Full lock of the kit's environment: pyproject.toml's pins and all beneath them, resolved for Python {FLOOR}\n"
    "# (Debian 12's python3.11) and checked on 3.12 and 3.13, less rfc3987-syntax and lark (installed with\n"
    "# pip's --no-deps; scripts/lock.py says why). Regenerate: make lock (scripts/lock.py)\n"
)
STUDENT_HEADER = (
    "# What a student of this course installs, fully locked at the versions the instructor's graders run\n"
    "# (requirements.txt), less rfc3987-syntax and lark: install it with --no-deps, as the kit's own venv is.\n"
    "#   python3.11 -m venv ~/from_logits-env\n"
    "#   ~/from_logits-env/bin/pip install --no-deps -r student-requirements.txt\n"
    "# Regenerate: make lock (scripts/lock.py)\n"
)
LEFT_OUT = {"rfc3987-syntax", "lark"}  # see the docstring


def resolve(python: str, requirements: list[str], python_version: str | None = None) -> dict[str, str]:
    """The packages pip would install for `requirements` on `python`: {name: version}, from its JSON report."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        flags = ["--python-version", python_version] if python_version else []
        subprocess.run(
            [sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--dry-run", "--ignore-installed",
             "--only-binary=:all:", *flags, "--report", str(report), *requirements],
            check=True,
        )
        installs = json.loads(report.read_text())["install"]
    return {item["metadata"]["name"]: item["metadata"]["version"] for item in installs}


def canonical(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def interpreter(name: str) -> str | None:
    """`name` as a runnable path, or None when it is not on PATH or does not run (a pyenv shim of another version)."""
    path = shutil.which(name)
    if path is None or subprocess.run([path, "-c", "pass"], capture_output=True).returncode != 0:
        return None
    return path


def write_lock(path: Path, header: str, resolved: dict[str, str]) -> int:
    """Write ``resolved`` less LEFT_OUT to ``path``, one ``name==version`` a line; return how many."""
    lock = {name: version for name, version in resolved.items() if canonical(name) not in LEFT_OUT}
    lines = [f"{name}=={version}\n" for name, version in sorted(lock.items(), key=lambda item: item[0].lower())]
    path.write_text(header + "".join(lines))
    return len(lock)


def student_lock(resolver_path: str) -> int:
    """student-requirements.txt: the students' pins and all beneath them, within the instructor's lock."""
    pins = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["course-kit"]["student-dependencies"]
    resolved = resolve(resolver_path, [*pins, "-c", str(ROOT / "requirements.txt")], python_version=FLOOR)
    count = write_lock(ROOT / "student-requirements.txt", STUDENT_HEADER, resolved)
    print(f"student-requirements.txt: {count} packages, within requirements.txt")
    return 0


def main(resolver: str, *checkers: str) -> int:
    student_only = resolver == "--student"
    if student_only:
        resolver, *checkers = checkers
    resolver_path = interpreter(resolver)
    if resolver_path is None:
        print(f"make lock resolves on a Python 3.11 interpreter, and {resolver} does not run.", file=sys.stderr)
        return 1
    if student_only:
        return student_lock(resolver_path)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    # The engine's own pins and every extra's (the course's: TensorFlow, the browser and PostgreSQL tests).
    extras = project.get("optional-dependencies", {}).values()
    pins = project["dependencies"] + [pin for extra in extras for pin in extra]
    resolved = resolve(resolver_path, pins, python_version=FLOOR)
    count = write_lock(ROOT / "requirements.txt", HEADER, resolved)
    print(f"requirements.txt: {count} packages, resolved on {resolver} for Python {FLOOR}")
    locked = {canonical(name) for name in resolved} | LEFT_OUT
    for checker in checkers:
        path = interpreter(checker)
        if path is None:
            print(f"not checked on {checker}: it does not run here")
            continue
        try:
            unpinned = {canonical(name) for name in resolve(path, ["-r", str(ROOT / "requirements.txt")])} - locked
        except subprocess.CalledProcessError:
            print(f"the lock does not install on {checker} (pip's reason above)", file=sys.stderr)
            return 1
        if unpinned:
            print(f"{checker} would install packages outside the lock: {sorted(unpinned)}", file=sys.stderr)
            return 1
        print(f"checked on {checker}: installs exactly the locked packages")
    return student_lock(resolver_path)


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
