"""Sub-command families of ``python -m dashboard`` (see dashboard.cli)."""
