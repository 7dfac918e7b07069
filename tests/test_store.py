"""The store: where the database lives, versioned migrations, first start with the sample."""

import shutil

import duckdb
import pytest

from dashboard import store
from dashboard.initialisation import ouvrir_ou_creer_exemple
from dashboard.reference import load_reference


def test_chemin_par_defaut_puis_variable_d_environnement(monkeypatch, tmp_path):
    monkeypatch.delenv("FLUX_DB", raising=False)
    assert store.db_path() == store.PROJECT_ROOT / "data" / "flux.duckdb"
    monkeypatch.setenv("FLUX_DB", str(tmp_path / "autre.duckdb"))
    assert store.db_path() == tmp_path / "autre.duckdb"
    assert store.db_path(tmp_path / "x.duckdb") == tmp_path / "x.duckdb"


def test_base_creee_au_premier_usage_avec_le_schema(tmp_path):
    fichier = tmp_path / "sous" / "dossier" / "flux.duckdb"
    con = store.connect(fichier)
    assert fichier.exists()
    tables = {r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables").fetchall()}
    for attendue in ("conventions", "parc", "mises_a_disposition", "documents_epci", "communes",
                     "epci", "journal_imports", "quarantaine", "remplacements",
                     "archive_mises_a_disposition", "journal_annulations", "schema_version",
                     "reservataires", "correspondances", "journal_correspondances",
                     "profils_entetes"):
        assert attendue in tables
    assert store.schema_version(con) == 3


def test_migration_d_une_base_existante_garde_ses_donnees(tmp_path):
    # A database at version 3 with data, then a new migration 004: data kept, schema upgraded.
    dossier = tmp_path / "migrations"
    shutil.copytree(store.MIGRATIONS_DIR, dossier)
    fichier = tmp_path / "flux.duckdb"
    con = store.connect(fichier)
    con.execute("INSERT INTO journal_imports VALUES (1, 'parc', 'OLS01 (2025)', 'parc.csv', 'abc',"
                " 3, 3, 0, 'ACTIVE', 'test', now(), 'parc|OLS01:2025')")
    con.close()
    (dossier / "004_ajout_commentaire.sql").write_text(
        "ALTER TABLE journal_imports ADD COLUMN commentaire VARCHAR;", encoding="utf-8")

    con = duckdb.connect(str(fichier))
    appliquees = store.migrate(con, dossier)
    assert appliquees == [4]
    assert store.schema_version(con) == 4
    assert con.execute("SELECT import_id, nom_fichier, commentaire FROM journal_imports"
                       ).fetchall() == [(1, "parc.csv", None)]
    # Opening again applies nothing more.
    assert store.migrate(con, dossier) == []


def test_une_migration_en_echec_ne_laisse_rien_a_moitie(tmp_path):
    dossier = tmp_path / "migrations"
    shutil.copytree(store.MIGRATIONS_DIR, dossier)
    fichier = tmp_path / "flux.duckdb"
    store.connect(fichier).close()
    (dossier / "004_casse.sql").write_text(
        "CREATE TABLE nouvelle (x INTEGER); SELECT * FROM table_inexistante;", encoding="utf-8")
    con = duckdb.connect(str(fichier))
    with pytest.raises(duckdb.Error):
        store.migrate(con, dossier)
    assert store.schema_version(con) == 3
    assert con.execute("SELECT count(*) FROM information_schema.tables "
                       "WHERE table_name = 'nouvelle'").fetchone()[0] == 0


def test_referentiel_paca_charge_une_seule_fois(tmp_path):
    con = store.connect(tmp_path / "flux.duckdb")
    assert load_reference(con) == (946, 52)
    assert load_reference(con) == (0, 0)
    # Leading zeros kept: Digne-les-Bains is 04070, in the CA Provence-Alpes-Agglomération.
    assert con.execute("SELECT nom, departement FROM communes WHERE code_insee = '04070'"
                       ).fetchone() == ("Digne-les-Bains", "04")
    assert con.execute("SELECT count(*) FROM communes WHERE departement = '13'").fetchone()[0] == 119


def test_premier_demarrage_cree_la_base_d_exemple(tmp_path):
    fichier = tmp_path / "data" / "flux.duckdb"
    con = ouvrir_ou_creer_exemple(fichier)
    assert fichier.exists()
    assert not list(fichier.parent.glob(".*creation*"))   # built aside, then renamed
    statuts = con.execute("SELECT DISTINCT statut, utilisateur FROM journal_imports").fetchall()
    assert statuts == [("ACTIVE", "exemple")]
    assert con.execute("SELECT count(*) FROM mises_a_disposition").fetchone()[0] > 50_000
    assert con.execute("SELECT count(DISTINCT annee) FROM conventions").fetchone()[0] == 3
    con.close()
    # Second start: the existing file is opened as it is, nothing re-imported.
    con = ouvrir_ou_creer_exemple(fichier)
    assert con.execute("SELECT count(*) FROM journal_imports").fetchone()[0] == 16


def test_base_tenue_par_un_autre_processus_message_en_francais(tmp_path):
    import subprocess
    import sys

    fichier = tmp_path / "flux.duckdb"
    store.connect(fichier).close()
    tenant = subprocess.Popen(
        [sys.executable, "-c", "import sys, duckdb; c = duckdb.connect(sys.argv[1]); "
                               "print('ouverte', flush=True); sys.stdin.read()", str(fichier)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert tenant.stdout.readline().strip() == "ouverte"
        with pytest.raises(store.BaseOccupee) as exc:
            store.connect(fichier)
    finally:
        tenant.stdin.close()
        tenant.wait(timeout=30)
    assert str(exc.value).startswith(
        f"La base {fichier} est utilisée par un autre programme (processus n° {tenant.pid}), "
        "sans doute l'application ou un autre import")
    store.connect(fichier).close()      # free again once the other process is gone


def test_chemin_base_fichier_resolu_ou_rien_en_memoire(tmp_path, monkeypatch):
    (tmp_path / "donnees").mkdir()
    (tmp_path / "lien").symlink_to(tmp_path / "donnees")
    monkeypatch.chdir(tmp_path)
    con = duckdb.connect("lien/flux.duckdb")           # relative, through a symbolic link
    try:
        attendu = str((tmp_path / "donnees" / "flux.duckdb").resolve())
        assert store.chemin_base(con) == attendu
        assert store.chemin_base(con.cursor()) == attendu
    finally:
        con.close()
    memoire = duckdb.connect(":memory:")
    try:
        assert store.chemin_base(memoire) is None
    finally:
        memoire.close()


def test_deux_bases_en_memoire_ne_partagent_pas_le_verrou_d_ecriture():
    a, b = duckdb.connect(":memory:"), duckdb.connect(":memory:")
    try:
        with store.verrou_ecriture(a):
            pass
        with store.verrou_ecriture(b):
            # Only b's lock is held: an import into a would not wait for this one.
            assert store._VERROUS[f"memoire:{id(b)}"].locked()
            assert not store._VERROUS[f"memoire:{id(a)}"].locked()
    finally:
        a.close()
        b.close()
