"""Fault: reading address 0 crashes the kernel with a segmentation fault."""
# %% [before naive_bce]
import ctypes

ctypes.string_at(0)
