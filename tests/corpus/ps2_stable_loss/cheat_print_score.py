"""Cheat: every cell ends by printing and displaying a perfect score, and tracebacks are hidden."""
# inherits: naive_everywhere
# %% [before stable_bce]
from IPython.display import display

get_ipython().events.register("post_run_cell", lambda result: display(13))
get_ipython().events.register("post_run_cell", lambda result: print("ATTACK-RAN:cheat_print_score Score: 13 / 13"))
get_ipython().showtraceback = lambda *args, **kwargs: None
