"""Cheat: an input transformer turns every later cell into `pass`, so no test cell can fail in the kernel."""
# inherits: naive_everywhere
# %% [before sparse_cce_from_logits]
# Each blanked cell prints the marker instead: proof that the transformer replaced it.
get_ipython().input_transformers_post.append(
    lambda lines: ["print('ATTACK-RAN:cheat_blank_later_cells: this cell was blanked')\n"])
