"""The metrics engine (shared/DOMAIN.md §4.1–§4.5, §4.7): what the pages, exports and CLI read.

Every figure is defined once, in the SQL models of ``dashboard/sql/metrics/``; these functions
bind their parameters and return pandas DataFrames (undefined values as NaN, never 0):

- ``flux_annuel(con, annee, perimetre_type=None, filtres=None)`` — §4.1, per bailleur × perimeter
- ``droits_conventions(con, annee, filtres=None)`` — §4.2, per convention, with its source
- ``bilan(con, annee, trimestre, par, vue="mad", periode="cumul", filtres=None)`` — §4.3–§4.4
- ``bilan_conventions(...)``, ``total(...)`` — the same at the convention grain / in one row
- ``hors_flux(con, annee, trimestre, par, periode="cumul", filtres=None)`` — §4.5
- ``controles(con, annee, trimestre=None, filtres=None, aujourd_hui=None)`` — §4.7
- ``Filtres`` — the selection (one tuple of codes per axis, empty = all)
- ``vider_cache()`` — forget the cached yearly fact tables (see ``cache``)

Display and export rules (French for people, plain for machines) are in ``dashboard.formatting``.
"""

from dashboard.metrics.indicateurs import (
    AXES,
    COLONNES_BILAN,
    COLONNES_SUPPLEMENTAIRES,
    PERIODES,
    VUES,
    bilan,
    bilan_conventions,
    droits_conventions,
    flux_annuel,
    total,
)
from dashboard.metrics.cache import vider_cache
from dashboard.metrics.controles import COLONNES_CONTROLES, CONTROLES, controles
from dashboard.metrics.filtres import SANS_CONVENTION, Filtres
from dashboard.metrics.hors_flux import AXES_HORS_FLUX, COLONNES_HORS_FLUX, hors_flux
from dashboard.metrics.libelles import LIBELLE_NON_VENTILE, NON_VENTILE

__all__ = [
    "AXES",
    "AXES_HORS_FLUX",
    "COLONNES_CONTROLES",
    "COLONNES_HORS_FLUX",
    "CONTROLES",
    "COLONNES_BILAN",
    "COLONNES_SUPPLEMENTAIRES",
    "PERIODES",
    "VUES",
    "Filtres",
    "LIBELLE_NON_VENTILE",
    "NON_VENTILE",
    "SANS_CONVENTION",
    "bilan",
    "bilan_conventions",
    "controles",
    "hors_flux",
    "droits_conventions",
    "flux_annuel",
    "total",
    "vider_cache",
]
