"""The metrics engine (shared/DOMAIN.md §4.1–§4.7): what the pages, exports and CLI read.

Every figure is defined once, in the SQL models of ``dashboard/sql/metrics/``; these functions
bind their parameters and return pandas DataFrames (undefined values as NaN, never 0):

- ``flux_annuel(con, annee, perimetre_type=None, filtres=None)`` — §4.1, per bailleur × perimeter
- ``droits_conventions(con, annee, filtres=None)`` — §4.2, per convention, with its source
- ``bilan(con, annee, trimestre, par, vue="mad", periode="cumul", filtres=None)`` — §4.3–§4.4
- ``bilan_conventions(...)``, ``total(...)`` — the same at the convention grain / in one row
- ``hors_flux(con, annee, trimestre, par, periode="cumul", filtres=None)`` — §4.5
- ``controles(con, annee, trimestre=None, filtres=None, aujourd_hui=None)`` — §4.7 (with, at T4,
  the publics prioritaires under 25 %: PRIORITAIRES_SOUS_25)
- publics prioritaires, §4.9: the bilan's ``baux_prioritaires``, ``part_prioritaires``,
  ``baux_prioritaires_inconnus`` on every axis; per réservataire and per bailleur against the
  25 % target in ``prioritaires`` (``par_reservataire``, ``par_bailleur``, ``non_reserve``)
- the yearly bilan owed to each réservataire, §4.8 (``bilan_annuel``: summary, breakdowns and
  hors flux of R.441-5, one réservataire's or every one's in one pass)
- ``detail(con, annee, trimestre, par=None, cle=None, vue="mad", periode="cumul", filtres=None)``
  — the MAD behind one figure of the bilan, one row each (as many as its mises_a_disposition)
- the bilan crossed on two axes (``bilan_croise``), reduced to its largest gaps and « Autres »
  (``bilan_top``), year to date (``cumuls``); the assiette per bailleur × département
  (``assiette``) — all in ``indicateurs``
- for the pages: the years and default quarter (``periodes``: ``annees_disponibles``,
  ``periode_par_defaut``), the options of the filters (``options``: ``options_filtres``), the
  freshness of each bailleur's data (``fraicheur``), the funnel of the MAD (``entonnoir``)
- signature progress, §4.6 (``suivi_signatures``): ``signatures``, ``repartition_bailleurs``,
  ``seuils_bailleurs``, ``signatures_cumulees``, ``non_signees``, ``documents_epci``,
  ``documents_par_departement``
- ``Filtres`` — the selection (one tuple of codes per axis, empty = all)
- ``vider_cache()`` — forget the cached yearly fact tables (see ``cache``)

Display and export rules (French for people, plain for machines) are in ``dashboard.formatting``.
"""

from dashboard.metrics.cache import vider_cache
from dashboard.metrics.controles import COLONNES_CONTROLES, CONTROLES, controles
from dashboard.metrics.detail import (
    COLONNES_DETAIL,
    COLONNES_DETAIL_SUPPLEMENTAIRES,
    detail,
)
from dashboard.metrics.entonnoir import COLONNES_ENTONNOIR, ETAPES, entonnoir
from dashboard.metrics.filtres import SANS_CONVENTION, Filtres
from dashboard.metrics.fraicheur import COLONNES_FRAICHEUR, fraicheur
from dashboard.metrics.hors_flux import AXES_HORS_FLUX, COLONNES_HORS_FLUX, hors_flux
from dashboard.metrics.indicateurs import (
    AXES,
    COLONNES_ASSIETTE,
    COLONNES_BILAN,
    COLONNES_CROISE,
    COLONNES_CUMULS,
    COLONNES_PRIORITAIRES,
    COLONNES_SUPPLEMENTAIRES,
    COLONNES_TOUTES,
    PERIODES,
    VUES,
    assiette,
    bilan,
    bilan_conventions,
    bilan_croise,
    bilan_top,
    cumuls,
    droits_conventions,
    flux_annuel,
    total,
)
from dashboard.metrics.libelles import LIBELLE_NON_VENTILE, NON_VENTILE
from dashboard.metrics.options import OPTIONS, options_filtres
from dashboard.metrics.periodes import annees_disponibles, periode_par_defaut
from dashboard.metrics.suivi_signatures import (
    AXES_SIGNATURES,
    COLONNES_SIGNATURES,
    COLONNES_SIGNATURES_SUPPLEMENTAIRES,
    GROUPES_TYPES,
    documents_epci,
    documents_par_departement,
    epci_documents_manquants,
    motifs_non_signature,
    non_signees,
    repartition_bailleurs,
    seuils_bailleurs,
    signatures,
    signatures_cumulees,
)

__all__ = [
    "AXES",
    "AXES_HORS_FLUX",
    "AXES_SIGNATURES",
    "COLONNES_ASSIETTE",
    "COLONNES_BILAN",
    "COLONNES_CONTROLES",
    "COLONNES_CROISE",
    "COLONNES_CUMULS",
    "COLONNES_DETAIL",
    "COLONNES_DETAIL_SUPPLEMENTAIRES",
    "COLONNES_ENTONNOIR",
    "COLONNES_FRAICHEUR",
    "COLONNES_HORS_FLUX",
    "COLONNES_PRIORITAIRES",
    "COLONNES_TOUTES",
    "COLONNES_SIGNATURES",
    "COLONNES_SIGNATURES_SUPPLEMENTAIRES",
    "COLONNES_SUPPLEMENTAIRES",
    "CONTROLES",
    "ETAPES",
    "GROUPES_TYPES",
    "LIBELLE_NON_VENTILE",
    "NON_VENTILE",
    "OPTIONS",
    "PERIODES",
    "SANS_CONVENTION",
    "VUES",
    "Filtres",
    "annees_disponibles",
    "assiette",
    "bilan",
    "bilan_conventions",
    "bilan_croise",
    "bilan_top",
    "controles",
    "cumuls",
    "detail",
    "documents_epci",
    "documents_par_departement",
    "droits_conventions",
    "entonnoir",
    "epci_documents_manquants",
    "flux_annuel",
    "fraicheur",
    "hors_flux",
    "motifs_non_signature",
    "non_signees",
    "options_filtres",
    "periode_par_defaut",
    "repartition_bailleurs",
    "seuils_bailleurs",
    "signatures",
    "signatures_cumulees",
    "total",
    "vider_cache",
]
