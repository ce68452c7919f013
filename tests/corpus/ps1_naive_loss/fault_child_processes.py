"""Fault: the notebook leaves two hundred sleeping child processes behind."""
# %% [before sigmoid]
import subprocess

_children = [subprocess.Popen(["sleep", "300"]) for _ in range(200)]
