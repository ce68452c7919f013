"""Fault: after every cell, including the test cells, a line is written to stderr."""
# %% [before sigmoid]
import sys

get_ipython().events.register("post_run_cell", lambda result: print("noise " * 20, file=sys.stderr))
