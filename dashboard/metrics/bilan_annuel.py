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

The summary (droits, MAD, baux signés, écart, taux de chute, publics prioritaires) is the
engine's own ``bilan`` at T4, so the breakdowns add up to it.

With it (R.441-5), the hors flux (``hors_flux_annuel``): the forecast of the following year by
type of operation (``mutations_prevues``, ``relogements_prevus`` of the parc rows of year + 1)
and what the year gave (MAD of categories MUTATION and RELOGEMENT, with their baux signés), per
département and commune of the réservataire's perimeter.

``syntheses``, ``repartitions`` and ``hors_flux_annuel`` give every réservataire's figures in one
pass (the zip of all the yearly bilans); ``synthese`` and ``repartition`` are one réservataire's
(the same queries, filtered). Not exported from ``dashboard.metrics`` (import this module).
"""

from __future__ import annotations

import unicodedata
from datetime import date

import duckdb
import numpy as np
import pandas as pd

from dashboard import vocabulaire
from dashboard.metrics import modeles
from dashboard.metrics.filtres import Filtres
from dashboard.metrics.indicateurs import (
    COLONNES_FIGURES,
    bilan,
    bilan_croise,
    fait_types_reservataires,
    valider,
)
from dashboard.metrics.libelles import (
    libelle_departement,
    libelles,
    noms_bailleurs,
    noms_reservataires,
)

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
    # publics prioritaires among the baux signés (CCH L.441-1, DOMAIN §4.9)
    "baux_prioritaires",
    "part_prioritaires",
    "baux_prioritaires_inconnus",
)
LIBELLE_TOTAL_CLE = "TOTAL"
LIBELLE_TOTAL = "Total"

# The hors flux of R.441-5 (``hors_flux_annuel``): level of a row -> its French name.
NIVEAUX_HORS_FLUX = {"departement": "Département", "commune": "Commune", "total": "Total"}
_ENTIERES_HORS_FLUX = ("mutations", "mutations_baux_signes", "relogements",
                       "relogements_baux_signes")
COLONNES_HORS_FLUX_ANNUEL = (
    "reservataire_code",
    "niveau",
    "bailleur_code",
    "bailleur_nom",
    "departement",
    "code_insee",
    "libelle",
    "mutations_prevues",
    "relogements_prevus",
    *_ENTIERES_HORS_FLUX,
    "parc_suivant_importe",
    "bailleurs_sans_parc_suivant",
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


def _filtres(reservataire: str | None, bailleur: str | None) -> Filtres:
    return Filtres(reservataire=reservataire or (), bailleur=bailleur or ())


def _vide(colonnes, entiers=()) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="int64" if c in entiers else object)
                         for c in colonnes})


def _repartitions(con, annee: int, reservataire, bailleur, par_reservataire: bool
                  ) -> pd.DataFrame:
    """mart_bilan_annuel labelled and in reading order: réservataire, axis (the law's order),
    the bailleurs by code then the « Ensemble des bailleurs » rows (only for a réservataire
    with several bailleurs), modalities in reading order."""
    filtres = _filtres(reservataire, bailleur)
    params = {"annee": int(annee), "par_reservataire": par_reservataire,
              **filtres.parametres()}
    df = modeles.executer(con, "mart_bilan_annuel", params)
    colonnes = ("reservataire_code", "axe", *COLONNES_REPARTITION)
    if df.empty:
        return _vide(colonnes, ("proposes", "attribues"))
    df["libelle"] = [_libelle_modalite(a, m, n)
                     for a, m, n in zip(df["axe"], df["modalite"], df["nom_commune"])]
    details = ~df["ensemble"]
    codes = [str(b) for b in df.loc[details, "bailleur_code"]]
    noms = dict(zip(codes, libelles(con, "bailleur", codes)))
    df["bailleur_code"] = [str(b) if d else ENSEMBLE
                           for b, d in zip(df["bailleur_code"], details)]
    df["bailleur_nom"] = [noms[b] if d else LIBELLE_ENSEMBLE
                          for b, d in zip(df["bailleur_code"], details)]
    # « Ensemble des bailleurs » only where a réservataire has several bailleurs
    cle_r = df["reservataire_code"].fillna("")        # NULL: the réservataires taken together
    nombre = df[details].groupby(cle_r[details])["bailleur_code"].nunique()
    df = df[details | cle_r.isin(set(nombre[nombre > 1].index))]
    axes = list(AXES_BILAN_ANNUEL)
    tri = [(str(r), axes.index(a), not d, b if d else "", _ordre(a, m, o, lib))
           for r, a, d, b, m, o, lib in zip(df["reservataire_code"], df["axe"],
                                            ~df["ensemble"], df["bailleur_code"],
                                            df["modalite"], df["ordre"], df["libelle"])]
    ordre = sorted(range(len(df)), key=tri.__getitem__)
    sortie = df.iloc[ordre][list(colonnes)].reset_index(drop=True)
    for col in ("proposes", "attribues"):
        sortie[col] = sortie[col].astype("int64")
    for col in ("reservataire_code", "axe", "bailleur_code", "bailleur_nom", "modalite",
                "libelle"):
        sortie[col] = sortie[col].astype(object)
    return sortie


def repartitions(
    con: duckdb.DuckDBPyConnection,
    annee: int,
    reservataire: str | None = None,
    bailleur: str | None = None,
) -> pd.DataFrame:
    """Every breakdown of every réservataire's yearly bilan at once (one query): columns
    ``reservataire_code``, ``axe`` then ``COLONNES_REPARTITION``; for each réservataire and
    axis, the rows ``repartition(con, annee, axe, réservataire, bailleur)`` gives, in its order;
    réservataires by code, axes in the order of ``AXES_BILAN_ANNUEL``. ``reservataire``,
    ``bailleur``: a code or a comma-separated list (None = all)."""
    valider(annee)
    return _repartitions(con, annee, reservataire, bailleur, True)


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
    code — the INSEE code for a commune —, ``libelle`` its French label). ``reservataire``,
    ``bailleur``: a code or a comma-separated list (None = all), the selected réservataires taken
    together.
    """
    valider(annee)
    if axe not in AXES_BILAN_ANNUEL:
        raise ValueError(f"axe inconnu : {axe!r} (axes : {', '.join(AXES_BILAN_ANNUEL)})")
    df = _repartitions(con, annee, reservataire, bailleur, False)
    return df[df["axe"] == axe][list(COLONNES_REPARTITION)].reset_index(drop=True)


def syntheses(
    con: duckdb.DuckDBPyConnection,
    annee: int,
    reservataire: str | None = None,
    bailleur: str | None = None,
) -> pd.DataFrame:
    """The summary of every réservataire's yearly bilan at once: column ``reservataire_code``
    then ``COLONNES_SYNTHESE``; for each réservataire (by code) the rows of ``synthese``: one
    per bailleur (by code), then its total (``cle`` = ``TOTAL``).

    The engine's bilan at 31/12 (T4, cumulative) crossed réservataire × bailleur, view 'mad'
    (and 'baux' for ``baux_signes_date_bail``): four queries whatever the number of
    réservataires. ``reservataire``, ``bailleur``: a code or a comma-separated list (None = all).
    """
    valider(annee)
    filtres = _filtres(reservataire, bailleur)
    morceaux = {}
    for vue in ("mad", "baux"):
        croise = bilan_croise(con, annee, 4, "reservataire", "bailleur", vue, "cumul", filtres)
        croise = croise.rename(columns={"cle_ligne": "reservataire_code", "cle_colonne": "cle",
                                        "libelle_colonne": "libelle"})
        totaux = bilan(con, annee, 4, "reservataire", vue, "cumul", filtres)
        totaux = totaux.rename(columns={"cle": "reservataire_code"}).assign(
            cle=LIBELLE_TOTAL_CLE, libelle=LIBELLE_TOTAL)
        colonnes = ["reservataire_code", "cle", "libelle", *COLONNES_FIGURES]
        morceaux[vue] = pd.concat([croise[colonnes], totaux[colonnes]], ignore_index=True)
    df = morceaux["mad"]
    colonnes = ["reservataire_code", *COLONNES_SYNTHESE]
    if df.empty:
        return _vide(colonnes)
    baux = morceaux["baux"]
    date_bail = dict(zip(zip(baux["reservataire_code"], baux["cle"]),
                         baux["mises_a_disposition"]))
    df["baux_signes_date_bail"] = [int(date_bail.get(k, 0)) for k in
                                   zip(df["reservataire_code"], df["cle"])]
    df["_total"] = df["cle"] == LIBELLE_TOTAL_CLE
    df = df.sort_values(["reservataire_code", "_total", "cle"], kind="stable")
    df = df[colonnes].reset_index(drop=True)
    df["reservataire_code"] = df["reservataire_code"].astype(object)
    return df


def synthese(
    con: duckdb.DuckDBPyConnection,
    annee: int,
    reservataire: str,
    bailleur: str | None = None,
) -> pd.DataFrame:
    """The summary of the yearly bilan of ``reservataire``: one row per bailleur (by code) then
    the total (``cle`` = ``TOTAL``), columns ``COLONNES_SYNTHESE``.

    The engine's bilan at 31/12 (T4, cumulative, view 'mad'): droits annuels, MAD, baux signés,
    écart, taux de réalisation and de chute, publics prioritaires. ``baux_signes_date_bail``: for
    information, the baux signed in the year by their date (view 'baux'), whatever the year of
    their MAD. Empty when the réservataire has neither convention nor MAD that year.
    """
    df = syntheses(con, annee, reservataire, bailleur)
    return df[list(COLONNES_SYNTHESE)].reset_index(drop=True)


def hors_flux_annuel(
    con: duckdb.DuckDBPyConnection,
    annee: int,
    reservataire: str | None = None,
    bailleur: str | None = None,
) -> pd.DataFrame:
    """The hors flux sent with the yearly bilan (CCH R.441-5, DOMAIN §4.8) of every
    réservataire at once (see ``mart_hors_flux_bilan_annuel.sql``): for each réservataire (by
    code), each bailleur (by code) and département of its perimeter, the département's row
    (``niveau`` « Département ») then its communes with something to report (« Commune », by
    name); the réservataire's total last (« Total »).

    Columns ``COLONNES_HORS_FLUX_ANNUEL``: the forecast of ``annee + 1`` (``mutations_prevues``,
    ``relogements_prevus``: NaN — unknown, never 0 — where a bailleur's parc of ``annee + 1`` is
    not imported; ``parc_suivant_importe`` False and ``bailleurs_sans_parc_suivant`` name them),
    and what ``annee`` gave (MAD of categories MUTATION and RELOGEMENT, and among them the baux
    signés). ``reservataire``, ``bailleur``: a code or a comma-separated list (None = all).
    """
    valider(annee)
    df = modeles.executer(con, "mart_hors_flux_bilan_annuel",
                          {"annee": int(annee), **_filtres(reservataire, bailleur).parametres()})
    if df.empty:
        return _vide(COLONNES_HORS_FLUX_ANNUEL, _ENTIERES_HORS_FLUX)
    codes = sorted({str(b) for b in df["bailleur_code"] if isinstance(b, str)})
    noms = dict(zip(codes, libelles(con, "bailleur", codes)))
    df["bailleur_nom"] = [noms.get(b) if isinstance(b, str) else None for b in df["bailleur_code"]]
    df["libelle"] = [
        LIBELLE_TOTAL if n == "total"
        else f"{libelle_departement(d)} ({d})" if n == "departement"
        else f"{nom} ({c})" if isinstance(nom, str) else str(c)
        for n, d, c, nom in zip(df["niveau"], df["departement"], df["code_insee"],
                                df["nom_commune"])]
    df["bailleurs_sans_parc_suivant"] = [
        ", ".join(v) if isinstance(v, (list, tuple, np.ndarray)) and len(v) else ""
        for v in df["bailleurs_sans_parc_suivant"]]
    inconnue = ~df["parc_suivant_importe"].astype(bool)
    for col in ("mutations_prevues", "relogements_prevus"):
        df[col] = pd.to_numeric(df[col]).astype("float64").where(~inconnue)
    tri = [(str(r), n == "total", str(b), str(d), n != "departement", _tri_texte(lib), str(c))
           for r, n, b, d, c, lib in zip(df["reservataire_code"], df["niveau"],
                                         df["bailleur_code"], df["departement"], df["code_insee"],
                                         df["libelle"])]
    df = df.iloc[sorted(range(len(df)), key=tri.__getitem__)]
    df["niveau"] = [NIVEAUX_HORS_FLUX[n] for n in df["niveau"]]
    for col in _ENTIERES_HORS_FLUX:
        df[col] = df[col].astype("int64")
    df["parc_suivant_importe"] = df["parc_suivant_importe"].astype(bool)
    sortie = df[list(COLONNES_HORS_FLUX_ANNUEL)].reset_index(drop=True)
    for col in ("reservataire_code", "niveau", "bailleur_code", "bailleur_nom", "departement",
                "code_insee", "libelle", "bailleurs_sans_parc_suivant"):
        sortie[col] = sortie[col].astype(object).where(sortie[col].notna(), None)
    return sortie


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
