"""What the quarterly bilan shows, defined once for the page (``pages/bilan.py``), its HTML
report and its chart images: each part's title, data, chart, takeaway and table columns.

No Streamlit here: the figures are read through ``obtenir(nom, *args, **kwargs)``, which calls
``dashboard.metrics.<nom>(con, *args, **kwargs)`` — the page passes its cached ``calcul``, the
exports ``lecteur(con)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from dashboard import charts, messages
from dashboard.calendrier import fin_trimestre
from dashboard.metrics import Filtres

# The bilan's columns shown beside each chart (the full bilan is in the CLI and the exports).
COLONNES_TABLEAU = ["libelle", "droits_prevus", "mises_a_disposition", "ecart",
                    "taux_realisation", "baux_signes"]


@dataclass(frozen=True)
class Partie:
    """One chart with its table and takeaway: a section of a page (``ui.sections.Bloc``), a
    slide in presentation mode, a chapter of the HTML report."""

    titre: str
    cle: str
    donnees: pd.DataFrame
    figure: Callable[[str], object]          # taille ("normale" / "presentation") -> Figure
    message: str | None = None
    colonnes: list[str] | None = None
    filtre_au_clic: str | None = None
    vide: str = "Aucune donnée pour cette sélection."


def lecteur(con) -> Callable:
    """``obtenir`` over a connection: ``obtenir("bilan", 2025, 2, "bailleur", ...)``."""
    from dashboard import metrics

    def obtenir(nom: str, *args, **kwargs):
        return getattr(metrics, nom)(con, *args, **kwargs)

    return obtenir


def total(obtenir: Callable, annee: int, trimestre: int, vue: str = "mad",
          filtres: Filtres | None = None) -> pd.DataFrame:
    """The bilan of the whole selection in one row (empty: see ``messages.bilan_vide``)."""
    return obtenir("total", annee, trimestre, vue=vue, filtres=filtres or Filtres())


def parties(obtenir: Callable, annee: int, trimestre: int, vue: str = "mad",
            filtres: Filtres | None = None) -> list[Partie]:
    """The parts of the quarterly bilan au ``fin_trimestre(annee, trimestre)``, in page order."""
    a, q, v, f = annee, trimestre, vue, filtres or Filtres()
    fin = fin_trimestre(a, q)
    ligne_totale = total(obtenir, a, q, v, f)
    par_reservataire = obtenir("bilan_top", a, q, "reservataire", n=12, vue=v, filtres=f)
    par_type = obtenir("bilan", a, q, "type_reservataire", vue=v, filtres=f)
    par_bailleur = obtenir("bilan", a, q, "bailleur", vue=v, filtres=f).sort_values("ecart")
    croise = obtenir("bilan_croise", a, q, lignes="bailleur", colonnes="type_reservataire",
                     vue=v, filtres=f)
    cumuls = obtenir("cumuls", a, q, vue=v, filtres=f)
    par_epci = obtenir("bilan", a, q, "epci", vue=v, filtres=f).sort_values("ecart")
    entonnoir = obtenir("entonnoir", a, q, vue=v, filtres=f)
    hors_flux = obtenir("hors_flux", a, q, "bailleur", filtres=f)
    hors_flux_total = obtenir("hors_flux", a, q, "total", filtres=f)
    taux_chute = ligne_totale.iloc[0]["taux_chute"] if len(ligne_totale) else None
    return [
        Partie("Droits prévus et mises à disposition par réservataire", "reservataire",
               par_reservataire,
               lambda t: charts.barres_droits_mad(par_reservataire, vue=v, taille=t),
               messages.realisation_principale(par_reservataire, fin), COLONNES_TABLEAU,
               filtre_au_clic="reservataire"),
        Partie("Par type de réservataire", "type", par_type,
               lambda t: charts.barres_droits_mad(par_type, vue=v, taille=t),
               messages.plus_en_retard(par_type, fin, "type de réservataire", v), COLONNES_TABLEAU,
               filtre_au_clic="type"),
        Partie("Écart par bailleur", "bailleur", par_bailleur,
               lambda t: charts.barres_ecart(par_bailleur, vue=v, taille=t),
               messages.bailleurs_en_retard(par_bailleur, fin, v), COLONNES_TABLEAU,
               filtre_au_clic="bailleur"),
        Partie("Taux de réalisation par bailleur et type de réservataire", "croise", croise,
               lambda t: charts.carte_chaleur(croise, taille=t),
               messages.plus_faible_croise(croise),
               ["libelle_ligne", "libelle_colonne", "droits_prevus", "mises_a_disposition",
                "taux_realisation"]),
        Partie("Cumul trimestre par trimestre", "cumuls", cumuls,
               lambda t: charts.courbes_cumulees(cumuls, taille=t), messages.cumul(cumuls, fin, v),
               ["libelle", "droits_prevus", "mises_a_disposition", "baux_signes"]),
        Partie("Par EPCI", "epci", par_epci,
               lambda t: charts.barres_ecart(par_epci, vue=v, taille=t),
               messages.plus_en_retard(par_epci, fin, "EPCI", v), COLONNES_TABLEAU,
               filtre_au_clic="epci"),
        Partie("Des mises à disposition aux baux", "entonnoir", entonnoir,
               lambda t: charts.entonnoir(entonnoir, taille=t),
               messages.chute(entonnoir, taux_chute), ["libelle", "nombre", "part"]),
        Partie("Hors flux par bailleur", "hors_flux", hors_flux,
               lambda t: charts.barres_hors_flux(hors_flux, taille=t),
               messages.part_hors_flux(hors_flux_total),
               ["libelle", "mutations", "relogements", "premieres_locations", "stock",
                "part_hors_flux"]),
    ]
