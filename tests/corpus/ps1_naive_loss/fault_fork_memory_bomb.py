"""Fault: six child processes take 512 MiB each; every one is within the per-process cap, together they are not."""
# %% [before sigmoid]
import subprocess
import sys

_hog = "import time; b = bytearray(512 * 2**20); b[::4096] = bytes(len(b[::4096])); time.sleep(1)"
_hogs = [subprocess.Popen([sys.executable, "-c", _hog]) for _ in range(6)]
print("child exit codes:", sorted(h.wait() for h in _hogs))
