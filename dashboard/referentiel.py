"""The referential of réservataires (DOMAIN §3.6): one identity per réservataire.

Codes follow one scheme, which scripts rely on: ``ETAT-<dep>`` (préfet, contingent
préfectoral), ``ETAT-AG-<dep>`` (préfet, agents civils et militaires), ``CD-<dep>`` (conseil
départemental), ``COM-<insee>``, ``EPCI-<siren>``, ``ALS`` (Action Logement Services),
``REG-<code région>``; ``AUTRE`` identities get a code when they are created.

The identities of the reference territories exist from the start: `assurer_territoires` writes
the missing ones for every département, commune and EPCI of the store (after `init`, a DGCL
import, or the migration that created the referential). Conventions of type ``REGION`` or
``AUTRE`` create theirs at import (data_loaders.identites).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import duckdb

from dashboard.chemins import REFERENCE_DIR

DEPARTEMENTS_FILE = REFERENCE_DIR / "departements.csv"
REGIONS_FILE = REFERENCE_DIR / "regions.csv"

ALS = "ALS"
NOM_ALS = "Action Logement Services"
# How each identity was created.
ORIGINE_REFERENCE, ORIGINE_CONVENTION, ORIGINE_MANUELLE = "REFERENCE", "CONVENTION", "MANUELLE"
# Types whose territory is a département.
TYPES_DEPARTEMENTAUX = ("ETAT", "ETAT_AGENTS", "DEPARTEMENT")
PREFIXES = {"ETAT": "ETAT-", "ETAT_AGENTS": "ETAT-AG-", "DEPARTEMENT": "CD-", "COMMUNE": "COM-",
            "EPCI": "EPCI-", "REGION": "REG-"}


@dataclass(frozen=True)
class Territoire:
    code: str
    nom: str
    charniere: str          # « des », « de la », « de l' », « du », « d' »
    region: str | None = None

    @property
    def avec_charniere(self) -> str:
        """« des Bouches-du-Rhône », « de l'Ain », « du Var »."""
        if self.charniere.endswith("'"):
            return f"{self.charniere}{self.nom}"
        return f"{self.charniere} {self.nom}"


def _lire(fichier: Path, cle: str) -> dict[str, Territoire]:
    with open(fichier, encoding="utf-8", newline="") as f:
        return {r[cle]: Territoire(r[cle], r["nom"], r["charniere"], r.get("region"))
                for r in csv.DictReader(f, delimiter=";")}


@lru_cache(maxsize=1)
def departements() -> dict[str, Territoire]:
    """The départements of France (COG): code -> Territoire (with its région)."""
    return _lire(DEPARTEMENTS_FILE, "departement")


@lru_cache(maxsize=1)
def regions() -> dict[str, Territoire]:
    return _lire(REGIONS_FILE, "region")


def _de(departement: str) -> str:
    t = departements().get(departement)
    return t.avec_charniere if t else f"du département {departement}"


def code_identite(type_reservataire: str, territoire: str | None) -> str | None:
    """The referential code of the identity a type and a territory designate (None for AUTRE,
    or when the territory is missing)."""
    if type_reservataire == "ACTION_LOGEMENT":
        return ALS
    prefixe = PREFIXES.get(type_reservataire)
    if prefixe is None or not territoire:
        return None
    return prefixe + territoire


def nom_identite(type_reservataire: str, territoire: str) -> str:
    """The name of a territorial identity, as the sample and the referential write it."""
    if type_reservataire == "ETAT":
        return f"Préfet {_de(territoire)} — contingent préfectoral"
    if type_reservataire == "ETAT_AGENTS":
        return f"Préfet {_de(territoire)} — agents civils et militaires de l'État"
    if type_reservataire == "DEPARTEMENT":
        return f"Conseil départemental {_de(territoire)}"
    if type_reservataire == "REGION":
        r = regions().get(territoire)
        return f"Conseil régional {r.avec_charniere}" if r else f"Conseil régional {territoire}"
    if type_reservataire == "ACTION_LOGEMENT":
        return NOM_ALS
    raise ValueError(type_reservataire)


def region_du_departement(departement: str | None) -> str | None:
    t = departements().get(departement or "")
    return t.region if t else None


def assurer_territoires(con: duckdb.DuckDBPyConnection) -> int:
    """Write the missing identities of the reference territories; returns how many were added.

    Idempotent: an identity already in the referential (whatever its name) is left alone."""
    cur = con.cursor()
    try:
        deps = [r[0] for r in cur.execute(
            "SELECT DISTINCT departement FROM communes ORDER BY 1").fetchall()]
        lignes = [(ALS, NOM_ALS, "ACTION_LOGEMENT", None)]
        for dep in deps:
            for typ in TYPES_DEPARTEMENTAUX:
                lignes.append((code_identite(typ, dep), nom_identite(typ, dep), typ, dep))
        maintenant = datetime.now()
        avant = cur.execute("SELECT count(*) FROM reservataires").fetchone()[0]
        cur.execute("CREATE OR REPLACE TEMP TABLE _identites_nouvelles (reservataire_code VARCHAR, "
                    "nom VARCHAR, type_reservataire VARCHAR, territoire VARCHAR)")
        cur.executemany("INSERT INTO _identites_nouvelles VALUES (?, ?, ?, ?)", lignes)
        cur.execute("""
            INSERT INTO _identites_nouvelles
            SELECT 'COM-' || code_insee, 'Ville de ' || nom, 'COMMUNE', code_insee FROM communes
            UNION ALL
            SELECT 'EPCI-' || epci_siren, nom, 'EPCI', epci_siren FROM epci""")
        cur.execute("""
            INSERT INTO reservataires
            SELECT n.reservataire_code, any_value(n.nom), any_value(n.type_reservataire),
                   any_value(n.territoire), 'REFERENCE', NULL, ?
            FROM _identites_nouvelles n
            WHERE NOT EXISTS (SELECT 1 FROM reservataires r
                              WHERE r.reservataire_code = n.reservataire_code)
            GROUP BY n.reservataire_code""", [maintenant])
        cur.execute("DROP TABLE _identites_nouvelles")
        return cur.execute("SELECT count(*) FROM reservataires").fetchone()[0] - avant
    finally:
        cur.close()


def lister(con: duckdb.DuckDBPyConnection):
    """The referential (contract of `python -m dashboard reservataires`): reservataire_code,
    nom, type_reservataire, territoire — by type then code."""
    cur = con.cursor()
    try:
        return cur.execute(
            "SELECT reservataire_code, nom, type_reservataire, territoire FROM reservataires "
            "ORDER BY CASE type_reservataire WHEN 'ETAT' THEN 1 WHEN 'ETAT_AGENTS' THEN 2 "
            "WHEN 'ACTION_LOGEMENT' THEN 3 WHEN 'DEPARTEMENT' THEN 4 WHEN 'REGION' THEN 5 "
            "WHEN 'EPCI' THEN 6 WHEN 'COMMUNE' THEN 7 ELSE 8 END, reservataire_code").df()
    finally:
        cur.close()
