"""Fault: the notebook tries to download a dataset (as keras.datasets would) before its answers."""
# %% [before stable_bce]
import time
import urllib.request

_started = time.monotonic()
try:
    urllib.request.urlopen("https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz", timeout=30)
except OSError as error:
    print(f"download failed after {time.monotonic() - _started:.2f} s: {error}")
