"""Fault: the last answer cell ends the kernel process with os._exit."""
# %% [before first_inf_logit]
import os

os._exit(0)
