"""The yearly bilan owed to each réservataire (issue 6, CCH R.441-5-1): the metrics, the workbook
read back with openpyxl, the zip of all réservataires and the command line.

Hand-made database (every expected figure below is worked out by hand from it), year 2025,
réservataire ETAT13 (département 13):
- OLS1: parc 100, 10 libérations in Marseille → flux 10; convention at 30 % → 3 droits;
- OLS2: convention « droits acquis » of 5 droits;
- MAD of categorie FLUX to ETAT13 dated in 2025:
    R1 OLS1 Marseille 13055, T3, PLUS, QPV, built 1960, bail signé 01/04/2025
    R2 OLS1 Marseille 13055, T2, PLAI, hors QPV, built 2016, refus du demandeur
    R3 OLS1 Aix 13001, T3, PLUS, QPV unknown, year unknown, en cours
    R4 OLS2 Marseille 13055, T1, PLS, hors QPV, built 1949, MAD 20/12/2025, bail 10/01/2026
- not in the 2025 bilan of ETAT13: R5 (OLS1, MAD 20/12/2024, bail 15/01/2025 — a bail signed in
  2025 by its date only), R6 (to ALS), R7 (a MUTATION).
So: proposés 4, attribués 2 (R1, R4); OLS1 3 / 1, OLS2 1 / 1; droits 3 + 5 = 8, écart −4;
taux de chute 1 refusal ÷ (4 − 1 en cours) = 1/3; baux signés in 2025 by date of bail: R1, R5 = 2.
"""

import io
import zipfile
from datetime import date, datetime

import metrics_fixtures as fx
import openpyxl
import pytest

from dashboard import metrics, store
from dashboard.cli import main
from dashboard.exports import RienAExporter
from dashboard.exports import bilan_annuel as export_annuel
from dashboard.metrics import bilan_annuel

MAD_SQL = ("INSERT INTO mises_a_disposition VALUES "
           "(?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, NULL, NULL, 1, NULL)")


def _mad(con, bailleur, reference, date_mad, insee, reservataire="ETAT13", categorie="FLUX",
         qpv=None, typologie=None, financement=None, annee_construction=None, issue="EN_COURS",
         date_bail=None):
    con.execute(MAD_SQL, [bailleur, reference, date.fromisoformat(date_mad), insee, categorie,
                          reservataire, qpv, typologie, financement, annee_construction, issue,
                          date.fromisoformat(date_bail) if date_bail else None])


def remplir(con, nom_bailleur_1="Habitat Exemple", nom_reservataire="Préfet des Bouches-du-Rhône"):
    fx.commune(con, "13055", "13", None, nom="Marseille")
    fx.commune(con, "13001", "13", None, nom="Aix-en-Provence")
    fx.parc(con, "OLS1", "13055", parc_total=100, liberations=10)
    fx.convention(con, "OLS1", "ETAT13", taux_flux=30, bailleur_nom=nom_bailleur_1,
                  reservataire_nom=nom_reservataire)
    fx.convention(con, "OLS2", "ETAT13", methode="DROITS_ACQUIS", droits_annuels=5,
                  bailleur_nom="Logis Témoin", reservataire_nom=nom_reservataire)
    fx.convention(con, "OLS1", "ALS", type_reservataire="ACTION_LOGEMENT", taux_flux=20,
                  reservataire_nom="Action Logement Services")
    _mad(con, "OLS1", "R1", "2025-03-10", "13055", qpv=True, typologie="T3", financement="PLUS",
         annee_construction=1960, issue="BAIL_SIGNE", date_bail="2025-04-01")
    _mad(con, "OLS1", "R2", "2025-05-10", "13055", qpv=False, typologie="T2",
         financement="PLAI", annee_construction=2016, issue="REFUS_DEMANDEUR")
    _mad(con, "OLS1", "R3", "2025-06-10", "13001", typologie="T3", financement="PLUS")
    _mad(con, "OLS2", "R4", "2025-12-20", "13055", qpv=False, typologie="T1", financement="PLS",
         annee_construction=1949, issue="BAIL_SIGNE", date_bail="2026-01-10")
    _mad(con, "OLS1", "R5", "2024-12-20", "13055", typologie="T4", financement="PLUS",
         issue="BAIL_SIGNE", date_bail="2025-01-15")
    _mad(con, "OLS1", "R6", "2025-02-01", "13055", reservataire="ALS", typologie="T2")
    _mad(con, "OLS1", "R7", "2025-02-01", "13055", reservataire=None, categorie="MUTATION")


@pytest.fixture
def db(tmp_path):
    chemin = tmp_path / "flux.duckdb"
    con = store.connect(chemin)
    remplir(con)
    con.close()
    return chemin


@pytest.fixture
def con(db):
    c = store.connect(db)
    yield c
    c.close()


def _ensemble(df):
    return {r["libelle"]: (r["proposes"], r["attribues"])
            for r in df[df["bailleur_code"] == bilan_annuel.ENSEMBLE].to_dict("records")}


# --- metrics ---------------------------------------------------------------------------------


def test_repartitions_a_la_main(con):
    assert _ensemble(bilan_annuel.repartition(con, 2025, "typologie", "ETAT13")) == {
        "T1": (1, 1), "T2": (1, 0), "T3": (2, 1)}
    assert _ensemble(bilan_annuel.repartition(con, 2025, "financement", "ETAT13")) == {
        "PLAI": (1, 0), "PLUS": (2, 1), "PLS": (1, 1)}
    assert _ensemble(bilan_annuel.repartition(con, 2025, "qpv", "ETAT13")) == {
        "En QPV": (1, 1), "Hors QPV": (2, 1), "QPV non renseigné": (1, 0)}
    assert _ensemble(bilan_annuel.repartition(con, 2025, "commune", "ETAT13")) == {
        "Aix-en-Provence (13001)": (1, 0), "Marseille (13055)": (3, 2)}
    periodes = bilan_annuel.repartition(con, 2025, "periode_construction", "ETAT13")
    assert _ensemble(periodes) == {"Avant 1950": (1, 1), "1950 à 1974": (1, 1),
                                   "2015 et après": (1, 0), "Inconnue": (1, 0)}
    # Reading order: bailleurs by code, then the bands in time order, unknown last.
    ols1 = periodes[periodes["bailleur_code"] == "OLS1"]
    assert list(ols1["libelle"]) == ["1950 à 1974", "2015 et après", "Inconnue"]
    assert list(periodes["bailleur_code"])[:4] == ["OLS1", "OLS1", "OLS1", "OLS2"]


def test_un_seul_bailleur_sans_lignes_ensemble(con):
    df = bilan_annuel.repartition(con, 2025, "typologie", "ETAT13", "OLS1")
    assert list(zip(df["bailleur_code"], df["libelle"], df["proposes"], df["attribues"])) == [
        ("OLS1", "T2", 1, 0), ("OLS1", "T3", 2, 1)]


def test_synthese_a_la_main_et_egale_au_moteur(con):
    s = bilan_annuel.synthese(con, 2025, "ETAT13")
    assert list(s["cle"]) == ["OLS1", "OLS2", "TOTAL"]
    t = s.set_index("cle").loc["TOTAL"]
    assert t["droits_annuels"] == pytest.approx(8.0)
    assert (t["mises_a_disposition"], t["baux_signes"]) == (4, 2)
    assert t["ecart"] == pytest.approx(-4.0)
    assert t["taux_chute"] == pytest.approx(1 / 3)
    assert t["baux_signes_date_bail"] == 2          # R1 and R5 (R4's bail is in 2026)
    o1 = s.set_index("cle").loc["OLS1"]
    assert (o1["droits_annuels"], o1["mises_a_disposition"], o1["baux_signes"]) == (3.0, 3, 1)
    assert o1["taux_chute"] == pytest.approx(0.5)   # 1 refusal ÷ (3 − 1 en cours)
    moteur = metrics.total(con, 2025, 4, filtres=metrics.Filtres(reservataire=["ETAT13"])).iloc[0]
    for col in ("droits_annuels", "mises_a_disposition", "baux_signes", "ecart", "taux_chute"):
        assert t[col] == pytest.approx(moteur[col]), col


def test_reservataires_dus(con):
    df = bilan_annuel.reservataires(con, 2025)
    assert list(df["reservataire_code"]) == ["ALS", "ETAT13"]
    assert list(df["proposes"]) == [1, 4]
    assert list(df["nb_conventions"]) == [1, 2]
    assert list(bilan_annuel.reservataires(con, 2025, "OLS2")["reservataire_code"]) == ["ETAT13"]


# --- the workbook ----------------------------------------------------------------------------


def _classeur(contenu: bytes):
    return openpyxl.load_workbook(io.BytesIO(contenu))


def _lignes(ws):
    return [[c.value for c in ligne] for ligne in ws.iter_rows(min_row=2)]


def test_classeur_feuilles_en_tetes_types_et_chiffres(con):
    wb = _classeur(export_annuel.classeur(con, 2025, "ETAT13", aujourd_hui=date(2026, 2, 2)))
    assert wb.sheetnames == ["Présentation", "Synthèse", "Par typologie", "Par financement",
                             "QPV - hors QPV", "Par commune", "Par période de construction",
                             "Hors flux"]
    couverture = {r[0]: r[1] for r in wb["Présentation"].iter_rows(values_only=True) if r[0]}
    assert couverture["Réservataire"] == "Préfet des Bouches-du-Rhône (ETAT13)"
    assert couverture["Bailleur"] == "Tous les bailleurs (2)"
    assert couverture["Début de la période"] == datetime(2025, 1, 1)
    assert couverture["Fin de la période"] == datetime(2025, 12, 31)
    assert couverture["Édité le"] == datetime(2026, 2, 2)
    assert "Logements attribués" in couverture and "Période de construction" in couverture
    cellules = {r[0].value: r[1] for r in wb["Présentation"].iter_rows() if r[0].value}
    assert cellules["Fin de la période"].is_date
    assert cellules["Année"].value == 2025 and cellules["Année"].number_format == "0"

    ws = wb["Synthèse"]
    assert [c.value for c in ws[1]][:6] == [
        "Bailleur", "Nom du bailleur", "Droits annuels", "Logements proposés",
        "Logements attribués", "Écart"]
    # 13 columns, then the 3 of the publics prioritaires (issue 14); the total row outside
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:P3"
    lignes = _lignes(ws)
    assert [l[0] for l in lignes] == ["OLS1", "OLS2", "Total"]
    assert lignes[0][1] == "Habitat Exemple"
    assert lignes[0][2:6] == [3.0, 3, 1, 0.0]
    assert lignes[1][2:6] == [5.0, 1, 1, -4.0]
    assert lignes[2][2:6] == [8.0, 4, 2, -4.0]
    assert ws["H4"].value == pytest.approx(1 / 3) and ws["H4"].number_format == "0.0%"
    assert ws["D4"].data_type == "n" and ws["D4"].number_format == "#,##0"
    assert ws["C2"].data_type == "n" and ws["C2"].number_format == "#,##0.0"
    assert ws["A4"].font.bold

    ws = wb["Par typologie"]
    assert [c.value for c in ws[1]] == ["Bailleur", "Nom du bailleur", "Code", "Typologie",
                                        "Logements proposés", "Logements attribués"]
    assert _lignes(ws) == [
        ["OLS1", "Habitat Exemple", "T2", "T2", 1, 0],
        ["OLS1", "Habitat Exemple", "T3", "T3", 2, 1],
        ["OLS2", "Logis Témoin", "T1", "T1", 1, 1],
        ["ENSEMBLE", "Ensemble des bailleurs", "T1", "T1", 1, 1],
        ["ENSEMBLE", "Ensemble des bailleurs", "T2", "T2", 1, 0],
        ["ENSEMBLE", "Ensemble des bailleurs", "T3", "T3", 2, 1],
        ["Total", None, None, None, 4, 2],
    ]
    assert ws.auto_filter.ref == "A1:F7" and ws.freeze_panes == "A2"
    assert ws["E2"].data_type == "n"
    communes = _lignes(wb["Par commune"])
    assert [c.value for c in wb["Par commune"][1]][2:4] == ["Code INSEE", "Commune"]
    # the axis's own name as written in the law, not "Qpv / hors qpv"
    assert [c.value for c in wb["QPV - hors QPV"][1]][3] == "QPV / hors QPV"
    assert [c.value for c in wb["Synthèse"][1]][12] == "Baux signés dans l'année (date du bail)"
    assert ["OLS1", "Habitat Exemple", "13001", "Aix-en-Provence (13001)", 1, 0] in communes


def test_chaque_repartition_totalise_la_synthese(con):
    wb = _classeur(export_annuel.classeur(con, 2025, "ETAT13"))
    synthese = {l[0]: l for l in _lignes(wb["Synthèse"])}
    for nom in export_annuel.FEUILLES_AXES.values():
        lignes = _lignes(wb[nom])
        details = [l for l in lignes if l[0] not in ("ENSEMBLE", "Total")]
        ensemble = [l for l in lignes if l[0] == "ENSEMBLE"]
        for colonne_synthese, colonne in ((3, 4), (4, 5)):
            assert sum(l[colonne] for l in details) == synthese["Total"][colonne_synthese], nom
            assert sum(l[colonne] for l in ensemble) == synthese["Total"][colonne_synthese], nom
            for bailleur in ("OLS1", "OLS2"):
                assert (sum(l[colonne] for l in details if l[0] == bailleur)
                        == synthese[bailleur][colonne_synthese]), (nom, bailleur)


def test_rien_a_exporter(con):
    with pytest.raises(RienAExporter, match="ni convention ni mise à disposition en 2023"):
        export_annuel.classeur(con, 2023, "ETAT13")
    with pytest.raises(RienAExporter):
        export_annuel.archive(con, 2023)


def test_archive_un_classeur_par_reservataire(con):
    contenu, sommaire = export_annuel.archive(con, 2025)
    with zipfile.ZipFile(io.BytesIO(contenu)) as zf:
        assert sorted(zf.namelist()) == ["bilan_annuel_2025_ALS.xlsx",
                                         "bilan_annuel_2025_ETAT13.xlsx", "sommaire.csv"]
        etat = _classeur(zf.read("bilan_annuel_2025_ETAT13.xlsx"))
        assert _lignes(etat["Synthèse"])[-1][2:6] == [8.0, 4, 2, -4.0]
        als = _classeur(zf.read("bilan_annuel_2025_ALS.xlsx"))
        assert _lignes(als["Synthèse"])[-1][3:5] == [1, 0]
        texte = zf.read("sommaire.csv").decode("utf-8-sig").splitlines()
    assert texte[0].startswith("Réservataire;Nom du réservataire;Type de réservataire;")
    assert "Logements proposés;" in texte[0]
    assert texte[2].startswith("ETAT13;Préfet des Bouches-du-Rhône;État — contingent")
    assert list(sommaire["Fichier"]) == ["bilan_annuel_2025_ALS.xlsx",
                                         "bilan_annuel_2025_ETAT13.xlsx"]


def test_injection_dans_les_noms(tmp_path):
    con = store.connect(tmp_path / "hostile.duckdb")
    remplir(con, nom_bailleur_1="=HYPERLINK(\"http://example.org\",\"x\")",
            nom_reservataire="@SUM(A1)")
    wb = _classeur(export_annuel.classeur(con, 2025, "ETAT13"))
    con.close()
    for ws in wb:
        for ligne in ws.iter_rows():
            for cellule in ligne:
                assert cellule.data_type != "f", (ws.title, cellule.coordinate, cellule.value)
                if isinstance(cellule.value, str):
                    assert not cellule.value.startswith(("=", "+", "-", "@", "\t", "\r")), (
                        ws.title, cellule.coordinate, cellule.value)
    assert _lignes(wb["Synthèse"])[0][1] == "'=HYPERLINK(\"http://example.org\",\"x\")"
    couverture = {r[0]: r[1] for r in wb["Présentation"].iter_rows(values_only=True) if r[0]}
    assert couverture["Réservataire"] == "'@SUM(A1) (ETAT13)"


# --- the command line ------------------------------------------------------------------------


def test_cli_un_reservataire(db, tmp_path, capsys):
    sortie = tmp_path / "etat13.xlsx"
    assert main(["export", "bilan-annuel", "--annee", "2025", "--reservataire", "ETAT13",
                 "--bailleur", "OLS2", "--out", str(sortie), "--db", str(db)]) == 0
    assert "etat13.xlsx écrit" in capsys.readouterr().out
    wb = _classeur(sortie.read_bytes())
    assert [l[0] for l in _lignes(wb["Synthèse"])] == ["OLS2", "Total"]
    assert _lignes(wb["Synthèse"])[0][2:6] == [5.0, 1, 1, -4.0]


def test_cli_tous_en_zip(db, tmp_path):
    sortie = tmp_path / "tous.zip"
    assert main(["export", "bilan-annuel", "--annee", "2025", "--tous", "--out", str(sortie),
                 "--db", str(db)]) == 0
    with zipfile.ZipFile(sortie) as zf:
        assert len([n for n in zf.namelist() if n.endswith(".xlsx")]) == 2


def test_cli_fichier_avec_les_droits_habituels(db, tmp_path):
    """Written through a private temporary file, the export still gets a new file's usual
    rights (umask 022: rw-r--r--), so that it can be shared."""
    import os
    ancien = os.umask(0o022)
    try:
        sortie = tmp_path / "tous.zip"
        assert main(["export", "bilan-annuel", "--annee", "2025", "--tous", "--out", str(sortie),
                     "--db", str(db)]) == 0
    finally:
        os.umask(ancien)
    assert sortie.stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize("arguments, statut, message", [
    (["--annee", "2023", "--reservataire", "ETAT13", "--out", "x.xlsx"], 1, "rien à exporter"),
    (["--annee", "2025", "--tous", "--out", "x.xlsx"], 2, "doit se terminer par .zip"),
    (["--annee", "2025", "--reservataire", "ETAT13", "--out", "x.zip"], 2, ".xlsx"),
    (["--annee", "2025", "--out", "x.xlsx"], 2, "indiquer soit --reservataire"),
    (["--annee", "2025", "--tous", "--reservataire", "ETAT13", "--out", "x.zip"], 2,
     "indiquer soit --reservataire"),
])
def test_cli_statuts_de_sortie(db, tmp_path, capsys, monkeypatch, arguments, statut, message):
    monkeypatch.chdir(tmp_path)
    try:
        code = main(["export", "bilan-annuel", *arguments, "--db", str(db)])
    except SystemExit as exc:       # argparse-style usage errors
        code = exc.code
    assert code == statut
    assert message in capsys.readouterr().err
    assert not list(tmp_path.glob("x.*"))            # nothing written


def test_cli_base_introuvable(tmp_path, capsys):
    code = main(["export", "bilan-annuel", "--annee", "2025", "--tous", "--out",
                 str(tmp_path / "x.zip"), "--db", str(tmp_path / "absente.duckdb")])
    assert code == 2 and "base introuvable" in capsys.readouterr().err
    assert not (tmp_path / "x.zip").exists()


def test_cli_base_occupee_par_un_autre_programme(db, tmp_path, capsys):
    # another process holds the file (DuckDB allows one): it says so once it has opened it
    import subprocess
    import sys
    tenante = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, duckdb; con = duckdb.connect(sys.argv[1]); print('ouverte', flush=True); "
         "sys.stdin.read()", str(db)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    sortie = tmp_path / "etat13.xlsx"
    try:
        assert tenante.stdout.readline().strip() == "ouverte"
        assert main(["export", "bilan-annuel", "--annee", "2025", "--reservataire", "ETAT13",
                     "--out", str(sortie), "--db", str(db)]) == 1
        erreur = capsys.readouterr().err
        assert erreur.startswith("python -m dashboard : erreur : ")
        assert "utilisée par un autre programme" in erreur
        assert "Traceback" not in erreur
    finally:
        tenante.stdin.close()
        tenante.wait(timeout=60)
    assert not sortie.exists()


def test_annee_due_celle_d_avant_sinon_la_derniere_disponible():
    # Before 28 February 2026 the bilan owed is 2025's.
    assert bilan_annuel.annee_due([2024, 2025, 2026], date(2026, 2, 10)) == 2025
    assert bilan_annuel.annee_due([2024, 2025, 2026], date(2026, 11, 22)) == 2025
    # No data for last year: the latest year with data.
    assert bilan_annuel.annee_due([2023, 2024], date(2026, 2, 10)) == 2024
    assert bilan_annuel.annee_due([], date(2026, 2, 10)) is None
