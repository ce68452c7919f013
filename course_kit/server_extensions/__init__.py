"""Jupyter server extensions of the kit, enabled for every ``jupyter`` of its venv (``jupyter-config/``)."""
