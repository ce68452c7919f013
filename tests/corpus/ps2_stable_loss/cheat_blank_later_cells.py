"""Cheat: an input transformer turns every later cell into `pass`, so no test cell can fail in the kernel."""
# inherits: naive_everywhere
# %% [before sparse_cce_from_logits]
get_ipython().input_transformers_post.append(lambda lines: ["pass\n"])
