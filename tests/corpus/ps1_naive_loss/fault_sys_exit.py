"""Fault: an answer cell calls sys.exit() (IPython turns it into an error in that cell)."""
# %% [before first_inf_logit]
import sys

sys.exit()
