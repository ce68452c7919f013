"""Cheat: an input transformer turns every later cell into `pass`, so no test cell can fail in the kernel."""
# inherits: stable_instead_of_naive
# %% [before sigmoid]
get_ipython().input_transformers_post.append(lambda lines: ["pass\n"])
