"""Two imports at the same time, as two browser sessions do: the app has ONE DuckDB connection
per process (dashboard.ui.connexion) and each import takes a cursor of it, on its own thread.
Both land (one after the other, dashboard.store.verrou_ecriture) or one is refused cleanly; no
row is lost or doubled, and the journal matches the rows.

Two processes: DuckDB lets one process write a database file; a second one is told, in French,
that the database is in use (exit status 4), and nothing is written.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import date

from conftest import COLONNES, ROOT, importer, instantane, mad, tableau

from data_loaders import annuler


def _en_parallele(*fonctions):
    """Run the functions on threads released together; their results (or exceptions)."""
    depart = threading.Barrier(len(fonctions))
    resultats: list = [None] * len(fonctions)

    def lancer(i, f):
        depart.wait()
        try:
            resultats[i] = f()
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            resultats[i] = exc

    fils = [threading.Thread(target=lancer, args=(i, f)) for i, f in enumerate(fonctions)]
    for t in fils:
        t.start()
    for t in fils:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in fils), "un import ne s'est pas terminé"
    for r in resultats:
        if isinstance(r, BaseException):
            raise r
    return resultats


def _fichier_mad(fichiers, bailleur: str, n: int, debut: int = 1, code_insee="13055"):
    """n MAD of one bailleur in 2025, references R<debut>… (one per row)."""
    rangees = [mad(bailleur_code=bailleur, reference=f"R{i}", code_insee=code_insee,
                   date_mise_a_disposition=f"{1 + i % 28:02d}/{1 + i % 12:02d}/2025")
               for i in range(debut, debut + n)]
    return fichiers.csv(tableau(COLONNES["mises_a_disposition"], *rangees),
                        nom=f"mad_{bailleur}_{debut}_{n}.csv")


def _journal(con):
    return con.execute("SELECT import_id, perimetre, lignes_importees, statut "
                       "FROM journal_imports ORDER BY 1").fetchall()


def _par_import(con):
    return con.execute("SELECT import_id, bailleur_code, count(*), count(DISTINCT reference) "
                       "FROM mises_a_disposition GROUP BY ALL ORDER BY ALL").fetchall()


def test_deux_bailleurs_en_meme_temps_tout_arrive(base, fichiers):
    a = _fichier_mad(fichiers, "OLS1", 3000)
    b = _fichier_mad(fichiers, "OLS2", 2000)
    ra, rb = _en_parallele(lambda: importer(base, "mises_a_disposition", a),
                           lambda: importer(base, "mises_a_disposition", b))
    assert (ra.statut, rb.statut) == ("importe", "importe")
    assert sorted([ra.import_id, rb.import_id]) == [1, 2]
    assert sorted(_par_import(base)) == sorted([
        (ra.import_id, "OLS1", 3000, 3000), (rb.import_id, "OLS2", 2000, 2000)])
    assert sorted(_journal(base)) == sorted([
        (ra.import_id, "OLS1 (2025)", 3000, "ACTIVE"),
        (rb.import_id, "OLS2 (2025)", 2000, "ACTIVE")])


def test_deux_versions_du_meme_perimetre_l_une_remplace_l_autre(base, fichiers):
    # Same bailleur × year: whichever lands second replaces the first, entirely.
    v1 = _fichier_mad(fichiers, "OLS1", 3000)                   # R1…R3000
    v2 = _fichier_mad(fichiers, "OLS1", 2500, debut=5001)       # R5001…R7500
    r1, r2 = _en_parallele(lambda: importer(base, "mises_a_disposition", v1),
                           lambda: importer(base, "mises_a_disposition", v2))
    assert (r1.statut, r2.statut) == ("importe", "importe")
    premier, second = sorted([r1, r2], key=lambda r: r.import_id)
    assert (premier.import_id, second.import_id, second.remplaces) == (1, 2, [1])
    # Only the second version is live; the first one is whole in the archive.
    assert _par_import(base) == [(2, "OLS1", second.lignes_importees, second.lignes_importees)]
    assert base.execute("SELECT import_id, remplace_par, count(*) FROM "
                        "archive_mises_a_disposition GROUP BY ALL").fetchall() == [
        (1, 2, premier.lignes_importees)]
    assert _journal(base) == [(1, "OLS1 (2025)", premier.lignes_importees, "REPLACED"),
                              (2, "OLS1 (2025)", second.lignes_importees, "ACTIVE")]


def test_le_meme_fichier_deux_fois_en_meme_temps_n_est_pas_double(base, fichiers):
    f = _fichier_mad(fichiers, "OLS1", 3000)
    r1, r2 = _en_parallele(lambda: importer(base, "mises_a_disposition", f),
                           lambda: importer(base, "mises_a_disposition", f))
    assert sorted([r1.statut, r2.statut]) == ["importe", "inchange"]
    assert _par_import(base) == [(1, "OLS1", 3000, 3000)]
    assert _journal(base) == [(1, "OLS1 (2025)", 3000, "ACTIVE")]
    inchange = r1 if r1.statut == "inchange" else r2
    assert inchange.message == ("Ce fichier a déjà été importé (import n° 1) pour le même "
                                "périmètre : rien n'a changé.")


def test_annulation_pendant_un_import(base, fichiers):
    ancien = _fichier_mad(fichiers, "OLS1", 1000)
    assert importer(base, "mises_a_disposition", ancien).import_id == 1
    autre = _fichier_mad(fichiers, "OLS2", 3000)
    message, rapport = _en_parallele(lambda: annuler(base, 1),
                                     lambda: importer(base, "mises_a_disposition", autre))
    assert message == "Import n° 1 annulé."
    assert (rapport.statut, rapport.import_id) == ("importe", 2)
    assert _par_import(base) == [(2, "OLS2", 3000, 3000)]
    assert _journal(base) == [(1, "OLS1 (2025)", 1000, "ROLLED_BACK"),
                              (2, "OLS2 (2025)", 3000, "ACTIVE")]


def test_un_lecteur_pendant_un_import_voit_avant_ou_apres_jamais_entre_les_deux(base, fichiers):
    ancien = _fichier_mad(fichiers, "OLS1", 2000)
    importer(base, "mises_a_disposition", ancien)
    nouveau = _fichier_mad(fichiers, "OLS1", 4000, debut=10001)
    vus = set()
    fini = threading.Event()

    def lire():
        cur = base.cursor()
        try:
            while not fini.is_set():
                vus.add(cur.execute("SELECT count(*), min(import_id), max(import_id) "
                                    "FROM mises_a_disposition").fetchone())
        finally:
            cur.close()

    def ecrire():
        try:
            return importer(base, "mises_a_disposition", nouveau)
        finally:
            fini.set()

    _, rapport = _en_parallele(lire, ecrire)
    assert rapport.import_id == 2
    assert vus <= {(2000, 1, 1), (4000, 2, 2)}


# ------------------------------------------------------------------------------ two processes

TENIR_OUVERTE = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
print("ouverte", flush=True)
sys.stdin.read()          # until the test closes our stdin
"""


def test_une_base_ouverte_par_un_autre_processus_refus_clair(base, fichiers, tmp_path):
    chemin = tmp_path / "flux.duckdb"       # the `base` fixture's file
    fichier = _fichier_mad(fichiers, "OLS1", 10)
    base.close()
    from dashboard.store import connect
    avant = instantane(c := connect(chemin))
    c.close()
    tenant = subprocess.Popen([sys.executable, "-c", TENIR_OUVERTE, str(chemin)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert tenant.stdout.readline().strip() == "ouverte"
        r = subprocess.run([sys.executable, "-m", "dashboard", "import", "mises_a_disposition",
                            str(fichier), "--db", str(chemin)], cwd=ROOT, capture_output=True,
                           text=True, encoding="utf-8", timeout=120)
    finally:
        tenant.stdin.close()
        tenant.wait(timeout=30)
    assert r.returncode == 4, r.stderr
    assert r.stdout == ""
    assert r.stderr.startswith(f"Base occupée : La base {chemin} est utilisée par un autre "
                               f"programme (processus n° {tenant.pid}), sans doute l'application "
                               "ou un autre import : réessayez quand il a fini")
    # Once the other process is gone, the database is as it was, and the import works.
    c = connect(chemin)
    try:
        assert instantane(c) == avant
    finally:
        c.close()
    r = subprocess.run([sys.executable, "-m", "dashboard", "import", "mises_a_disposition",
                        str(fichier), "--db", str(chemin)], cwd=ROOT, capture_output=True,
                       text=True, encoding="utf-8", timeout=120)
    assert r.returncode == 0, r.stderr
    c = connect(chemin)
    try:
        assert c.execute("SELECT count(*), min(date_mise_a_disposition) "
                         "FROM mises_a_disposition").fetchone() == (10, date(2025, 2, 2))
    finally:
        c.close()
