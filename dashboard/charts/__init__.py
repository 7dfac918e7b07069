"""Chart builders: a DataFrame in, a plotly Figure out — French labels, the ``"flux"`` template.

Builders only draw the columns they are given (every figure is computed in ``dashboard.metrics``):
no Streamlit, no SQL. Each takes ``taille`` (``"normale"`` or ``"presentation"``: large type for
a projector) and an optional ``titre``; each copes with undefined values (NaN → no mark and "—",
never 0) and returns ``figure_vide("Aucune donnée pour cette sélection.")`` for an empty input.

- ``barres_droits_mad(df, vue="mad")`` — droits prévus vs MAD (or baux signés), per libellé
- ``barres_ecart(df, vue="mad")`` — diverging écart per libellé
- ``barres_taux(df, valeur="taux_signature", reperes=(0.5, 0.75))`` — a rate per libellé
- ``barres_hors_flux(df)`` — hors-flux MAD stacked per libellé
- ``barres_prioritaires(df, series=None)`` — share of baux to publics prioritaires vs 25 %
- ``carte_chaleur(df_long, lignes, colonnes, valeur)`` — realisation rates, rows × columns
- ``courbes_cumulees(df)`` — droits, MAD and baux cumulated quarter after quarter
- ``courbes_signatures(df)`` — cumulative signatures, year against year
- ``entonnoir(df)`` — MAD → bail signé / refus / sans candidat / en cours
- ``cascade_assiette(ligne)`` — parc → flux annuel (méthode de l'assiette)
- ``histogramme_taux(df, valeur="taux_signature")`` — distribution of bailleurs' rates
- ``figure_vide(message)`` — a blank figure with a message
- maps (``cartes``, choropleths over the shipped outlines, nothing fetched from outside):
  ``carte_bilan_epci(df, valeur="taux_realisation", vue="mad")`` — the bilan by EPCI;
  ``carte_communes(df, contours, valeur="mises_a_disposition")`` — MAD by commune;
  ``carte_signatures(df, maille="epci")`` — share of conventions signed per EPCI / département;
  ``carte_documents(df, document="CIL")`` — statut of an EPCI document

Bars carry their row's ``cle`` as ``customdata`` (a page maps a selected bar back to its code).
Colours, sizes and the template: ``theme`` (``theme.activer()`` makes ``"flux"`` plotly's default).
"""

from dashboard.charts import theme
from dashboard.charts.barres import (
    barres_droits_mad,
    barres_ecart,
    barres_hors_flux,
    barres_prioritaires,
    barres_taux,
)
from dashboard.charts.cartes import (
    carte_bilan_epci,
    carte_communes,
    carte_documents,
    carte_signatures,
)
from dashboard.charts.cascade import cascade_assiette
from dashboard.charts.chaleur import carte_chaleur
from dashboard.charts.courbes import courbes_cumulees, courbes_signatures
from dashboard.charts.entonnoirs import entonnoir
from dashboard.charts.histogrammes import histogramme_taux
from dashboard.charts.theme import activer
from dashboard.charts.vide import MESSAGE_VIDE, figure_vide

__all__ = [
    "MESSAGE_VIDE",
    "activer",
    "barres_droits_mad",
    "barres_ecart",
    "barres_hors_flux",
    "barres_prioritaires",
    "barres_taux",
    "carte_bilan_epci",
    "carte_chaleur",
    "carte_communes",
    "carte_documents",
    "carte_signatures",
    "cascade_assiette",
    "courbes_cumulees",
    "courbes_signatures",
    "entonnoir",
    "figure_vide",
    "histogramme_taux",
    "theme",
]
