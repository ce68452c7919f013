"""Fault: an answer cell sleeps for eleven days."""
# %% [before first_inf_logit]
import time

time.sleep(10**6)
