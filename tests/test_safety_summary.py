"""A safety feature the suite cannot test on a machine is named at the end of the run, never skipped quietly.

A small suite of its own, run by real pytest (in one process, and with pytest-xdist workers, whose reports reach
the controller), with the hooks of tests/conftest.py: a feature skipped by ``missing=``, one skipped by a
fixture, one tested (and also named on the first, which was skipped for the other); only the first two are
named, each with its reason.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

CONFTEST = f'''
import importlib.util
import sys
spec = importlib.util.spec_from_file_location("kit_conftest", {str(REPO / "tests" / "conftest.py")!r})
kit = sys.modules["kit_conftest"] = importlib.util.module_from_spec(spec)
spec.loader.exec_module(kit)
pytest_configure, pytest_runtest_makereport = kit.pytest_configure, kit.pytest_runtest_makereport
pytest_runtest_setup, pytest_terminal_summary = kit.pytest_runtest_setup, kit.pytest_terminal_summary
'''
TESTS = '''
import pytest

@pytest.fixture
def second_user(request):
    request.node.add_marker(pytest.mark.safety_feature("the second user's boundary"))
    pytest.skip("no useradd here")

@pytest.mark.safety_feature("the memory cap", missing="no cgroup for the test")
@pytest.mark.safety_feature("the sandbox", missing=None)
def test_cap():
    raise AssertionError("must not run")

@pytest.mark.safety_feature("the uid boundary")
def test_uid(second_user):
    pass

@pytest.mark.safety_feature("the sandbox", missing=None)
def test_sandbox():
    pass
'''

EXCHANGE_TESTS = '''
import pytest

@pytest.fixture(scope="module")
def exchange(request):
    request.node.add_marker(pytest.mark.safety_feature("the shared exchange"))  # the module: all its tests
    pytest.skip("no second student")

def test_submit(exchange):
    pass

def test_collect(exchange):
    pass
'''


@pytest.mark.parametrize("workers", [[], ["-p", "xdist", "-n", "2"]], ids=["one process", "xdist"])
def test_each_untested_safety_feature_is_named_with_its_reason(tmp_path: Path, workers: list[str]):
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "test_features.py").write_text(TESTS)
    (tmp_path / "test_exchange.py").write_text(EXCHANGE_TESTS)
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *workers, str(tmp_path)],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    summary = run.stdout.split("SAFETY FEATURES NOT TESTED ON THIS MACHINE", 1)[1]
    lines = [line for line in summary.splitlines() if line.startswith("NOT TESTED:")]
    assert [line.split(" (")[0] for line in lines] == [
        "NOT TESTED: the memory cap: no cgroup for the test",
        "NOT TESTED: the second user's boundary: no useradd here",  # marked by the fixture that skipped
        "NOT TESTED: the shared exchange: no second student",  # a module fixture's skip, for each of its tests
        "NOT TESTED: the uid boundary: no useradd here",  # a fixture's skip is named under the test's feature
    ]  # and not the sandbox: test_cap was skipped for the memory cap, the sandbox was tested by test_sandbox
    assert "the sandbox" not in summary and "1 passed, 4 skipped" in run.stdout
