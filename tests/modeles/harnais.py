"""Unit tests of the SQL models, one model at a time (dbt's ``unit_tests: given / expect``).

A test names one model of ``dashboard/sql/metrics/``, gives the rows of its inputs, the
parameters it binds, and the rows it must return, written by hand:

    verifier_modele(
        "int_mad_rattachees",
        donnees={"int_mad": [...], "stg_conventions": [...]},
        attendu=[{"reference": "R1", "conv_id": 2}, ...],
        params={"annee": 2025},
    )

How it runs (``executer_modele``):

1. A fresh in-memory DuckDB with the real schema (``dashboard.store.connect_memory`` applies the
   migrations; no table holds a row, not even the referential of réservataires).
2. Each input is either
   - a **base table** of the schema (``conventions``, ``parc``, ``mises_a_disposition``,
     ``communes``, ``epci``, ``reservataires``, ``documents_epci``…): its rows are inserted,
     the columns a row does not give taking the defaults of ``DEFAUTS`` (those the import itself
     applies, DOMAIN §3, plus bookkeeping such as ``import_id``) or NULL; or
   - an **upstream model** the tested model requires, directly or not (``-- requires:``): it is
     **stubbed**, like dbt's ``given: ref(...)``. A table of that name is created with the
     columns and types of the real model (its own SQL, run on the empty database with
     ``LIMIT 0``), its given rows are inserted (a column a row does not give is NULL; a column
     the real model does not have is an error), and the model is run with that name in
     ``presents``: ``dashboard.metrics.modeles`` then reads the table by name instead of
     composing the upstream SQL. A stubbed upstream makes the test about ONE model: a change of
     ``int_droits_conventions`` does not move the expected rows of ``int_ventilation_epci``.
     (Stubs are plain tables, not TEMPORARY ones: ``modeles.executer`` runs on a fresh cursor,
     which does not see another cursor's temporary tables.)
     An upstream that is not given is composed from its SQL as in production, over the base
     tables given (so a test may also run a short chain on purpose, and says so).
3. The tested model is run by ``dashboard.metrics.modeles.executer`` — the production path:
   its SQL is read from ``dashboard/sql/metrics/<model>.sql`` and its parameters are bound as
   the application binds them (a parameter the SQL uses and the test does not give is an error).

``verifier_modele`` compares the returned rows with the expected ones on the columns the
expected rows name (every expected row names the same columns; a column the model does not
return is an error), as a multiset: order-insensitive, duplicates counted. Values are compared
after ``normaliser``: NULL / NaN / NaT are ``None``, numbers are rounded to 9 decimals (so that
``1.0 == 1`` and a float computed by hand matches), dates and timestamps at midnight are ISO
strings ``"YYYY-MM-DD"``; booleans stay booleans (``True`` never equals ``1``). To check some
rows only, run ``executer_modele`` and give ``comparer`` the rows selected.

Each model has its file ``test_<model>.py``, whose docstring starts with ``Model ``<model>``:``
and states the rules it checks (test_couverture.py holds every stg_/int_ model to it).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from decimal import Decimal

import duckdb
import numpy as np
import pandas as pd

from dashboard.metrics import modeles
from dashboard.store import connect_memory

# Defaults of the base tables' NOT NULL columns a test need not write: the import's own defaults
# (DOMAIN §3: logements_exclus, mutations_prevues, relogements_prevus 0; issue EN_COURS; methode
# ASSIETTE; perimetre_type DEPARTEMENT) and bookkeeping (import_id, names, timestamps). A
# callable default receives the row as given.
DEFAUTS: dict[str, dict[str, object]] = {
    "conventions": {
        "methode": "ASSIETTE",
        "perimetre_type": "DEPARTEMENT",
        # a département-wide convention's perimetre_code is its département (schema v1)
        "perimetre_code": lambda r: r.get("departement")
        if r.get("perimetre_type", "DEPARTEMENT") == "DEPARTEMENT" else None,
        "reservataire_valeur": lambda r: r.get("reservataire_code"),
        "import_id": 1,
    },
    "parc": {"logements_exclus": 0, "mutations_prevues": 0, "relogements_prevus": 0,
             "import_id": 1},
    "mises_a_disposition": {"issue": "EN_COURS", "import_id": 1,
                            "reservataire_valeur": lambda r: r.get("reservataire_code")},
    "communes": {"nom": lambda r: f"Commune {r.get('code_insee')}"},
    "epci": {"nom": lambda r: f"EPCI {r.get('epci_siren')}"},
    "documents_epci": {"import_id": 1},
    "reservataires": {"nom": lambda r: f"Réservataire {r.get('reservataire_code')}",
                      "origine": "REFERENCE", "cree_le": datetime(2024, 1, 1)},
}

def dependances(nom: str) -> set[str]:
    """Every model ``nom`` requires, directly or through another model."""
    vues: set[str] = set()
    a_voir = list(modeles.modele(nom)[1])
    while a_voir:
        n = a_voir.pop()
        if n not in vues:
            vues.add(n)
            a_voir.extend(modeles.modele(n)[1])
    return vues


def _lignes(rangees) -> list[dict]:
    if isinstance(rangees, pd.DataFrame):
        return [{k: (None if _est_nul(v) else v) for k, v in r.items()}
                for r in rangees.to_dict("records")]
    return [dict(r) for r in rangees]


def _colonnes(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [d[0] for d in con.execute(f"SELECT * FROM {table} LIMIT 0").description]


def _inserer(con: duckdb.DuckDBPyConnection, table: str, rangees: list[dict],
             defauts: Mapping[str, object]) -> None:
    if not rangees:
        return
    colonnes = _colonnes(con, table)
    # One INSERT per set of columns given (rows of a test usually all give the same ones).
    par_colonnes: dict[tuple[str, ...], list[list]] = {}
    for rangee in rangees:
        inconnues = set(rangee) - set(colonnes)
        if inconnues:
            raise KeyError(f"{table} n'a pas de colonne {sorted(inconnues)} "
                           f"(colonnes : {', '.join(colonnes)})")
        complete = dict(rangee)
        for col, defaut in defauts.items():
            if col not in complete:
                complete[col] = defaut(rangee) if callable(defaut) else defaut
        par_colonnes.setdefault(tuple(complete), []).append(list(complete.values()))
    for noms, valeurs in par_colonnes.items():
        con.executemany(
            f"INSERT INTO {table} ({', '.join(noms)}) VALUES ({', '.join('?' for _ in noms)})",
            valeurs)


def _tables_de_base(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'"
    ).fetchall()}


def _bouchonner(con: duckdb.DuckDBPyConnection, nom: str, rangees: list[dict],
                params: Mapping[str, object]) -> None:
    """Create table ``nom`` with the columns and types of the real model, then its rows."""
    sql = modeles.composer(nom)
    # The upstream's own parameters only shape its (empty) result: bind those the test gives,
    # NULL for the others.
    valeurs = {p: params.get(p) for p in modeles.parametres_utilises(sql)}
    con.execute(f"CREATE TABLE {nom} AS SELECT * FROM ({sql}) LIMIT 0", valeurs)
    _inserer(con, nom, rangees, {})


def preparer(nom: str, donnees: Mapping[str, object] | None = None,
             params: Mapping[str, object] | None = None) -> tuple[duckdb.DuckDBPyConnection,
                                                                  set[str]]:
    """The in-memory database holding the given rows, and the upstream models stubbed."""
    donnees = donnees or {}
    params = params or {}
    modeles.modele(nom)  # KeyError for an unknown model
    amont = dependances(nom)
    con = connect_memory()
    base = _tables_de_base(con)
    bouchons: set[str] = set()
    for table, rangees in donnees.items():
        if table == nom:
            raise ValueError(f"{nom} est le modèle testé : on ne donne pas ses lignes")
        if table in amont:
            _bouchonner(con, table, _lignes(rangees), params)
            bouchons.add(table)
        elif table in base:
            _inserer(con, table, _lignes(rangees), DEFAUTS.get(table, {}))
        else:
            raise KeyError(f"{table} n'est ni une table de la base ni un modèle dont {nom} "
                           f"dépend ({', '.join(sorted(amont)) or 'aucun'})")
    return con, bouchons


def executer_modele(nom: str, donnees: Mapping[str, object] | None = None,
                    params: Mapping[str, object] | None = None) -> pd.DataFrame:
    """Run model ``nom`` over the given rows (see the module's docstring); its DataFrame."""
    con, bouchons = preparer(nom, donnees, params)
    try:
        return modeles.executer(con, nom, params or {}, presents=bouchons)
    finally:
        con.close()


# ------------------------------------------------------------------------------- comparison


def _est_nul(v) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    try:
        return bool(isinstance(v, float | np.floating) and math.isnan(v))
    except TypeError:
        return False


def normaliser(v):
    """A value as compared (see the module's docstring)."""
    if _est_nul(v):
        return None
    if isinstance(v, np.ndarray | list | tuple):
        return tuple(normaliser(x) for x in v)
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, pd.Timestamp):
        v = v.to_pydatetime()
    if isinstance(v, datetime):
        return v.date().isoformat() if v.time() == time(0) else v.isoformat()
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, bool):
        return v
    if isinstance(v, int | float | Decimal):
        arrondi = round(float(v), 9)
        if arrondi == 0:
            arrondi = 0.0  # -0.0
        return ("nombre", arrondi)
    return v


def _cle(rangee: Mapping[str, object], colonnes: Iterable[str]) -> tuple:
    return tuple(normaliser(rangee[c]) for c in colonnes)


def _lisible(colonnes: list[str], cles: Iterable[tuple], n: Counter) -> list[str]:
    def v(x):
        if isinstance(x, tuple) and len(x) == 2 and x[0] == "nombre":
            return int(x[1]) if x[1].is_integer() else x[1]
        return x
    return [f"{n[c]} × "
            + ", ".join(f"{col}={v(x)!r}" for col, x in zip(colonnes, c, strict=True))
            for c in sorted(cles, key=repr)]


def comparer(obtenu: pd.DataFrame, attendu: list[Mapping[str, object]]) -> None:
    """Assert that ``obtenu``, on the columns of ``attendu``, holds exactly ``attendu``."""
    if not attendu:
        assert obtenu.empty, f"aucune ligne attendue, {len(obtenu)} obtenues :\n{obtenu}"
        return
    colonnes = list(attendu[0])
    for rangee in attendu:
        assert list(rangee) == colonnes, (
            f"chaque ligne attendue nomme les mêmes colonnes : {list(rangee)} ≠ {colonnes}")
    absentes = [c for c in colonnes if c not in obtenu.columns]
    assert not absentes, (f"colonnes absentes du modèle : {absentes} "
                          f"(il donne : {', '.join(obtenu.columns)})")
    a = Counter(_cle(r, colonnes) for r in attendu)
    o = Counter(_cle(r, colonnes) for r in obtenu.to_dict("records"))
    manquantes, en_trop = a - o, o - a
    assert not manquantes and not en_trop, (
        "lignes attendues non obtenues :\n  " + "\n  ".join(_lisible(colonnes, manquantes,
                                                                      manquantes))
        + "\nlignes obtenues non attendues :\n  " + "\n  ".join(_lisible(colonnes, en_trop,
                                                                          en_trop)))


def verifier_modele(nom: str, donnees: Mapping[str, object] | None,
                    attendu: list[Mapping[str, object]],
                    params: Mapping[str, object] | None = None) -> pd.DataFrame:
    """Run model ``nom`` over ``donnees`` and assert its rows are ``attendu`` (any order).

    Returns the model's DataFrame, for a test that checks more (e.g. a sum per group)."""
    obtenu = executer_modele(nom, donnees, params)
    comparer(obtenu, attendu)
    return obtenu
