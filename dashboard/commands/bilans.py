"""bilan, hors-flux, controles: to be written with the metrics engine (issue 3)."""


def register(subparsers) -> None:
    """No sub-command yet."""
