"""The yearly bilan owed to each réservataire (CCH R.441-5-1, DOMAIN §4.8).

Before 28 February a bailleur sends every réservataire the dwellings **proposed** (mises à
disposition) and **attributed** (baux signés) the year before, broken down by typologie,
financement, QPV / hors QPV, commune and construction period. Definitions (see
``int_mad_bilan_annuel.sql``, the only place they are written):

- proposed = MAD of categorie FLUX to the réservataire dated (date_mise_a_disposition) in the
  year, whatever their convention — the bilan's ``mises_a_disposition`` at 31/12 (view 'mad');
- attributed = those of them whose issue is BAIL_SIGNE — the bilan's ``baux_signes`` at 31/12
  (view 'mad'); a bail signed in January for a December MAD counts in December's year;
- construction periods: avant 1950, 1950 à 1974, 1975 à 1989, 1990 à 2004, 2005 à 2014,
  2015 et après, inconnue.

The summary (droits, MAD, baux signés, écart, taux de chute) is the engine's own ``bilan`` at
T4, so the breakdowns add up to it. Not exported from ``dashboard.metrics`` (import this module).
"""

from __future__ import annotations

import unicodedata
from datetime import date

import duckdb
import pandas as pd

from dashboard import vocabulaire
from dashboard.metrics import modeles
from dashboard.metrics.filtres import Filtres
from dashboard.metrics.indicateurs import bilan, fait_types_reservataires, valider
from dashboard.metrics.libelles import libelles, noms_bailleurs, noms_reservataires

# The breakdowns of R.441-5-1 (axis -> French name), in the order of the law.
AXES_BILAN_ANNUEL: dict[str, str] = {
    "typologie": "Typologie",
    "financement": "Financement",
    "qpv": "QPV / hors QPV",
    "commune": "Commune",
    "periode_construction": "Période de construction",
}
ENSEMBLE = "ENSEMBLE"
LIBELLE_ENSEMBLE = "Ensemble des bailleurs"
COLONNES_REPARTITION = ("bailleur_code", "bailleur_nom", "modalite", "libelle", "proposes",
                        "attribues")
# The summary's columns (one row per bailleur, and the total), from the engine's bilan at T4.
COLONNES_SYNTHESE = (
    "cle",
    "libelle",
    "droits_annuels",
    "mises_a_disposition",
    "baux_signes",
    "ecart",
    "taux_realisation",
    "taux_chute",
    "mad_chutees",
    "mad_en_cours",
    "mad_sans_convention",
    "nb_conventions",
    "baux_signes_date_bail",
)

_LIBELLES_MODALITES = {
    "typologie": vocabulaire.TYPOLOGIES | {"INCONNUE": "Typologie non renseignée"},
    "financement": vocabulaire.FINANCEMENTS | {"INCONNU": "Financement non renseigné"},
    "qpv": {"QPV": "En QPV", "HORS_QPV": "Hors QPV", "INCONNU": "QPV non renseigné"},
}


def annee_due(annees: list[int], aujourd_hui: date | None = None) -> int | None:
    """The year whose bilan is owed now (before 28 February, last year's: R.441-5-1), when data
    exist for it; else the latest year with data; None when there is none."""
    if not annees:
        return None
    precedente = (aujourd_hui or date.today()).year - 1
    return precedente if precedente in annees else max(annees)


def _tri_texte(texte) -> str:
    return unicodedata.normalize("NFKD", str(texte)).encode("ascii", "ignore").decode().casefold()


def _ordre(axe: str, modalite: str, ordre: int, libelle: str) -> tuple:
    if axe in _LIBELLES_MODALITES:
        codes = list(_LIBELLES_MODALITES[axe])
        return (codes.index(modalite) if modalite in codes else len(codes), str(modalite))
    if axe == "periode_construction":
        return (int(ordre), str(modalite))
    return (_tri_texte(libelle), str(modalite))   # communes by name


def _libelle_modalite(axe: str, modalite: str, nom_commune) -> str:
    if axe == "commune":
        return f"{nom_commune} ({modalite})" if isinstance(nom_commune, str) else str(modalite)
    return _LIBELLES_MODALITES.get(axe, {}).get(modalite, str(modalite))


def _trier(df: pd.DataFrame) -> pd.DataFrame:
    ordre = sorted(range(len(df)), key=list(df["_tri"]).__getitem__)
    return df.iloc[ordre]


def _filtres(reservataire: str | None, bailleur: str | None) -> Filtres:
    return Filtres(reservataire=reservataire or (), bailleur=bailleur or ())


def repartition(
    con: duckdb.DuckDBPyConnection,
    annee: int,
    axe: str,
    reservataire: str | None = None,
    bailleur: str | None = None,
) -> pd.DataFrame:
    """The MAD proposed and attributed in ``annee`` by modality of ``axe`` (``AXES_BILAN_ANNUEL``).

    One row per bailleur × modality (``proposes`` > 0), bailleurs by code, modalities in reading
    order; then, when the selection holds several bailleurs, one row per modality for all of them
    (``bailleur_code`` = ``ENSEMBLE``). Columns: ``COLONNES_REPARTITION`` (``modalite`` is the
    code — the INSEE code for a commune —, ``libelle`` its French label). ``reservataire``, ``bailleur``:
    a code or a comma-separated list (None = all).
    """
    valider(annee)
    if axe not in AXES_BILAN_ANNUEL:
        raise ValueError(f"axe inconnu : {axe!r} (axes : {', '.join(AXES_BILAN_ANNUEL)})")
    filtres = _filtres(reservataire, bailleur)
    params = {"annee": int(annee), "axe": axe, **filtres.parametres()}
    df = modeles.executer(con, "mart_bilan_annuel", params)
    if df.empty:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c in ("proposes", "attribues")
                                          else object) for c in COLONNES_REPARTITION})
    df["libelle"] = [_libelle_modalite(axe, m, n)
                     for m, n in zip(df["modalite"], df["nom_commune"])]
    details = df[~df["ensemble"]].copy()
    ensemble = df[df["ensemble"]].copy()
    details["bailleur_code"] = details["bailleur_code"].astype(str)
    details["bailleur_nom"] = libelles(con, "bailleur", list(details["bailleur_code"]))
    ensemble["bailleur_code"] = ENSEMBLE
    ensemble["bailleur_nom"] = LIBELLE_ENSEMBLE
    details["_tri"] = [(b, _ordre(axe, m, o, lib)) for b, m, o, lib in
                       zip(details["bailleur_code"], details["modalite"], details["ordre"],
                           details["libelle"])]
    ensemble["_tri"] = [("", _ordre(axe, m, o, lib)) for m, o, lib in
                        zip(ensemble["modalite"], ensemble["ordre"], ensemble["libelle"])]
    parties = [_trier(details)]
    if details["bailleur_code"].nunique() > 1:
        parties.append(_trier(ensemble))
    sortie = pd.concat(parties, ignore_index=True)[list(COLONNES_REPARTITION)]
    for col in ("proposes", "attribues"):
        sortie[col] = sortie[col].astype("int64")
    for col in ("bailleur_code", "bailleur_nom", "modalite", "libelle"):
        sortie[col] = sortie[col].astype(object)
    return sortie


def synthese(
    con: duckdb.DuckDBPyConnection,
    annee: int,
    reservataire: str,
    bailleur: str | None = None,
) -> pd.DataFrame:
    """The summary of the yearly bilan of ``reservataire``: one row per bailleur (by code) then
    the total (``cle`` = ``TOTAL``), columns ``COLONNES_SYNTHESE``.

    The engine's bilan at 31/12 (T4, cumulative, view 'mad'): droits annuels, MAD, baux signés,
    écart, taux de réalisation and de chute. ``baux_signes_date_bail``: for information, the baux
    signed in the year by their date (view 'baux'), whatever the year of their MAD.
    Empty when the réservataire has neither convention nor MAD that year.
    """
    valider(annee)
    filtres = _filtres(reservataire, bailleur)
    par_bailleur = bilan(con, annee, 4, "bailleur", "mad", "cumul", filtres)
    total = bilan(con, annee, 4, "total", "mad", "cumul", filtres)
    baux = pd.concat([bilan(con, annee, 4, "bailleur", "baux", "cumul", filtres),
                      bilan(con, annee, 4, "total", "baux", "cumul", filtres)])
    df = pd.concat([par_bailleur, total], ignore_index=True)
    if df.empty:
        return pd.DataFrame(columns=list(COLONNES_SYNTHESE))
    date_bail = dict(zip(baux["cle"], baux["mises_a_disposition"]))
    df["baux_signes_date_bail"] = [int(date_bail.get(c, 0)) for c in df["cle"]]
    return df[list(COLONNES_SYNTHESE)].reset_index(drop=True)


def reservataires(
    con: duckdb.DuckDBPyConnection, annee: int, bailleur: str | None = None
) -> pd.DataFrame:
    """The réservataires owed a yearly bilan for ``annee`` (by ``bailleur`` when given): those
    holding a convention of that year or proposed a MAD that year. Columns
    ``reservataire_code, reservataire_nom, type_reservataire, nb_conventions, proposes``."""
    valider(annee)
    df = modeles.executer(con, "mart_reservataires_bilan_annuel",
                          {"annee": int(annee), **_filtres(None, bailleur).parametres()})
    noms = noms_reservataires(con)
    types = fait_types_reservataires(con, list(df["reservataire_code"]))
    df.insert(1, "reservataire_nom", [noms.get(c, c) for c in df["reservataire_code"]])
    df.insert(2, "type_reservataire",
              [types.get(c, vocabulaire.TYPE_INCONNU) for c in df["reservataire_code"]])
    for col in ("nb_conventions", "proposes"):
        df[col] = df[col].astype("int64")
    return df.reset_index(drop=True)


def nom_bailleur(con: duckdb.DuckDBPyConnection, code: str) -> str:
    """A bailleur's name as the conventions give it (its code otherwise)."""
    return noms_bailleurs(con).get(code, code)
