"""``orienter``: which réservataire the next freed dwelling goes to (issue 8). Being built."""

from __future__ import annotations


def register(subparsers) -> None:
    """Add the sub-command ``orienter`` (not yet available)."""
