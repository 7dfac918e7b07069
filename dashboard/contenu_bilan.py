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
from dashboard.formatting import ESPACE_FINE, accord, date_fr, pourcentage
from dashboard.metrics import Filtres
from dashboard.metrics.prioritaires import CIBLE, NON_RESERVE

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

    def __post_init__(self) -> None:
        # the table shown beside the chart, made once (a part the page's cache keeps is drawn
        # by every session)
        d = self.donnees
        object.__setattr__(self, "_tableau", d[self.colonnes]
                           if self.colonnes and d is not None and not d.empty else d)

    @property
    def tableau(self) -> pd.DataFrame:
        """The table shown beside the chart: ``donnees`` reduced to ``colonnes``."""
        return self._tableau


def lecteur(con) -> Callable:
    """``obtenir`` over a connection: ``obtenir("bilan", 2025, 2, "bailleur", ...)``, or with a
    module of ``dashboard.metrics``: ``obtenir("prioritaires.par_bailleur", ...)``."""
    import importlib

    from dashboard import metrics

    def obtenir(nom: str, *args, **kwargs):
        if "." in nom:
            module, fonction = nom.rsplit(".", 1)
            fonction_metrique = getattr(
                importlib.import_module(f"dashboard.metrics.{module}"), fonction)
        else:
            fonction_metrique = getattr(metrics, nom)
        return fonction_metrique(con, *args, **kwargs)

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
    prioritaires_r = obtenir("prioritaires.par_reservataire", a, q, vue=v, filtres=f)
    prioritaires_b = obtenir("prioritaires.par_bailleur", a, q, vue=v, filtres=f)
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
        # its table names its rows and columns (« Nom du bailleur », « Type »)
        Partie("Taux de réalisation par bailleur et type de réservataire", "croise",
               croise.rename(columns={"libelle_ligne": "bailleur_nom",
                                      "libelle_colonne": "libelle_type"}),
               lambda t: charts.carte_chaleur(croise, taille=t),
               messages.plus_faible_croise(croise),
               ["bailleur_nom", "libelle_type", "droits_prevus", "mises_a_disposition",
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
        Partie("Publics prioritaires par réservataire (objectif de 25 %)", "prioritaires",
               prioritaires_r,
               lambda t: charts.barres_prioritaires(prioritaires_r, taille=t),
               message_prioritaires_reservataires(prioritaires_r, fin),
               COLONNES_PRIORITAIRES_RESERVATAIRES,
               vide="Aucun bail signé dans la période pour cette sélection."),
        Partie("Publics prioritaires par bailleur (objectif de 25 %)", "prioritaires_bailleurs",
               prioritaires_b,
               lambda t: charts.barres_prioritaires(prioritaires_b, series="libelle_contingent",
                                                    taille=t),
               message_prioritaires_bailleurs(prioritaires_b, fin),
               COLONNES_PRIORITAIRES_BAILLEURS,
               vide="Aucun bail signé dans la période pour cette sélection."),
    ]


# --- publics prioritaires (CCH L.441-1, DOMAIN §4.9) -------------------------------------------

COLONNES_PRIORITAIRES_RESERVATAIRES = ["libelle", "libelle_type", "baux_signes",
                                       "baux_prioritaires", "part_prioritaires",
                                       "baux_prioritaires_inconnus", "objectif"]
COLONNES_PRIORITAIRES_BAILLEURS = ["libelle", "libelle_contingent", "baux_signes",
                                   "baux_prioritaires", "part_prioritaires",
                                   "baux_prioritaires_inconnus"]


def _inconnus(df: pd.DataFrame) -> str:
    n = int(df["baux_prioritaires_inconnus"].sum()) if len(df) else 0
    if not n:
        return ""
    return (f" {accord(n, 'bail', 'baux')} sans l'information (public prioritaire non "
            "renseigné), compté" + ("s" if n > 1 else "") + " parmi les baux signés.")


def message_prioritaires_reservataires(df: pd.DataFrame, fin) -> str:
    """How many réservataires under the 25 % target and the lowest; then the bailleurs' own
    non-reserved dwellings and the State's contingent (shown, no target)."""
    if df is None or df.empty:
        return messages.AUCUNE_DONNEE
    au = f"au {date_fr(fin)}"
    cibles = df[df["cible_prioritaires"].notna() & df["part_prioritaires"].notna()
                & (df["type_reservataire"] != NON_RESERVE)]
    if cibles.empty:
        phrase = (f"Aucun bail signé {au} pour les réservataires soumis à l'objectif de "
                  f"25{ESPACE_FINE}%.")
    else:
        sous = cibles[cibles["part_prioritaires"] < cibles["cible_prioritaires"]]
        bas = cibles.sort_values(["part_prioritaires", "cle"]).iloc[0]
        detail_bas = (f"{bas['libelle']}, {pourcentage(bas['part_prioritaires'], 1)} "
                      f"({int(bas['baux_prioritaires'])} sur "
                      f"{accord(bas['baux_signes'], 'bail signé', 'baux signés')})")
        n, total = len(sous), len(cibles)
        if n:
            phrase = (f"{accord(n, 'réservataire')} sur {total} soumis à l'objectif "
                      f"{'sont' if n > 1 else 'est'} sous 25{ESPACE_FINE}% de baux signés avec "
                      f"des publics prioritaires {au} ; le plus bas : {detail_bas}.")
        else:
            phrase = (f"{'Les' if total > 1 else 'Le'} {accord(total, 'réservataire')} soumis à "
                      f"l'objectif {'atteignent' if total > 1 else 'atteint'} "
                      f"25{ESPACE_FINE}% de baux signés avec des publics prioritaires {au} ; le "
                      f"plus bas : {detail_bas}.")
    propre = df[df["type_reservataire"] == NON_RESERVE]
    if len(propre) and not pd.isna(propre.iloc[0]["part_prioritaires"]):
        part = propre.iloc[0]["part_prioritaires"]
        etat_objectif = "sous l'objectif" if part < CIBLE else "objectif atteint"
        phrase += (f" Logements non réservés des bailleurs : {pourcentage(part, 1)} "
                   f"({etat_objectif}).")
    etat = df[df["type_reservataire"] == "ETAT"]
    if len(etat):
        baux = int(etat["baux_signes"].sum())
        prio = int(etat["baux_prioritaires"].sum())
        phrase += (f" Contingent de l'État (sans objectif, consacré aux publics prioritaires) : "
                   f"{pourcentage(prio / baux if baux else None, 1)}.")
    return phrase + _inconnus(df)


def message_prioritaires_bailleurs(df: pd.DataFrame, fin) -> str:
    """How many bailleurs under 25 %, for the réservataires' baux and for their own
    non-reserved dwellings."""
    if df is None or df.empty:
        return messages.AUCUNE_DONNEE
    parts = []
    for contingent, nom in (("RESERVATAIRES", "pour les réservataires soumis à l'objectif"),
                            ("NON_RESERVE", "pour leurs logements non réservés")):
        lignes = df[(df["contingent"] == contingent) & df["part_prioritaires"].notna()]
        if lignes.empty:
            continue
        n = int((lignes["part_prioritaires"] < lignes["cible_prioritaires"]).sum())
        parts.append(f"{n} sur {len(lignes)} {nom}")
    debut = (f"Bailleurs sous 25{ESPACE_FINE}% de baux signés avec des publics prioritaires au "
             f"{date_fr(fin)} : " + " ; ".join(parts) + ".")
    return debut + _inconnus(df)
