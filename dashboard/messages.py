"""One-line French takeaways computed from the figures, for the charts and presentation mode.

Pure functions: a DataFrame of the metrics engine in, a sentence out ("Action Logement Services
est à 87 % de ses droits au 30/06/2025."). No figure is computed here beyond picking a row: the
rates come from the engine.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from dashboard.formatting import accord, date_fr, est_indefini, nombre, pourcentage

AUCUNE_DONNEE = "Aucune donnée pour cette sélection."


def bilan_vide(total: pd.DataFrame) -> bool:
    """True when the selection has neither mises à disposition nor droits (the region row of
    the engine's `total`): the page then says what to do instead of drawing empty charts."""
    if total is None or total.empty:
        return True
    ligne = total.iloc[0]
    return ligne["mises_a_disposition"] == 0 and est_indefini(ligne["droits_prevus"])


def _au(fin: date) -> str:
    return f"au {date_fr(fin)}"


def _utiles(df: pd.DataFrame, colonne: str) -> pd.DataFrame:
    """Rows with a defined value, the "autres" aggregate left out."""
    if df is None or df.empty or colonne not in df:
        return pd.DataFrame()
    lignes = df[~df[colonne].map(est_indefini)]
    if "cle" in lignes:
        lignes = lignes[lignes["cle"] != "AUTRES"]
    return lignes


def realisation_principale(df: pd.DataFrame, fin: date) -> str:
    """The réservataire (or group) with the most droits: how far it is, at the end of period."""
    lignes = _utiles(df, "taux_realisation")
    if lignes.empty:
        return AUCUNE_DONNEE
    ligne = lignes.sort_values(["droits_prevus", "cle"], ascending=[False, True]).iloc[0]
    return (f"{ligne['libelle']} est à {pourcentage(ligne['taux_realisation'], 0)} de ses droits "
            f"{_au(fin)}.")


# What the bilan counts against the droits, in each view (DOMAIN §4.3): singular, plural.
COMPTES = {"mad": ("mise à disposition", "mises à disposition"),
           "baux": ("bail signé", "baux signés")}


def plus_en_retard(df: pd.DataFrame, fin: date, quoi: str = "réservataire",
                   vue: str = "mad") -> str:
    """The row furthest behind (most negative écart) and its rate."""
    lignes = _utiles(df, "ecart")
    lignes = lignes[lignes["ecart"] < 0] if not lignes.empty else lignes
    if lignes.empty:
        return f"Aucun {quoi} en retard sur ses droits {_au(fin)}."
    ligne = lignes.sort_values(["ecart", "cle"]).iloc[0]
    taux = ligne.get("taux_realisation")
    detail = f" ({pourcentage(taux, 0)} de ses droits)" if not est_indefini(taux) else ""
    return (f"Le plus en retard {_au(fin)} : {ligne['libelle']}, "
            f"{accord(-ligne['ecart'], *COMPTES[vue])} de moins que prévu{detail}.")


def bailleurs_en_retard(df: pd.DataFrame, fin: date, vue: str = "mad") -> str:
    lignes = _utiles(df, "ecart")
    if lignes.empty:
        return AUCUNE_DONNEE
    en_retard = int((lignes["ecart"] < 0).sum())
    return (f"{en_retard} bailleur{'s' if en_retard > 1 else ''} sur {len(lignes)} "
            f"{'ont' if en_retard > 1 else 'a'} "
            f"{'mis à disposition' if vue == 'mad' else 'signé des baux pour'} moins que leurs "
            f"droits prévus {_au(fin)}.")


def cumul(df: pd.DataFrame, fin: date, vue: str = "mad") -> str:
    """Last quarter of the cumulative curves: MAD against droits prévus."""
    if df is None or df.empty:
        return AUCUNE_DONNEE
    ligne = df.iloc[-1]
    droits, mad = ligne["droits_prevus"], ligne["mises_a_disposition"]
    taux = "" if est_indefini(droits) or not droits else f" ({pourcentage(mad / droits, 0)})"
    return (f"{_au(fin).capitalize()} : {accord(mad, *COMPTES[vue])} pour "
            f"{nombre(droits, 0)} droits prévus{taux}.")


def chute(df_entonnoir: pd.DataFrame, taux_chute: float | None) -> str:
    if df_entonnoir is None or df_entonnoir.empty or est_indefini(taux_chute):
        return AUCUNE_DONNEE
    return (f"Taux de chute : {pourcentage(taux_chute, 0)} des mises à disposition résolues "
            "n'ont pas abouti à un bail (refus ou sans candidat).")


def part_hors_flux(ligne_totale: pd.DataFrame) -> str:
    if ligne_totale is None or ligne_totale.empty:
        return AUCUNE_DONNEE
    part = ligne_totale.iloc[0].get("part_hors_flux")
    if est_indefini(part):
        return AUCUNE_DONNEE
    return (f"{pourcentage(part, 0)} des logements libérés sont restés hors flux (mutations, "
            "relogements, premières mises en location, stock).")


def plus_faible_croise(df_long: pd.DataFrame) -> str:
    lignes = _utiles(df_long, "taux_realisation")
    if lignes.empty:
        return AUCUNE_DONNEE
    ligne = lignes.sort_values(["taux_realisation", "cle_ligne", "cle_colonne"]).iloc[0]
    return (f"Taux de réalisation le plus bas : {ligne['libelle_ligne']} pour "
            f"{ligne['libelle_colonne'].lower()} ({pourcentage(ligne['taux_realisation'], 0)}).")


def signature_la_plus_faible(par_type: pd.DataFrame, annee: int) -> str | None:
    """The type of réservataire with the lowest signature rate."""
    lignes = _utiles(par_type, "taux_signature")
    if lignes.empty:
        return None
    ligne = lignes.sort_values(["taux_signature", "cle"]).iloc[0]
    return (f"{ligne['libelle']} : {pourcentage(ligne['taux_signature'], 0)} des conventions "
            f"{annee} signées, le taux le plus faible.")


def seuils_signature(seuils: pd.Series) -> str:
    """How many bailleurs signed more than half, more than three quarters of their conventions."""
    return (f"{pourcentage(seuils['part_au_dessus_50'], 0)} des bailleurs ont signé plus de la "
            f"moitié de leurs conventions, {pourcentage(seuils['part_au_dessus_75'], 0)} plus des "
            "trois quarts.")
