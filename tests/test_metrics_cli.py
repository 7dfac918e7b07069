"""The command line contract: bilan, hors-flux, controles (issue 3)."""

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import metrics_fixtures as fx
import pytest

from dashboard import store
from dashboard.cli import main

COLONNES = ["cle", "libelle", "droits_annuels", "droits_prevus", "mises_a_disposition", "ecart",
            "taux_realisation", "baux_signes", "taux_chute", "part_prevue", "part_reelle"]
RACINE = Path(__file__).resolve().parent.parent


@pytest.fixture
def db(tmp_path):
    """A database file: B1 in 13 with a flux of 300; ETAT13 at 25 % → 75 droits; CD13 without
    parc nor estimate (unknown droits); 9 MAD in T1 2025."""
    chemin = tmp_path / "flux.duckdb"
    con = store.connect(chemin)
    fx.epci(con, "200054807", "Métropole d'Aix-Marseille-Provence")
    fx.commune(con, "13001", "13", "200054807")
    fx.parc(con, "B1", "13001", parc_total=3000, liberations=300)
    fx.convention(con, "B1", "ETAT13", taux_flux=25, reservataire_nom="Préfet 13")
    fx.convention(con, "B1", "CD13", type_reservataire="DEPARTEMENT", departement="05",
                  taux_flux=10)                                     # no parc in 05: unknown
    fx.mad(con, "B1", "2025-02-01", "13001", reservataire="ETAT13", issue="BAIL_SIGNE", nombre=4)
    fx.mad(con, "B1", "2025-02-01", "13001", reservataire="ETAT13", issue="REFUS_DEMANDEUR",
           nombre=2)
    fx.mad(con, "B1", "2025-02-01", "13001", reservataire="ETAT13", nombre=1)  # en cours
    fx.mad(con, "B1", "2025-02-01", "13001", reservataire="ZZ", nombre=2)      # no convention
    fx.mad(con, "B1", "2025-02-01", "13001", categorie="MUTATION", nombre=3)
    con.close()
    return str(chemin)


def _csv(texte):
    return list(csv.DictReader(io.StringIO(texte)))


def test_bilan_csv_colonnes_et_nombres(db, capsys):
    assert main(["bilan", "--annee", "2025", "--trimestre", "1", "--par", "reservataire",
                 "--format", "csv", "--db", db]) == 0
    sortie = capsys.readouterr().out
    en_tete = sortie.splitlines()[0].split(",")
    assert en_tete[:11] == COLONNES
    lignes = {r["cle"]: r for r in _csv(sortie)}
    etat = lignes["ETAT13"]
    assert etat["libelle"] == "Préfet 13"
    assert etat["droits_annuels"] == "75.0"            # 25 % × 300
    assert etat["droits_prevus"] == "18.75"            # 75 × 1 ÷ 4
    assert etat["mises_a_disposition"] == "7"
    assert etat["ecart"] == "-11.75"                   # 7 − 18.75
    assert etat["taux_realisation"] == "0.3733"        # 7 ÷ 18.75 = 0.37333…
    assert etat["baux_signes"] == "4"
    assert etat["taux_chute"] == "0.3333"              # 2 ÷ (7 − 1)
    assert etat["part_prevue"] == "0.25"               # 75 ÷ 300
    assert etat["part_reelle"] == "0.7778"             # 7 ÷ 9 (7 + 2 ZZ), mutations excluded
    cd = lignes["CD13"]
    assert cd["droits_annuels"] == "" and cd["droits_prevus"] == ""  # unknown: empty, not 0
    assert cd["taux_realisation"] == "" and cd["ecart"] == ""
    zz = lignes["ZZ"]
    assert zz["droits_prevus"] == "0.0" and zz["taux_realisation"] == ""


def test_bilan_json_nulls_et_ordre(db, capsys):
    assert main(["bilan", "--annee", "2025", "--trimestre", "1", "--par", "type_reservataire",
                 "--format", "json", "--db", db]) == 0
    donnees = json.loads(capsys.readouterr().out)
    assert list(donnees[0])[:11] == COLONNES
    par_cle = {d["cle"]: d for d in donnees}
    assert par_cle["DEPARTEMENT"]["droits_annuels"] is None
    assert par_cle["DEPARTEMENT"]["taux_realisation"] is None
    assert par_cle["ETAT"]["taux_realisation"] == 0.3733
    assert par_cle["INCONNU"]["mises_a_disposition"] == 2
    assert [d["cle"] for d in donnees] == ["ETAT", "DEPARTEMENT", "INCONNU"]


def test_bilan_par_trimestre_et_filtres(db, capsys):
    assert main(["bilan", "--annee", "2025", "--trimestre", "3", "--par", "trimestre",
                 "--format", "csv", "--db", db, "--reservataire", "ETAT13"]) == 0
    lignes = _csv(capsys.readouterr().out)
    assert [r["cle"] for r in lignes] == ["2025-T1", "2025-T2", "2025-T3"]
    assert [r["mises_a_disposition"] for r in lignes] == ["7", "0", "0"]
    assert [r["droits_prevus"] for r in lignes] == ["18.75"] * 3
    assert main(["bilan", "--annee", "2025", "--trimestre", "1", "--par", "bailleur",
                 "--format", "json", "--db", db, "--departement", "84"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_bilan_table_pour_les_gens(db, capsys):
    assert main(["bilan", "--annee", "2025", "--trimestre", "1", "--par", "epci", "--db", db]) == 0
    sortie = capsys.readouterr().out
    assert "Bilan au 31/03/2025" in sortie
    assert "Métropole d'Aix-Marseille-Provence" in sortie
    assert "Non ventilé" in sortie                      # CD13's unknown droits: not apportioned
    assert "48,0\u202f%" in sortie     # (7 ETAT13 + 2 ZZ in the EPCI) ÷ 18,75 droits prévus
    assert "Total" in sortie
    assert "nan" not in sortie.lower()


def test_hors_flux_et_controles(db, capsys):
    assert main(["hors-flux", "--annee", "2025", "--trimestre", "1", "--par", "bailleur",
                 "--format", "csv", "--db", db]) == 0
    b1 = _csv(capsys.readouterr().out)[0]
    assert (b1["mutations"], b1["hors_flux"], b1["total_mad"]) == ("3", "3", "12")
    assert b1["part_hors_flux"] == "0.25"               # 3 ÷ 12
    assert main(["controles", "--annee", "2025", "--format", "json", "--db", db]) == 0
    anomalies = json.loads(capsys.readouterr().out)
    codes = {a["controle"] for a in anomalies}
    assert {"MAD_SANS_CONVENTION", "DROITS_INCONNUS"} <= codes
    assert all(a["message"] for a in anomalies)
    assert main(["controles", "--annee", "2025", "--db", db]) == 0
    assert "aucune convention 2025" in capsys.readouterr().out


def test_erreurs_d_utilisation(db, tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["bilan", "--annee", "2025", "--trimestre", "5", "--par", "bailleur", "--db", db])
    assert exc.value.code == 2
    assert "trimestre invalide" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["bilan", "--annee", "2025", "--trimestre", "1", "--par", "commune", "--db", db])
    assert exc.value.code == 2
    assert "erreur d'utilisation" in capsys.readouterr().err
    absente = str(tmp_path / "absente.duckdb")
    assert main(["bilan", "--annee", "2025", "--trimestre", "1", "--par", "bailleur",
                 "--db", absente]) == 2
    assert "base introuvable" in capsys.readouterr().err
    assert not Path(absente).exists()
    assert main(["bilan", "--annee", "2025", "--trimestre", "T2", "--par", "bailleur",
                 "--format", "csv", "--db", db]) == 0                # "T2" accepted


def test_python_m_dashboard_bilan(db):
    env = {**os.environ, "PYTHONPATH": str(RACINE)}
    resultat = subprocess.run(
        [sys.executable, "-m", "dashboard", "bilan", "--annee", "2025", "--trimestre", "1",
         "--par", "bailleur", "--format", "csv", "--db", db],
        capture_output=True, text=True, cwd=RACINE, env=env, timeout=120,
    )
    assert resultat.returncode == 0, resultat.stderr
    lignes = resultat.stdout.splitlines()
    assert lignes[0].split(",")[:11] == COLONNES
    b1 = _csv(resultat.stdout)[0]
    assert b1["cle"] == "B1"
    assert b1["mises_a_disposition"] == "9"             # 7 ETAT13 + 2 ZZ
    assert b1["droits_annuels"] == "75.0"                # CD13's unknown droits are left out
