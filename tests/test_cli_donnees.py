"""The data commands of the CLI, run as users run them: ``python -m dashboard …`` in a
subprocess (cwd = the project), always with a temporary ``--db``.

Each test is one scenario: a few commands in order on its own database, then checks of exit
status, output and database content. Scenarios are independent (pytest -n 2 can spread them);
commands that do not depend on each other run concurrently.
Exit status of ``import``: 0 imported or nothing to do, 1 rejected, 2 usage error, 3 refused
(rights), 4 database in use (tests/test_concurrence.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from conftest import COLONNES, MAD_COLONNES, ROOT, Fichiers, convention, mad, tableau

from dashboard.store import connect

CLES_JSON = ["statut", "import_id", "lignes_lues", "lignes_importees", "lignes_rejetees",
             "erreurs", "reservataires_non_resolus", "reservataires_resolus_automatiquement"]
SANS_RESERVATAIRES = {"reservataires_non_resolus": [], "reservataires_resolus_automatiquement": []}
CLES_ERREUR = ["ligne", "colonne", "valeur", "message"]


def _env() -> dict:
    env = dict(os.environ)
    env.pop("FLUX_DB", None)
    return env


def _commande(*args) -> list[str]:
    return [sys.executable, "-m", "dashboard", *map(str, args)]


@dataclass
class Resultat:
    rc: int
    out: str
    err: str

    def json(self) -> dict:
        lignes = [l for l in self.out.splitlines() if l.strip()]
        assert len(lignes) == 1, f"--json doit afficher un seul objet : {self.out!r}"
        return json.loads(lignes[0])


def _lancer(*args) -> subprocess.Popen:
    return subprocess.Popen(_commande(*args), cwd=ROOT, env=_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, encoding="utf-8")


def _attendre(p: subprocess.Popen) -> Resultat:
    out, err = p.communicate(timeout=180)
    return Resultat(p.returncode, out, err)


def _cli(*args) -> Resultat:
    return _attendre(_lancer(*args))


# ------------------------------------------------------------------------------ the files

ENTETES_VENDEUR = ["Code bailleur", "N° de référence", "Date MAD", "Code INSEE", "Catégorie",
                   "Contingent", "Issue", "Date du bail"]


@pytest.fixture
def f(tmp_path) -> Fichiers:
    return Fichiers(tmp_path)


def _mad_v1(f):
    return f.csv([ENTETES_VENDEUR,
                  ["OLS1", "R1", "15/03/2025", "13055", "Flux réservataire", "ETAT-13",
                   "Bail signé", "01/04/2025"],
                  ["OLS1", "R2", "16/03/2025", "04070", "Mutation", "", "En cours", ""]],
                 nom="mad_v1.csv", encodage="cp1252")


def _lignes_mad(db) -> list[tuple]:
    con = connect(db)
    try:
        return con.execute("SELECT bailleur_code, reference, date_mise_a_disposition, code_insee, "
                           "categorie, reservataire_code, issue, date_bail, import_id "
                           "FROM mises_a_disposition ORDER BY ALL").fetchall()
    finally:
        con.close()


V1 = [("OLS1", "R1", date(2025, 3, 15), "13055", "FLUX", "ETAT-13", "BAIL_SIGNE",
       date(2025, 4, 1), 1),
      ("OLS1", "R2", date(2025, 3, 16), "04070", "MUTATION", None, "EN_COURS", None, 1)]


# ------------------------------------------------------------------------------------- init

def test_init(tmp_path):
    db = tmp_path / "base.duckdb"
    r = _cli("init", "--db", db)
    assert r.rc == 0, r.err
    assert r.out.strip() == f"Base prête : {db} (946 communes, 52 EPCI)."
    con = connect(db)
    try:
        assert con.execute("SELECT count(*) FROM journal_imports").fetchone() == (0,)
    finally:
        con.close()


def test_init_avec_exemple(tmp_path):
    db = tmp_path / "exemple.duckdb"
    r = _cli("init", "--db", db, "--sample")
    assert r.rc == 0, r.err
    assert r.out.startswith(f"Base prête : {db} (")
    manifeste = json.loads((ROOT / "sample_data" / "manifest.json").read_text(encoding="utf-8"))
    noms = [Path(e["fichier"]).name for e in manifeste]
    for nom in noms:
        assert f"  {nom} : Import n° " in r.out
    con = connect(db)
    try:
        assert [n for (n,) in con.execute(
            "SELECT nom_fichier FROM journal_imports ORDER BY import_id").fetchall()] == noms
    finally:
        con.close()


# ----------------------------------------------------------------------------------- import

def test_import_json_reimport_rejet_et_partiel(tmp_path, f):
    db = tmp_path / "base.duckdb"
    mad_v1 = _mad_v1(f)
    mad_rejete = f.csv(tableau(MAD_COLONNES[:6], mad(reference="R8"),
                               mad(reference="R9", code_insee="13999")), nom="mad_rejete.csv")
    mad_partiel = f.csv(tableau(MAD_COLONNES[:6], mad(bailleur_code="OLS2", reference="P1"),
                                mad(bailleur_code="OLS2", reference="P2", categorie="Vente")),
                        nom="mad_partiel.csv")

    # Imported (into a database never initialised: the reference is loaded on the way).
    r = _cli("import", "mises_a_disposition", mad_v1, "--db", db, "--json")
    assert r.rc == 0, r.err
    objet = r.json()
    assert list(objet) == CLES_JSON
    assert objet == {"statut": "importe", "import_id": 1, "lignes_lues": 2,
                     "lignes_importees": 2, "lignes_rejetees": 0, "erreurs": []} | SANS_RESERVATAIRES
    assert all(type(objet[k]) is int for k in CLES_JSON[1:5])

    # The same file again: nothing to do, exit 0.
    r = _cli("import", "mises_a_disposition", mad_v1, "--db", db, "--json")
    assert r.rc == 0, r.err
    assert r.json() == {"statut": "inchange", "import_id": 1, "lignes_lues": 2,
                        "lignes_importees": 0, "lignes_rejetees": 0, "erreurs": []} | SANS_RESERVATAIRES

    # Rejected: exit 1, every error as an object.
    r = _cli("import", "mises_a_disposition", mad_rejete, "--db", db, "--json")
    assert r.rc == 1
    objet = r.json()
    assert list(objet) == CLES_JSON
    assert {k: objet[k] for k in CLES_JSON[:5]} == {
        "statut": "rejete", "import_id": None, "lignes_lues": 2, "lignes_importees": 0,
        "lignes_rejetees": 1}
    assert len(objet["erreurs"]) == 1
    e = objet["erreurs"][0]
    assert list(e) == CLES_ERREUR
    assert (e["ligne"], e["colonne"], e["valeur"]) == (3, "code_insee", "13999")
    assert type(e["ligne"]) is int and type(e["message"]) is str
    assert e["message"].startswith("commune inconnue du référentiel des communes")

    # --partial: the valid line is imported, the other quarantined.
    r = _cli("import", "mises_a_disposition", mad_partiel, "--db", db, "--partial", "--json")
    assert r.rc == 0, r.err
    objet = r.json()
    assert {k: objet[k] for k in CLES_JSON[:5]} == {
        "statut": "importe", "import_id": 2, "lignes_lues": 2, "lignes_importees": 1,
        "lignes_rejetees": 1}
    assert [(e["ligne"], e["colonne"], e["valeur"]) for e in objet["erreurs"]] == [
        (3, "categorie", "Vente")]

    assert _lignes_mad(db) == V1 + [
        ("OLS2", "P1", date(2025, 3, 15), "13055", "FLUX", "ETAT-13", "EN_COURS", None, 2)]
    con = connect(db)
    try:
        assert con.execute("SELECT import_id, ligne, contenu FROM quarantaine").fetchall() == [
            (2, 3, "OLS2;P2;15/03/2025;13055;Vente;ETAT-13")]
        assert con.execute("SELECT count(*), count(DISTINCT code_insee) FROM communes"
                           ).fetchone() == (946, 946)
    finally:
        con.close()


def test_import_mapping_feuille_nommee_et_premiere_feuille(tmp_path, f):
    db = tmp_path / "base.duckdb"
    mad_mapping = f.csv([["Société", "Événement", "Jour", "Lieu", "Sorte", "Pour qui"],
                         ["OLS3", "E1", "2025-02-01", "4070", "Mutation interne", ""]],
                        nom="mad_mapping.csv")
    mapping = f.json({"bailleur_code": "Société", "reference": "Événement",
                      "date_mise_a_disposition": "Jour", "code_insee": "Lieu",
                      "categorie": "Sorte", "reservataire_code": "Pour qui"}, nom="map.json")
    parc_xlsx = f.xlsx({"Notes": [["Export du 30/09/2025"], ["rien à importer"]],
                        "Parc": [["Code bailleur", "Code INSEE", "Année", "Parc total",
                                  "Taux de rotation"],
                                 ["OLS1", 4070, 2025, 1200, 0.08]]},
                       formats={("Parc", "E2"): "0%"}, nom="parc.xlsx")

    r = _cli("import", "mises_a_disposition", mad_mapping, "--db", db, "--mapping", mapping,
             "--json")
    assert r.rc == 0, r.err
    assert r.json() == {"statut": "importe", "import_id": 1, "lignes_lues": 1,
                        "lignes_importees": 1, "lignes_rejetees": 0, "erreurs": []} | SANS_RESERVATAIRES

    r = _cli("import", "parc", parc_xlsx, "--db", db, "--sheet", "Parc", "--json")
    assert r.rc == 0, r.err
    assert r.json() == {"statut": "importe", "import_id": 2, "lignes_lues": 1,
                        "lignes_importees": 1, "lignes_rejetees": 0, "erreurs": []} | SANS_RESERVATAIRES

    # Without --sheet the first sheet (« Notes », a notice without the dataset's columns) is
    # passed over and said so; the « Parc » sheet is the same file as import 2: nothing to do.
    r = _cli("import", "parc", parc_xlsx, "--db", db)
    assert r.rc == 0
    assert r.out.splitlines() == [
        "parc.xlsx : format Excel ; feuille « Parc » (« Notes » ignorée : sans les colonnes "
        "attendues) ; lignes lues 1",
        "Ce fichier a déjà été importé (import n° 2) pour le même périmètre : rien n'a changé."]

    assert _lignes_mad(db) == [
        ("OLS3", "E1", date(2025, 2, 1), "04070", "MUTATION", None, "EN_COURS", None, 1)]
    con = connect(db)
    try:
        assert con.execute("SELECT bailleur_code, code_insee, annee, parc_total, taux_rotation, "
                           "import_id FROM parc").fetchall() == [
            ("OLS1", "04070", 2025, 1200, 8.0, 2)]
    finally:
        con.close()


# ------------------------------------------------------------------------- imports, rollback

def test_remplacement_journal_et_rollback(tmp_path, f):
    db = tmp_path / "base.duckdb"
    mad_v1 = _mad_v1(f)
    mad_v2 = f.csv([ENTETES_VENDEUR,
                    ["OLS1", "R1", "15/03/2025", "06088", "Flux", "ETAT-06", "", ""]],
                   nom="mad_v2.csv")
    assert _cli("import", "mises_a_disposition", mad_v1, "--db", db, "--json").json()[
        "import_id"] == 1
    r = _cli("import", "mises_a_disposition", mad_v2, "--db", db, "--json")
    assert r.rc == 0, r.err
    assert r.json()["import_id"] == 2

    r = _cli("imports", "--db", db)
    assert r.rc == 0, r.err
    lignes = r.out.splitlines()
    assert lignes[0].split()[:4] == ["N°", "Type", "Périmètre", "Fichier"]
    corps = lignes[1:]
    assert [l.split()[0] for l in corps] == ["2", "1"]
    assert "mad_v2.csv" in corps[0] and "ACTIVE (En vigueur)" in corps[0]
    assert "OLS1 (2025)" in corps[0]
    assert "mad_v1.csv" in corps[1] and "REPLACED (Remplacé)" in corps[1]

    # A replaced import cannot be rolled back: exit 1, French message, nothing changed.
    r = _cli("rollback", "1", "--db", db)
    assert r.rc == 1
    assert r.out == ""
    assert r.err.strip() == ("Annulation impossible : L'import n° 1 n'est pas en vigueur "
                             "(statut : REPLACED) : seul un import en vigueur peut être "
                             "annulé.")
    assert _lignes_mad(db) == [
        ("OLS1", "R1", date(2025, 3, 15), "06088", "FLUX", "ETAT-06", "EN_COURS", None, 2)]
    r = _cli("rollback", "999", "--db", db)
    assert r.rc == 1
    assert r.err.strip() == "Annulation impossible : Aucun import n° 999 dans le journal."

    r = _cli("rollback", "2", "--db", db)
    assert r.rc == 0, r.err
    assert r.out.strip() == "Import n° 2 annulé. Import(s) n° 1 de nouveau en vigueur."
    # Version 1 is back, exactly.
    assert _lignes_mad(db) == V1
    con = connect(db)
    try:
        assert con.execute("SELECT import_id, type_donnees, nom_fichier, statut FROM "
                           "journal_imports ORDER BY 1").fetchall() == [
            (1, "mises_a_disposition", "mad_v1.csv", "ACTIVE"),
            (2, "mises_a_disposition", "mad_v2.csv", "ROLLED_BACK")]
    finally:
        con.close()


# ---------------------------------------------------------------------------- usage errors

def test_erreurs_d_utilisation_sortie_2(tmp_path, f):
    # Usage errors are detected before the database is opened: it is never created.
    db = tmp_path / "jamais.duckdb"
    mad_v1 = _mad_v1(f)
    cas = {
        "type inconnu": (("import", "logements", mad_v1, "--db", db),
                         "erreur d'utilisation"),
        "fichier absent": (("import", "mises_a_disposition", tmp_path / "absent.csv",
                            "--db", db), "fichier introuvable"),
        "mapping absent": (("import", "mises_a_disposition", mad_v1, "--mapping",
                            tmp_path / "absent.json", "--db", db),
                           "fichier de correspondance introuvable"),
        "sans fichier": (("import", "mises_a_disposition", "--db", db), "erreur d'utilisation"),
    }
    lances = {nom: _lancer(*args) for nom, (args, _) in cas.items()}
    for nom, p in lances.items():
        r = _attendre(p)
        assert r.rc == 2, (nom, r.out, r.err)
        assert cas[nom][1] in r.err.lower(), (nom, r.err)
        assert r.out == "", nom
    assert not db.exists()


# ------------------------------------------------------------------ acting for a user (--as)

ROLES = """\
[adresses."admin@dreal.example"]
role = "admin"

[domaines."habitat-sud.example"]
role = "bailleur"
bailleurs = ["OLS1"]
"""


def _cli_env(*args, **env) -> Resultat:
    """The command with these environment variables (FLUX_ROLES unset unless given)."""
    environnement = _env()
    environnement.pop("FLUX_ROLES", None)
    environnement.update({k: str(v) for k, v in env.items()})
    p = subprocess.run(_commande(*args), cwd=ROOT, env=environnement, capture_output=True,
                       text=True, encoding="utf-8", timeout=180)
    return Resultat(p.returncode, p.stdout, p.stderr)


def _journal(db) -> list[tuple]:
    con = connect(db)
    try:
        return con.execute("SELECT import_id, statut, utilisateur FROM journal_imports "
                           "ORDER BY 1").fetchall()
    finally:
        con.close()


def test_import_et_rollback_pour_un_utilisateur(tmp_path, f):
    db = tmp_path / "base.duckdb"
    roles = tmp_path / "roles.toml"
    roles.write_text(ROLES, encoding="utf-8")
    melange = f.csv(tableau(MAD_COLONNES[:6], mad(reference="R1"),
                            mad(bailleur_code="OLS2", reference="R2")), nom="melange.csv")
    moi = ("--as", "Agent@Habitat-Sud.example", "--roles", roles)

    # Strict: OLS2's line is outside the bailleur's rights, the file is rejected (exit 1).
    r = _cli_env("import", "mises_a_disposition", melange, "--db", db, *moi)
    assert r.rc == 1, r.err
    assert ("Fichier rejeté : 1 ligne(s) en erreur sur 2. Rien n'a été importé. Lignes hors de "
            "vos droits : bailleur(s) OLS2 (vous importez seulement pour le(s) bailleur(s) "
            "OLS1).") in r.out
    assert ("  - ligne 3, colonne bailleur_code : bailleur OLS2 hors de vos droits : vous "
            "importez seulement pour le(s) bailleur(s) OLS1 (valeur « OLS2 »)") in r.out
    # Partial: its own line lands, and the journal says who imported it.
    r = _cli_env("import", "mises_a_disposition", melange, "--db", db, "--partial", "--json",
                 *moi)
    assert r.rc == 0, r.err
    assert {k: r.json()[k] for k in CLES_JSON[:5]} == {
        "statut": "importe", "import_id": 1, "lignes_lues": 2, "lignes_importees": 1,
        "lignes_rejetees": 1}
    assert _journal(db) == [(1, "ACTIVE", "agent@habitat-sud.example")]

    # A kind the role may not import: refused before anything is read (exit 3).
    conv = f.csv(tableau(COLONNES["conventions"], convention()), nom="conventions.csv")
    r = _cli_env("import", "conventions", conv, "--db", db, *moi)
    assert (r.rc, r.out) == (3, "")
    assert r.err.strip() == (
        "Refusé : agent@habitat-sud.example (bailleur (OLS1)) ne peut pas importer de "
        "« conventions de gestion en flux » : ce rôle permet d'importer : « parc et assiette », "
        "« mises à disposition ».")

    # Only an admin rolls back (exit 3 otherwise; the roles file may come from FLUX_ROLES).
    r = _cli_env("rollback", "1", "--db", db, "--as", "agent@habitat-sud.example",
                 FLUX_ROLES=roles)
    assert (r.rc, r.out) == (3, "")
    assert r.err.strip() == ("Refusé : agent@habitat-sud.example (bailleur (OLS1)) ne peut pas "
                             "annuler un import : seul un administrateur le peut.")
    assert _journal(db) == [(1, "ACTIVE", "agent@habitat-sud.example")]
    r = _cli_env("rollback", "1", "--db", db, "--as", "admin@dreal.example", "--roles", roles)
    assert r.rc == 0, r.err
    assert r.out.strip() == "Import n° 1 annulé."
    assert _journal(db) == [(1, "ROLLED_BACK", "agent@habitat-sud.example")]
    # The journal says who rolled it back, and the command `imports` shows it.
    con = connect(db)
    try:
        assert con.execute("SELECT import_id, utilisateur FROM journal_annulations"
                           ).fetchall() == [(1, "admin@dreal.example")]
    finally:
        con.close()
    r = _cli_env("imports", "--db", db)
    assert "Annulé par" in r.out and "admin@dreal.example" in r.out

    # An address no rule names (and no [defaut]): refused.
    r = _cli_env("import", "mises_a_disposition", melange, "--db", db, "--as",
                 "inconnu@ailleurs.example", "--roles", roles)
    assert r.rc == 3
    assert r.err.strip() == ("Refusé : L'adresse inconnu@ailleurs.example n'a aucun rôle dans "
                             "le fichier des rôles : demandez l'accès à l'administrateur de "
                             "l'application.")


def test_erreurs_d_utilisation_des_roles(tmp_path, f):
    db = tmp_path / "jamais.duckdb"
    mad_v1 = _mad_v1(f)
    casse = tmp_path / "roles_casse.toml"
    casse.write_text('[adresses."admin@dreal.example"]\nrole = "administrateur"\n',
                     encoding="utf-8")
    r = _cli_env("import", "mises_a_disposition", mad_v1, "--db", db, "--as",
                 "admin@dreal.example", "--roles", casse)
    assert (r.rc, r.out) == (2, "")
    assert r.err.splitlines() == [
        "Erreur d'utilisation : fichier des rôles invalide.",
        'roles_casse.toml, ligne 2, [adresses."admin@dreal.example"] role : rôle '
        "« administrateur » inconnu ; attendu : admin, lecteur, bailleur, etat."]
    r = _cli_env("rollback", "1", "--db", db, "--as", "admin@dreal.example")
    assert (r.rc, r.err.strip()) == (2, "Erreur d'utilisation : --as demande un fichier des "
                                        "rôles (--roles FICHIER ou variable FLUX_ROLES).")
    r = _cli_env("import", "mises_a_disposition", mad_v1, "--db", db, "--roles", casse)
    assert (r.rc, r.err.strip()) == (2, "Erreur d'utilisation : --roles va avec --as EMAIL.")
    assert not db.exists()
