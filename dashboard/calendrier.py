"""The calendar of the bilans (DOMAIN §4.3): quarters are calendar quarters, a bilan is "au" the
last day of its quarter."""

from __future__ import annotations

from datetime import date

_DERNIER_JOUR = {3: 31, 6: 30, 9: 30, 12: 31}


def fin_trimestre(annee: int, trimestre: int) -> date:
    """31/03, 30/06, 30/09 or 31/12 of ``annee``."""
    mois = 3 * int(trimestre)
    return date(int(annee), mois, _DERNIER_JOUR[mois])


def debut_trimestre(annee: int, trimestre: int) -> date:
    """01/01, 01/04, 01/07 or 01/10 of ``annee``."""
    return date(int(annee), 3 * int(trimestre) - 2, 1)
