"""Profiles of headers: how a bailleur's files were matched by hand, applied to its next files.

When a person matches the columns of a file by hand on the import page, the matching is saved
under the file's **signature** (its headers, folded, in order) and the dataset. The next file of
that dataset with the same headers is matched alike without being asked again (an explicit
mapping, `--mapping` or the page's own choices, still wins).
"""

from __future__ import annotations

import json
from datetime import datetime

import duckdb

from dashboard.store import verrou_ecriture
from data_loaders.specs import cle


def signature(entetes: list[str]) -> str:
    """The headers folded and joined: « Date MAD » and « date_mad » are the same header."""
    return "|".join(cle(h) for h in entetes)


def profil(con: duckdb.DuckDBPyConnection, type_donnees: str,
           entetes: list[str]) -> dict[str, str] | None:
    """The mapping saved for files of this dataset with these headers, or None."""
    cur = con.cursor()
    try:
        ligne = cur.execute(
            "SELECT mapping FROM profils_entetes WHERE type_donnees = ? AND signature = ? "
            "ORDER BY horodatage DESC LIMIT 1", [type_donnees, signature(entetes)]).fetchone()
    finally:
        cur.close()
    return json.loads(ligne[0]) if ligne else None


def enregistrer(con: duckdb.DuckDBPyConnection, type_donnees: str, entetes: list[str],
                mapping: dict[str, str], bailleur_code: str | None, utilisateur: str) -> None:
    """Save (or replace) the profile of these headers for this dataset (under the database's
    write lock, like every write)."""
    with verrou_ecriture(con):
        _enregistrer(con, type_donnees, entetes, mapping, bailleur_code, utilisateur)


def _enregistrer(con, type_donnees, entetes, mapping, bailleur_code, utilisateur) -> None:
    cur = con.cursor()
    try:
        cur.execute("BEGIN TRANSACTION")
        cur.execute("DELETE FROM profils_entetes WHERE type_donnees = ? AND signature = ?",
                    [type_donnees, signature(entetes)])
        cur.execute("INSERT INTO profils_entetes VALUES (?, ?, ?, ?, ?, ?)",
                    [type_donnees, signature(entetes), bailleur_code,
                     json.dumps(mapping, ensure_ascii=False), utilisateur, datetime.now()])
        cur.execute("COMMIT")
    except Exception:
        cur.execute("ROLLBACK")
        raise
    finally:
        cur.close()


def lister(con: duckdb.DuckDBPyConnection):
    """Every profile: dataset, bailleur, headers' signature, mapping, who and when."""
    cur = con.cursor()
    try:
        return cur.execute("SELECT type_donnees, bailleur_code, signature, mapping, utilisateur, "
                           "horodatage FROM profils_entetes ORDER BY horodatage DESC").df()
    finally:
        cur.close()
