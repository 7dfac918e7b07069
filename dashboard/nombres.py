"""Numbers written the French way, without pandas (the import pipeline and the command line
use it before, or without, any frame): ``1 234,5`` with a narrow no-break space between
thousands, a comma for decimals, an em dash for an undefined value."""

from __future__ import annotations

import math

ESPACE_FINE = "\u202f"  # narrow no-break space: thousands separator and before '%'
VIDE = "—"  # em dash: an undefined value


def est_indefini(valeur) -> bool:
    """None, NaN, and pandas' NA and NaT (recognised by their type, pandas not imported)."""
    if valeur is None:
        return True
    if isinstance(valeur, float):
        return math.isnan(valeur)
    if type(valeur).__name__ in ("NAType", "NaTType"):
        return True
    try:                               # numpy floats and other number types
        return math.isnan(float(valeur))
    except (TypeError, ValueError, OverflowError):
        return False


def nombre(valeur, decimales: int = 0, vide: str = VIDE) -> str:
    """``nombre(1234.5, decimales=1)`` → ``"1 234,5"`` (U+202F between thousands)."""
    if est_indefini(valeur):
        return vide
    texte = f"{float(valeur):,.{decimales}f}"
    if texte.lstrip("-").strip("0.,") == "":  # no "-0,0"
        texte = texte.lstrip("-")
    return texte.replace(",", ESPACE_FINE).replace(".", ",")
