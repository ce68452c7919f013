"""Fault: three child processes take 512 MiB each; every one is within the per-process cap, together they are not.

Three, not more: children that fault in pages together at the notebook's cap reclaim from each other before the
OOM killer acts, and six of them took 10-24 s of the suite's 20 s cell timeout in CI (2.3 s alone)."""
# %% [before sigmoid]
import subprocess
import sys

_hog = "import time; b = bytearray(512 * 2**20); b[::4096] = bytes(len(b[::4096])); time.sleep(1)"
_hogs = [subprocess.Popen([sys.executable, "-c", _hog]) for _ in range(3)]
print("child exit codes:", sorted(h.wait() for h in _hogs))
