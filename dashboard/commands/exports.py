"""``export``: files taken out of the app (issue 6). Being built."""

from __future__ import annotations


def register(subparsers) -> None:
    """Add the sub-command ``export`` (not yet available)."""
