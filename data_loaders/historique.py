"""The import journal and the rollback of an import.

- `journal`: every import, most recent first, with who rolled it back and when.
- `quarantaine`: the lines a partial import left out, with their reasons.
- `annuler` (rollback): an import in force is removed and the rows it had replaced come back
  from the archive, in one transaction; only an admin may (rights in dashboard.habilitations).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import duckdb

from dashboard.habilitations import Habilitation, utilisateur_local
from dashboard.store import verrou_ecriture
from data_loaders.cibles import CIBLES, mettre_a_jour_statuts

if TYPE_CHECKING:      # pandas only when a frame is asked for
    import pandas as pd


class AnnulationImpossible(Exception):
    """Rollback refused; the message says why, in French."""


def annuler(con: duckdb.DuckDBPyConnection, import_id: int,
            habilitation: Habilitation | None = None, utilisateur: str | None = None) -> str:
    """Roll back an import in force: remove its rows and restore those it had replaced.

    Only an admin may (DroitsInsuffisants otherwise); None: every right (local mode). The
    journal records who rolled it back: the user of ``habilitation`` (``utilisateur`` may not
    name somebody else), else ``utilisateur``, else the OS user."""
    if habilitation is not None:
        utilisateur = habilitation.nom_au_journal(utilisateur)
        habilitation.verifier_annulation()
    with verrou_ecriture(con):
        return _annuler(con, import_id, utilisateur or utilisateur_local())


def _annuler(con: duckdb.DuckDBPyConnection, import_id: int, utilisateur: str) -> str:
    cur = con.cursor()
    try:
        ligne = cur.execute("SELECT type_donnees, statut FROM journal_imports WHERE import_id = ?",
                            [import_id]).fetchone()
        if ligne is None:
            raise AnnulationImpossible(f"Aucun import n° {import_id} dans le journal.")
        type_donnees, statut = ligne
        if statut != "ACTIVE":
            raise AnnulationImpossible(
                f"L'import n° {import_id} n'est pas en vigueur (statut : {statut}) : seul un "
                "import en vigueur peut être annulé.")
        cibles = CIBLES[type_donnees]
        for cible in cibles:
            plus_recent = cur.execute(
                f"SELECT min(remplace_par) FROM archive_{cible.table} WHERE import_id = ?",
                [import_id]).fetchone()[0]
            if plus_recent is not None:
                raise AnnulationImpossible(
                    f"Une partie de l'import n° {import_id} a été remplacée par l'import n° "
                    f"{plus_recent} : annulez d'abord l'import n° {plus_recent}.")
        cur.execute("BEGIN TRANSACTION")
        try:
            for cible in cibles:
                cols = ", ".join([*cible.colonnes, "import_id"])
                cur.execute(f"DELETE FROM {cible.table} WHERE import_id = ?", [import_id])
                cur.execute(f"INSERT INTO {cible.table} ({cols}) SELECT {cols} "
                            f"FROM archive_{cible.table} WHERE remplace_par = ?", [import_id])
                cur.execute(f"DELETE FROM archive_{cible.table} WHERE remplace_par = ?",
                            [import_id])
            restaures = [r[0] for r in cur.execute(
                "SELECT DISTINCT import_remplace_id FROM remplacements WHERE import_id = ? "
                "ORDER BY 1", [import_id]).fetchall()]
            cur.execute("UPDATE journal_imports SET statut = 'ROLLED_BACK' WHERE import_id = ?",
                        [import_id])
            cur.execute("INSERT INTO journal_annulations VALUES (?, ?, ?)",
                        [import_id, utilisateur, datetime.now()])
            mettre_a_jour_statuts(cur, type_donnees, restaures)
            cur.execute("COMMIT")
        except Exception:
            cur.execute("ROLLBACK")
            raise
    finally:
        cur.close()
    message = f"Import n° {import_id} annulé."
    if restaures:
        message += f" Import(s) n° {', '.join(map(str, restaures))} de nouveau en vigueur."
    return message


def journal(con: duckdb.DuckDBPyConnection) -> "pd.DataFrame":
    """The import journal, most recent first."""
    cur = con.cursor()
    try:
        return cur.execute(
            "SELECT j.import_id, type_donnees, perimetre, nom_fichier, sha256, lignes_lues, "
            "lignes_importees, lignes_rejetees, statut, j.utilisateur, j.horodatage, "
            "a.utilisateur AS annule_par, a.horodatage AS annule_le "
            "FROM journal_imports j LEFT JOIN journal_annulations a USING (import_id) "
            "ORDER BY j.import_id DESC").df()
    finally:
        cur.close()


def quarantaine(con: duckdb.DuckDBPyConnection, import_id: int | None = None) -> "pd.DataFrame":
    cur = con.cursor()
    try:
        where = "WHERE import_id = ?" if import_id is not None else ""
        return cur.execute(f"SELECT import_id, ligne, contenu, motifs FROM quarantaine {where} "
                           "ORDER BY import_id, ligne",
                           [import_id] if import_id is not None else []).df()
    finally:
        cur.close()
