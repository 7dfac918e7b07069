"""The ``orienter`` command line contract (issue 8): columns, machine rules, exit statuses."""

import csv
import io
import json
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import metrics_fixtures as fx
import pytest

from dashboard import store
from dashboard.cli import main
from dashboard.formatting import date_fr

COLONNES = ["rang", "reservataire_code", "libelle", "droits_prevus", "mises_a_disposition",
            "retard", "retard_relatif", "motif"]
RACINE = Path(__file__).resolve().parent.parent


@pytest.fixture
def db(tmp_path):
    """B1 in Aix (flux 100 = the département's) on 14/03/2025, day 73 of 365 (0,2 of the year):
    ETAT13 25 % → 25 droits, 5 prévus, 1 MAD: retard 4, relatif 0,16
    ALS 20 % → 20 droits, 4 prévus, 3 MAD: retard 1, relatif 0,05
    COM-13001 10 % → 10 droits, 2 prévus, 0 MAD: retard 2, relatif 0,2
    non réservé 45 % → 45 droits, 9 prévus, 8 MAD: retard 1, relatif 1 ÷ 45 = 0,0222…"""
    chemin = tmp_path / "flux.duckdb"
    con = store.connect(chemin)
    fx.epci(con, "200054807", "Métropole d'Aix-Marseille-Provence")
    fx.commune(con, "13001", "13", "200054807", nom="Aix-en-Provence")
    fx.parc(con, "B1", "13001", parc_total=1000, liberations=100)
    fx.convention(con, "B1", "ETAT13", taux_flux=25, bailleur_nom="Habitat Provence",
                  reservataire_nom="Préfet 13")
    fx.convention(con, "B1", "ALS", type_reservataire="ACTION_LOGEMENT", taux_flux=20,
                  reservataire_nom="Action Logement Services")
    fx.convention(con, "B1", "COM-13001", type_reservataire="COMMUNE", perimetre_type="COMMUNE",
                  perimetre_code="13001", taux_flux=10, reservataire_nom="Ville d'Aix")
    fx.mad(con, "B1", "2025-02-01", "13001", reservataire="ETAT13")
    fx.mad(con, "B1", "2025-02-01", "13001", reservataire="ALS", nombre=3)
    fx.mad(con, "B1", "2025-02-01", "13001", categorie="NON_RESERVE", nombre=8)
    con.close()
    return str(chemin)


ARGS = ["orienter", "--bailleur", "B1", "--commune", "13001", "--date", "2025-03-14"]


def _csv(texte):
    return list(csv.DictReader(io.StringIO(texte)))


def test_csv_colonnes_classement_et_nombres(db, capsys):
    assert main(ARGS + ["--format", "csv", "--db", db]) == 0
    sortie = capsys.readouterr().out
    assert sortie.splitlines()[0].split(",") == COLONNES
    lignes = _csv(sortie)
    assert [(r["rang"], r["reservataire_code"]) for r in lignes] == [
        ("1", "COM-13001"), ("2", "ETAT13"), ("3", "ALS"), ("4", "NON_RESERVE")]
    com, etat, als, nr = lignes
    assert com["libelle"] == "Ville d'Aix"
    assert (com["droits_prevus"], com["mises_a_disposition"], com["retard"],
            com["retard_relatif"]) == ("2.0", "0", "2.0", "0.2")
    assert (etat["droits_prevus"], etat["mises_a_disposition"], etat["retard"]) == (
        "5.0", "1", "4.0")
    assert (als["droits_prevus"], als["mises_a_disposition"], als["retard"],
            als["retard_relatif"]) == ("4.0", "3", "1.0", "0.05")
    assert nr["libelle"] == "Contingent propre du bailleur (non réservé)"
    assert (nr["droits_prevus"], nr["mises_a_disposition"], nr["retard"]) == ("9.0", "8", "1.0")
    assert etat["motif"].startswith("En retard de 4,0 logements au 14/03/2025")


def test_retard_relatif_fraction_a_4_decimales(db, capsys):
    assert main(ARGS + ["--format", "csv", "--db", db]) == 0
    nr = _csv(capsys.readouterr().out)[3]
    assert nr["retard_relatif"] == "0.0222"          # 1 ÷ 45


def test_json_memes_colonnes_et_nombres(db, capsys):
    assert main(ARGS + ["--format", "json", "--db", db]) == 0
    donnees = json.loads(capsys.readouterr().out)
    assert [list(d) for d in donnees] == [COLONNES] * 4
    assert donnees[0] | {"motif": None} == {
        "rang": 1, "reservataire_code": "COM-13001", "libelle": "Ville d'Aix",
        "droits_prevus": 2.0, "mises_a_disposition": 0, "retard": 2.0, "retard_relatif": 0.2,
        "motif": None}


def test_table_pour_les_gens(db, capsys):
    assert main(ARGS + ["--db", db]) == 0
    sortie = capsys.readouterr().out
    assert sortie.startswith("Orientation d'un logement libéré — Habitat Provence (B1), "
                             "Aix-en-Provence (13001), au 14/03/2025")
    assert "Droits prévus au prorata de 73 jours sur 365" in sortie
    assert sortie.splitlines()[3].split("  ")[0] == "Rang"
    assert "Retard relatif" in sortie.splitlines()[3]
    ligne_etat = next(l for l in sortie.splitlines() if l.lstrip().startswith("2  ETAT13"))
    # retard, then retard relatif as formatting writes a fraction: 4 ÷ 25 = 16,0 %
    assert re.split(" {2,}", ligne_etat.strip())[-2:] == ["4,0", "16,0\u202f%"]
    assert "  1. COM-13001 — En retard de 2,0 logements au 14/03/2025" in sortie


def test_premier_janvier_un_jour_au_singulier(db, capsys):
    # 01/01/2025 is day 1 of 365 (14/03 is day 73)
    assert main(["orienter", "--bailleur", "B1", "--commune", "13001", "--date", "2025-01-01",
                 "--db", db]) == 0
    assert "Droits prévus au prorata de 1 jour sur 365 ;" in capsys.readouterr().out


def test_date_par_defaut_aujourd_hui(db, capsys):
    assert main(["orienter", "--bailleur", "B1", "--commune", "13001", "--db", db]) == 0
    assert f"au {date_fr(date.today())}" in capsys.readouterr().out.splitlines()[0]


def test_statuts_de_sortie(db, tmp_path, capsys):
    assert main(["orienter", "--bailleur", "B9", "--commune", "13001", "--db", db]) == 1
    assert "bailleur inconnu : « B9 »" in capsys.readouterr().err
    assert main(["orienter", "--bailleur", "B1", "--commune", "13999", "--db", db]) == 1
    assert "commune inconnue : « 13999 »" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["orienter", "--bailleur", "B1", "--commune", "13001", "--date", "14-03-2025",
              "--db", db])
    assert exc.value.code == 2
    assert "date invalide" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["orienter", "--bailleur", "B1", "--db", db])
    assert exc.value.code == 2
    assert "arguments obligatoires manquants : --commune" in capsys.readouterr().err
    absente = str(tmp_path / "absente.duckdb")
    assert main(["orienter", "--bailleur", "B1", "--commune", "13001", "--db", absente]) == 2
    assert "base introuvable" in capsys.readouterr().err
    assert not Path(absente).exists()
    illisible = tmp_path / "illisible.duckdb"
    illisible.write_bytes(b"pas une base DuckDB")
    assert main(["orienter", "--bailleur", "B1", "--commune", "13001",
                 "--db", str(illisible)]) == 1
    assert "impossible d'ouvrir la base" in capsys.readouterr().err
    # "30/06/2025" is accepted too
    assert main(["orienter", "--bailleur", "B1", "--commune", "13001", "--date", "14/03/2025",
                 "--format", "csv", "--db", db]) == 0


def test_python_m_dashboard_orienter(db):
    env = {**os.environ, "PYTHONPATH": str(RACINE)}
    resultat = subprocess.run(
        [sys.executable, "-m", "dashboard", *ARGS, "--format", "csv", "--db", db],
        capture_output=True, text=True, cwd=RACINE, env=env, timeout=120,
    )
    assert resultat.returncode == 0, resultat.stderr
    assert [r["reservataire_code"] for r in _csv(resultat.stdout)] == [
        "COM-13001", "ETAT13", "ALS", "NON_RESERVE"]


def test_base_occupee_par_un_autre_programme(db, capsys):
    # another process holds the file (DuckDB allows one): it says so once it has opened it
    tenante = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, duckdb; con = duckdb.connect(sys.argv[1]); print('ouverte', flush=True); "
         "sys.stdin.read()", db],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert tenante.stdout.readline().strip() == "ouverte"
        assert main(ARGS + ["--db", db]) == 1
        assert "utilisée par un autre programme" in capsys.readouterr().err
    finally:
        tenante.stdin.close()
        tenante.wait(timeout=60)
