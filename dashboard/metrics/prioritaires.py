"""Publics prioritaires (CCH L.441-1, DOMAIN §4.9): at least 25 % of the yearly attributions of
each réservataire other than the State, and of the dwellings a bailleur lets outside any
reservation (``NON_RESERVE``), go to DALO households or, failing that, to priority publics.

Over the baux signés of a window (those the bilan's ``baux_signes`` counts, in either view):
``baux_prioritaires`` (flag true), ``baux_prioritaires_inconnus`` (flag unknown: they stay in the
denominator), ``part_prioritaires = baux_prioritaires ÷ baux_signes`` (NaN without a bail). The
réservataires' figures are the engine's bilan (``mart_bilan``); the bailleur's own share is
``mart_prioritaires_non_reserve``. Nothing is computed again here: these functions pick rows, and
say which target applies (``cible``):

- ``ACTION_LOGEMENT``, ``COMMUNE``, ``EPCI``, ``DEPARTEMENT``, ``REGION``, ``AUTRE`` and the
  bailleur's own non-reserved share: 25 %;
- ``ETAT`` (contingent préfectoral): devoted to priority publics by nature, shown without target;
- ``ETAT_AGENTS``: no such target; a type unknown (MAD without convention): none either.

The control (a bailleur × réservataire under 25 % at T4) is ``PRIORITAIRES_SOUS_25`` of
``controles`` (rules in ``mart_controles.sql``).
"""

from __future__ import annotations

import dataclasses

import duckdb
import numpy as np
import pandas as pd

from dashboard.metrics import modeles
from dashboard.metrics.filtres import Filtres, parametres
from dashboard.metrics.indicateurs import AXES, bilan, bilan_croise, valider
from dashboard.metrics.libelles import libelles

CIBLE = 0.25
# The réservataire types the 25 % target applies to (DOMAIN §4.9), in the vocabulary's order.
TYPES_CIBLES = ("ACTION_LOGEMENT", "COMMUNE", "EPCI", "DEPARTEMENT", "REGION", "AUTRE")
# The bailleur's own non-reserved share, as a pseudo-type and pseudo-réservataire.
NON_RESERVE = "NON_RESERVE"
LIBELLE_NON_RESERVE = "Logements non réservés des bailleurs"
LIBELLE_TYPE_NON_RESERVE = "Non réservé (part propre du bailleur)"
# What each row's target is, in words (the table's « Objectif » column).
OBJECTIF_CIBLE = "25 % au moins"
OBJECTIFS_SANS_CIBLE = {
    "ETAT": "Sans objectif : contingent consacré aux publics prioritaires",
    "ETAT_AGENTS": "Sans objectif (agents de l'État)",
}
OBJECTIF_AUCUN = "Sans objectif (type inconnu)"

# Parts of a bailleur's baux (par_bailleur's ``contingent``), in display order.
CONTINGENTS = {
    "RESERVATAIRES": "Réservataires soumis à l'objectif",
    NON_RESERVE: "Logements non réservés",
}

_FIGURES = ("baux_signes", "baux_prioritaires", "part_prioritaires",
            "baux_prioritaires_inconnus", "cible_prioritaires")
COLONNES_PRIORITAIRES_RESERVATAIRES = ("cle", "libelle", "type_reservataire", "libelle_type",
                                       *_FIGURES, "objectif")
COLONNES_PRIORITAIRES_BAILLEURS = ("cle", "libelle", "contingent", "libelle_contingent",
                                   *_FIGURES)
COLONNES_NON_RESERVE = ("cle", "libelle", "baux_signes", "baux_prioritaires",
                        "part_prioritaires", "baux_prioritaires_inconnus")


def cible(type_reservataire: str | None) -> float:
    """The share of baux signés owed to priority publics by a réservataire of this type (or the
    bailleur's own share, ``NON_RESERVE``): 0.25, or NaN when no target applies."""
    return CIBLE if type_reservataire in TYPES_CIBLES or type_reservataire == NON_RESERVE \
        else np.nan


def objectif(type_reservataire: str | None) -> str:
    """The target of a type in words (French)."""
    if not np.isnan(cible(type_reservataire)):
        return OBJECTIF_CIBLE
    return OBJECTIFS_SANS_CIBLE.get(type_reservataire or "", OBJECTIF_AUCUN)


def _vide(colonnes) -> pd.DataFrame:
    entiers = ("baux_signes", "baux_prioritaires", "baux_prioritaires_inconnus")
    return pd.DataFrame({c: pd.Series(dtype="int64" if c in entiers else
                                      "float64" if c in _FIGURES else object)
                         for c in colonnes})


def _types(df: pd.DataFrame, colonnes) -> pd.DataFrame:
    for c in ("baux_signes", "baux_prioritaires", "baux_prioritaires_inconnus"):
        df[c] = df[c].astype("int64")
    for c in ("part_prioritaires", "cible_prioritaires"):
        df[c] = pd.to_numeric(df[c]).astype("float64")
    for c in colonnes:
        if c not in _FIGURES:
            df[c] = df[c].astype(object)
    return df[list(colonnes)].reset_index(drop=True)


def _reservataires_concernes(filtres: Filtres) -> bool:
    """Whether the bailleurs' own non-reserved dwellings belong to the selection: not when it
    names types, réservataires or convention statuts (these dwellings have none)."""
    return not (filtres.type_reservataire or filtres.reservataire or filtres.statut)


def non_reserve(
    con: duckdb.DuckDBPyConnection,
    annee: int,
    trimestre: int,
    par: str = "bailleur",
    vue: str = "mad",
    periode: str = "cumul",
    filtres: Filtres | None = None,
) -> pd.DataFrame:
    """The baux signés of the bailleurs' own non-reserved dwellings (MAD of categorie
    ``NON_RESERVE``) and their publics prioritaires, per bailleur (``par="bailleur"``, by code)
    or in one row (``"total"``, ``cle`` = ``TOTAL``); rows with at least one bail.

    Columns ``COLONNES_NON_RESERVE``. Filters: département, EPCI, bailleur; a selection naming
    types, réservataires or statuts holds none of these dwellings (empty result).
    """
    valider(annee, trimestre, None, AXES, vue, periode)
    if par not in ("bailleur", "total"):
        raise ValueError(f"axe inconnu : {par!r} (bailleur ou total)")
    filtres = filtres or Filtres()
    if not _reservataires_concernes(filtres):
        return _vide(COLONNES_NON_RESERVE)
    df = modeles.executer(con, "mart_prioritaires_non_reserve", parametres(
        annee, filtres, trimestre=int(trimestre), par=par, vue=vue, periode=periode))
    df = df[df["baux_signes"] > 0].sort_values("cle").reset_index(drop=True)
    df.insert(1, "libelle", libelles(con, par, list(df["cle"])))
    df["cible_prioritaires"] = CIBLE
    return _types(df, COLONNES_NON_RESERVE)


def par_reservataire(
    con: duckdb.DuckDBPyConnection,
    annee: int,
    trimestre: int,
    vue: str = "mad",
    periode: str = "cumul",
    filtres: Filtres | None = None,
) -> pd.DataFrame:
    """The publics prioritaires of each réservataire with at least one bail in the window, with
    its type, target (``cible_prioritaires``: 0.25 or NaN) and target in words (``objectif``);
    then one row ``cle`` = ``NON_RESERVE`` for the bailleurs' own non-reserved dwellings (see
    ``non_reserve``), when the selection holds any.

    Rows: those with a target first, lowest share first; then the others (State, unknown type),
    lowest share first. Columns ``COLONNES_PRIORITAIRES_RESERVATAIRES``. The réservataires'
    figures are the bilan's (``bilan_croise`` réservataire × type).
    """
    valider(annee, trimestre, None, AXES, vue, periode)
    filtres = filtres or Filtres()
    croise = bilan_croise(con, annee, trimestre, "reservataire", "type_reservataire", vue,
                          periode, filtres)
    croise = croise[croise["baux_signes"] > 0]
    df = pd.DataFrame({
        "cle": croise["cle_ligne"], "libelle": croise["libelle_ligne"],
        "type_reservataire": croise["cle_colonne"], "libelle_type": croise["libelle_colonne"],
        **{c: croise[c] for c in _FIGURES if c != "cible_prioritaires"},
    })
    total = non_reserve(con, annee, trimestre, "total", vue, periode, filtres)
    if len(total):
        propre = total.assign(cle=NON_RESERVE, libelle=LIBELLE_NON_RESERVE,
                              type_reservataire=NON_RESERVE,
                              libelle_type=LIBELLE_TYPE_NON_RESERVE)
        df = pd.concat([df, propre[list(df.columns)]], ignore_index=True)
    if df.empty:
        return _vide(COLONNES_PRIORITAIRES_RESERVATAIRES)
    df["cible_prioritaires"] = [cible(t) for t in df["type_reservataire"]]
    df["objectif"] = [objectif(t) for t in df["type_reservataire"]]
    df = df.assign(_sans=df["cible_prioritaires"].isna(), _cle=df["cle"].astype(str))
    df = df.sort_values(["_sans", "part_prioritaires", "_cle"], kind="stable")
    return _types(df, COLONNES_PRIORITAIRES_RESERVATAIRES)


def par_bailleur(
    con: duckdb.DuckDBPyConnection,
    annee: int,
    trimestre: int,
    vue: str = "mad",
    periode: str = "cumul",
    filtres: Filtres | None = None,
) -> pd.DataFrame:
    """Each bailleur's publics prioritaires against the 25 % target, in two parts
    (``contingent``, see ``CONTINGENTS``): the baux of the réservataires the target applies to
    (``TYPES_CIBLES``: the bilan by bailleur restricted to those types), and its own
    non-reserved dwellings (``non_reserve``). One row per bailleur × part with at least one
    bail; bailleurs lowest share first (their lowest part), then by code. Columns
    ``COLONNES_PRIORITAIRES_BAILLEURS``.
    """
    valider(annee, trimestre, None, AXES, vue, periode)
    filtres = filtres or Filtres()
    morceaux = []
    types = [t for t in TYPES_CIBLES
             if not filtres.type_reservataire or t in filtres.type_reservataire]
    if types:
        reserves = bilan(con, annee, trimestre, "bailleur", vue, periode,
                         dataclasses.replace(filtres, type_reservataire=types))
        morceaux.append(reserves.assign(contingent="RESERVATAIRES"))
    morceaux.append(non_reserve(con, annee, trimestre, "bailleur", vue, periode, filtres)
                    .assign(contingent=NON_RESERVE))
    colonnes = ["cle", "libelle", "contingent", *(c for c in _FIGURES
                                                  if c != "cible_prioritaires")]
    df = pd.concat([m[colonnes] for m in morceaux if len(m)], ignore_index=True) \
        if any(len(m) for m in morceaux) else pd.DataFrame(columns=colonnes)
    df = df[df["baux_signes"] > 0]
    if df.empty:
        return _vide(COLONNES_PRIORITAIRES_BAILLEURS)
    df["libelle_contingent"] = df["contingent"].map(CONTINGENTS)
    df["cible_prioritaires"] = CIBLE
    plus_bas = df.groupby("cle")["part_prioritaires"].transform("min")
    ordre_contingent = df["contingent"].map(list(CONTINGENTS).index)
    df = df.assign(_bas=plus_bas, _cle=df["cle"].astype(str), _c=ordre_contingent)
    df = df.sort_values(["_bas", "_cle", "_c"], kind="stable")
    return _types(df, COLONNES_PRIORITAIRES_BAILLEURS)
