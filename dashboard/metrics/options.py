"""The options of the filters of the pages (the fields of ``Filtres``): the codes that select
something in a year, labelled and in reading order."""

from __future__ import annotations

import unicodedata

import duckdb
import pandas as pd

from dashboard import vocabulaire
from dashboard.metrics.filtres import SANS_CONVENTION
from dashboard.metrics.indicateurs import (
    executer_sur_faits,
    faits,
    trier_lignes,
    valider,
)
from dashboard.metrics.libelles import NON_VENTILE, libelles

OPTIONS = ("departement", "epci", "bailleur", "type_reservataire", "reservataire", "statut")
LIBELLES_STATUT = {**vocabulaire.STATUTS_CONVENTION,
                   SANS_CONVENTION: "Sans convention (mises à disposition)"}


def options_filtres(con: duckdb.DuckDBPyConnection, annee: int) -> dict[str, pd.DataFrame]:
    """The choices of each filter of the pages for ``annee``: a DataFrame ``cle, libelle`` per
    key of ``OPTIONS`` (the fields of ``Filtres``), ready for a selectbox.

    Only codes that select something that year are offered (conventions of the year, or MAD
    counted in it). Départements by code, labelled ``13 — Bouches-du-Rhône``; EPCI by name
    (``NON_VENTILE``, « Non ventilé », last); bailleurs and réservataires by name; types in the
    vocabulary's order, ``INCONNU`` last (réservataires of MAD without convention that no
    convention describes); statuts SIGNEE, EN_COURS, NON_SIGNEE, then SANS_CONVENTION (MAD without
    convention) with their French labels.
    """
    valider(annee)
    entree = faits(con, annee)
    memo = entree.memo if entree is not None else None
    if memo is not None and "options_filtres" in memo:
        return {k: v.copy() for k, v in memo["options_filtres"].items()}
    df = executer_sur_faits(con, entree, "mart_options_filtres", {"annee": int(annee)})
    options: dict[str, pd.DataFrame] = {}
    for axe in OPTIONS:
        cles = [str(c) for c in df.loc[df["axe"] == axe, "cle"] if c is not None]
        options[axe] = _options(con, axe, cles, memo)
    if memo is not None:
        memo["options_filtres"] = {k: v.copy() for k, v in options.items()}
    return options


def _cle_tri(texte) -> str:
    """Accents and case ignored: « État » sorts with the E."""
    decompose = unicodedata.normalize("NFKD", str(texte))
    return "".join(c for c in decompose if not unicodedata.combining(c)).casefold()


def _options(con, axe: str, cles: list[str], memo) -> pd.DataFrame:
    if axe == "departement":
        noms = [vocabulaire.libelle_departement(c) for c in cles]
        tri = list(cles)
    elif axe == "statut":
        ordre = list(LIBELLES_STATUT)
        noms = [LIBELLES_STATUT.get(c, c) for c in cles]
        tri = [(ordre.index(c) if c in ordre else len(ordre), c) for c in cles]
    elif axe == "type_reservataire":  # the bilan's order: the vocabulary's, INCONNU last
        noms = libelles(con, axe, cles)
        df = pd.DataFrame({"cle": cles, "libelle": noms}, dtype=object)
        return trier_lignes(df, axe).reset_index(drop=True)
    else:  # epci, bailleur, reservataire: by name
        noms = libelles(con, axe, cles, memo)
        tri = [(c == NON_VENTILE, _cle_tri(n), c) for c, n in zip(cles, noms)]
    ordre_lignes = sorted(range(len(cles)), key=tri.__getitem__)
    return pd.DataFrame({"cle": [cles[i] for i in ordre_lignes],
                         "libelle": [noms[i] for i in ordre_lignes]}, dtype=object)


__all__ = ["LIBELLES_STATUT", "OPTIONS", "options_filtres"]
