"""Labels (``libelle``) of the keys of each axis.

Réservataire and bailleur names come from the conventions (latest year, then most frequent
spelling; the code when no convention names it), EPCI names from table ``epci``, département and
type labels from ``dashboard.vocabulaire``.
"""

from __future__ import annotations

import duckdb

from dashboard import vocabulaire
from dashboard.metrics import modeles

NON_VENTILE = "NON_VENTILE"
LIBELLE_NON_VENTILE = "Non ventilé"
NON_RENSEIGNE = "NON_RENSEIGNE"
LIBELLE_NON_RENSEIGNE = "Réservataire non renseigné"
TOTAL = "TOTAL"
LIBELLE_TOTAL = "Total"


def cle_trimestre(annee: int, trimestre: int) -> str:
    """``2025-T1``."""
    return f"{int(annee)}-T{int(trimestre)}"


def libelle_trimestre(cle: str) -> str:
    """``2025-T1`` → ``T1 2025``."""
    annee, _, trimestre = cle.partition("-")
    return f"{trimestre} {annee}" if trimestre else cle


def libelle_type(code: str) -> str:
    if code == vocabulaire.TYPE_INCONNU:
        return vocabulaire.LIBELLE_TYPE_INCONNU
    return vocabulaire.TYPES_RESERVATAIRE.get(code, code)


def libelle_departement(code: str) -> str:
    """The département's name (the key column holds its code); the code when unknown."""
    return vocabulaire.DEPARTEMENTS.get(code, code)


def _noms(con, modele: str, colonne_cle: str, colonne_nom: str) -> dict[str, str]:
    df = modeles.executer(
        con,
        modele,
        {},
        sql_final=(
            f"SELECT {colonne_cle} AS cle, {colonne_nom} AS nom FROM {modele} "
            f"WHERE {colonne_nom} IS NOT NULL"
        ),
    )
    return dict(zip(df["cle"], df["nom"]))


def noms_reservataires(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Every réservataire's name, as the conventions give it."""
    return _noms(con, "int_reservataires", "reservataire_code", "reservataire_nom")


def noms_bailleurs(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Every bailleur's name, as the conventions give it."""
    return _noms(con, "int_bailleurs", "bailleur_code", "bailleur_nom")


def noms_epci(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Every EPCI's name (table epci; an imported name wins over the shipped reference)."""
    cur = con.cursor()
    try:
        rows = cur.execute(
            "SELECT epci_siren, first(nom ORDER BY import_id DESC NULLS LAST) FROM epci "
            "GROUP BY epci_siren"
        ).fetchall()
    finally:
        cur.close()
    return dict(rows)


_SOURCES = {"reservataire": noms_reservataires, "bailleur": noms_bailleurs, "epci": noms_epci}


def libelles(
    con: duckdb.DuckDBPyConnection, par: str, cles: list[str], memo: dict | None = None
) -> list[str]:
    """The label of each key of axis ``par`` (same order as ``cles``).

    ``memo``: a dict where the names read from the store are kept (a cache entry's).
    """
    cles = [str(c) for c in cles]
    if par in _SOURCES:
        if memo is not None and ("noms", par) in memo:
            noms = memo[("noms", par)]
        else:
            noms = _SOURCES[par](con)
            if memo is not None:
                memo[("noms", par)] = noms
        noms = {**noms, NON_RENSEIGNE: LIBELLE_NON_RENSEIGNE, NON_VENTILE: LIBELLE_NON_VENTILE}
    elif par == "departement":
        noms = {c: libelle_departement(c) for c in cles}
    elif par == "type_reservataire":
        noms = {c: libelle_type(c) for c in cles}
    elif par == "trimestre":
        noms = {c: libelle_trimestre(c) for c in cles}
    elif par == "total":
        noms = {TOTAL: LIBELLE_TOTAL}
    else:
        noms = {}
    return [noms.get(c, c) for c in cles]
