"""Fault: a cell allocates memory without end (a runaway loop that keeps every buffer it makes)."""
# %% [before sigmoid]
_buffers = []
while True:
    _buffers.append(bytearray(256 * 2**20))  # filled with zeros: every page is touched
