"""Bringing a database to life: schema, reference territories and, on request, the sample data.

The sample datasets of ``sample_data/`` (listed in ``sample_data/manifest.json``) go through the
same import pipeline as a user's files, so a newcomer's database is built exactly as a real one.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dashboard.chemins import SAMPLE_DIR
from dashboard.reference import load_reference
from dashboard.store import connect, db_path

MANIFEST = SAMPLE_DIR / "manifest.json"
UTILISATEUR_EXEMPLE = "exemple"


@dataclass(frozen=True)
class FichierExemple:
    type_donnees: str
    chemin: Path
    feuille: str | None = None


def fichiers_exemple(manifest: Path = MANIFEST) -> list[FichierExemple]:
    entrees = json.loads(manifest.read_text(encoding="utf-8"))
    return [FichierExemple(e["type"], manifest.parent / e["fichier"], e.get("feuille"))
            for e in entrees]


def charger_exemple(con: duckdb.DuckDBPyConnection, manifest: Path = MANIFEST) -> list:
    """Import every sample file (strictly: a sample file that does not pass is a bug)."""
    from data_loaders import REJETE, importer

    rapports = []
    for f in fichiers_exemple(manifest):
        rapport = importer(con, f.type_donnees, f.chemin, feuille=f.feuille,
                           utilisateur=UTILISATEUR_EXEMPLE)
        if rapport.statut == REJETE:
            details = "\n".join(str(e) for e in rapport.erreurs[:20])
            raise RuntimeError(f"Données d'exemple rejetées ({f.chemin.name}) : "
                               f"{rapport.message}\n{details}")
        rapports.append(rapport)
    return rapports


def ouvrir(path: str | os.PathLike | None = None) -> duckdb.DuckDBPyConnection:
    """Open the database (created and migrated if needed) with its reference territories."""
    con = connect(path)
    if con.execute("SELECT count(*) FROM communes").fetchone()[0] == 0:
        load_reference(con)
    return con


def initialiser(path: str | os.PathLike | None = None, exemple: bool = False):
    """`init`: schema up to date, reference loaded, and the sample datasets when asked."""
    con = connect(path)
    load_reference(con)
    rapports = charger_exemple(con) if exemple else []
    return con, rapports


def ouvrir_ou_creer_exemple(path: str | os.PathLike | None = None) -> duckdb.DuckDBPyConnection:
    """What the app does on start: a missing database is created and filled with the sample.

    It is built under a temporary name and renamed when complete, so that an interrupted first
    start never leaves a half-filled database behind.
    """
    fichier = db_path(path)
    if not fichier.exists():
        fichier.parent.mkdir(parents=True, exist_ok=True)
        provisoire = fichier.with_name(f".{fichier.name}.{os.getpid()}.creation")
        for reste in (provisoire, provisoire.with_name(provisoire.name + ".wal")):
            reste.unlink(missing_ok=True)
        con, _ = initialiser(provisoire, exemple=True)
        con.execute("CHECKPOINT")
        con.close()
        if not fichier.exists():   # another process may have won the race: keep its file
            os.replace(provisoire, fichier)
        else:
            provisoire.unlink(missing_ok=True)
    return ouvrir(fichier)
