"""Fault: the notebook leaves a hundred sleeping child processes behind."""
# %% [before sigmoid]
import subprocess

_children = [subprocess.Popen(["sleep", "300"]) for _ in range(100)]
