"""The command line of the referential (issue 12, a contract): `reservataires`,
`correspondances`, `correspondances import`, `correspondances export` — columns, formats,
errors with their line, all or nothing, rights (`--as/--roles`) and exit statuses."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import time

import pytest
from conftest import ROOT, nouvelle_base

from dashboard.cli import main

ROLES = """\
[adresses."admin@dreal.example"]
role = "admin"

[domaines."habitat-sud.example"]
role = "bailleur"
bailleurs = ["OLS1"]

[domaines."lecture.example"]
role = "lecteur"
"""


@pytest.fixture
def db(tmp_path, modele_base) -> str:
    chemin = tmp_path / "flux.duckdb"
    nouvelle_base(chemin, modele_base).close()
    return str(chemin)


def _lancer(capsys, *args) -> tuple[int, str, str]:
    rc = main(list(args))
    sortie = capsys.readouterr()
    return rc, sortie.out, sortie.err


def _fichier(tmp_path, texte: str, nom="corr.csv", encodage="utf-8") -> str:
    chemin = tmp_path / nom
    chemin.write_bytes(texte.encode(encodage))
    return str(chemin)


def test_reservataires_colonnes_et_formats(db, capsys):
    rc, out, _ = _lancer(capsys, "reservataires", "--format", "csv", "--db", db)
    assert rc == 0
    lignes = list(csv.DictReader(io.StringIO(out)))
    assert list(lignes[0]) == ["reservataire_code", "nom", "type_reservataire", "territoire"]
    assert lignes[0] == {"reservataire_code": "ETAT-04",
                         "nom": "Préfet des Alpes-de-Haute-Provence — contingent préfectoral",
                         "type_reservataire": "ETAT", "territoire": "04"}
    assert len(lignes) == 1017
    rc, out, _ = _lancer(capsys, "reservataires", "--format", "json", "--db", db)
    objets = {o["reservataire_code"]: o for o in json.loads(out)}
    assert objets["ALS"] == {"reservataire_code": "ALS", "nom": "Action Logement Services",
                             "type_reservataire": "ACTION_LOGEMENT", "territoire": None}
    rc, out, _ = _lancer(capsys, "reservataires", "--db", db)
    assert rc == 0
    assert out.splitlines()[0] == "Référentiel des réservataires (1017 identités)"
    assert "Code" in out.splitlines()[2] and "Territoire" in out.splitlines()[2]


def test_correspondances_import_liste_export(db, tmp_path, capsys):
    fichier = _fichier(tmp_path, (
        "bailleur_code;valeur;reservataire_code;nom;type_reservataire\n"
        "OLS1;PREF13;ETAT-13;;\n"
        "ols2;Préfecture 13 - contingent prioritaire;etat-13;;\n"
        "OLS2;CAF 13;AUT-CAF13;Caisse d'allocations familiales des Bouches-du-Rhône;Autre\n"),
        encodage="cp1252")
    rc, out, err = _lancer(capsys, "correspondances", "import", fichier, "--db", db)
    assert (rc, err) == (0, "")
    assert out.strip() == ("3 correspondances enregistrées ; 0 ligne rattachée ; "
                           "réservataire(s) créé(s) : AUT-CAF13.")
    rc, out, _ = _lancer(capsys, "correspondances", "--format", "csv", "--db", db)
    assert out.splitlines() == [
        "bailleur_code,valeur,reservataire_code,origine",
        "OLS1,PREF13,ETAT-13,manuelle",
        "OLS2,CAF 13,AUT-CAF13,manuelle",
        "OLS2,Préfecture 13 - contingent prioritaire,ETAT-13,manuelle"]
    rc, out, _ = _lancer(capsys, "correspondances", "--bailleur", "OLS1", "--format", "json",
                         "--db", db)
    assert json.loads(out) == [{"bailleur_code": "OLS1", "valeur": "PREF13",
                                "reservataire_code": "ETAT-13", "origine": "manuelle"}]
    rc, out, _ = _lancer(capsys, "reservataires", "--format", "json", "--db", db)
    assert {"reservataire_code": "AUT-CAF13",
            "nom": "Caisse d'allocations familiales des Bouches-du-Rhône",
            "type_reservataire": "AUTRE", "territoire": None} in json.loads(out)

    sortie = tmp_path / "export.csv"
    rc, out, _ = _lancer(capsys, "correspondances", "export", "--out", str(sortie),
                         "--bailleur", "OLS2", "--db", db)
    assert rc == 0 and out.strip() == f"2 correspondances écrites dans {sortie}."
    assert sortie.read_bytes().decode("utf-8-sig").splitlines() == [
        "bailleur_code;valeur;reservataire_code;origine;nom;type_reservataire",
        "OLS2;CAF 13;AUT-CAF13;manuelle;Caisse d'allocations familiales des Bouches-du-Rhône;"
        "AUTRE",
        "OLS2;Préfecture 13 - contingent prioritaire;ETAT-13;manuelle;Préfet des "
        "Bouches-du-Rhône — contingent préfectoral;ETAT"]
    # The export reads back: nothing changes.
    rc, out, _ = _lancer(capsys, "correspondances", "import", str(sortie), "--db", db)
    assert rc == 0
    assert out.startswith("0 correspondance enregistrée ; 2 déjà en place ; 0 ligne rattachée.")


def test_correspondances_fichier_tout_ou_rien(db, tmp_path, capsys):
    fichier = _fichier(tmp_path, (
        "bailleur_code;valeur;reservataire_code\n"
        "OLS1;PREF13;ETAT-13\n"
        "OLS1;Bizarre;NOPE-99\n"
        "OLS1;;ETAT-13\n"
        "OLS1;pref 13;ETAT-04\n"))
    rc, out, err = _lancer(capsys, "correspondances", "import", fichier, "--db", db)
    assert rc == 1
    assert err.splitlines() == [
        "Fichier rejeté : rien n'a été écrit. 3 erreur(s) :",
        "  - ligne 3, colonne reservataire_code : réservataire « NOPE-99 » inconnu du "
        "référentiel (voir `python -m dashboard reservataires`) ; pour créer un réservataire "
        "Autre, donnez aussi son nom (colonne nom) (valeur « NOPE-99 »)",
        "  - ligne 4, colonne valeur : valeur obligatoire manquante (valeur)",
        "  - ligne 5, colonne valeur : « pref 13 » est déjà associée à ETAT-13 pour OLS1 "
        "(ligne 2) : une valeur désigne un seul réservataire (valeur « pref 13 »)"]
    rc, out, _ = _lancer(capsys, "correspondances", "--format", "json", "--db", db)
    assert json.loads(out) == []
    # A type other than Autre cannot be created through the file.
    fichier = _fichier(tmp_path, "bailleur_code;valeur;reservataire_code;nom;type_reservataire\n"
                                 "OLS1;Mairie X;COM-99999;Mairie X;Commune\n", nom="c2.csv")
    rc, _, err = _lancer(capsys, "correspondances", "import", fichier, "--db", db)
    assert rc == 1 and "seuls les réservataires de type Autre (AUTRE) se créent ici" in err
    # Headers missing.
    fichier = _fichier(tmp_path, "bailleur;code\nOLS1;ETAT-13\n", nom="c3.csv")
    rc, _, err = _lancer(capsys, "correspondances", "import", fichier, "--db", db)
    assert rc == 1 and "Colonne obligatoire « bailleur_code » introuvable" in err


def test_droits_et_sorties(db, tmp_path, capsys):
    roles = tmp_path / "roles.toml"
    roles.write_text(ROLES, encoding="utf-8")
    fichier = _fichier(tmp_path, "bailleur_code;valeur;reservataire_code\n"
                                 "OLS1;PREF13;ETAT-13\nOLS2;PREF13;ETAT-13\n")
    # A bailleur sets its own bailleur's correspondences only: exit 3, nothing written.
    rc, _, err = _lancer(capsys, "correspondances", "import", fichier, "--db", db,
                         "--as", "agent@habitat-sud.example", "--roles", str(roles))
    assert rc == 3
    assert err.strip() == ("Refusé : agent@habitat-sud.example (bailleur (OLS1)) ne peut pas "
                           "définir les correspondances du (des) bailleur(s) OLS2 : seulement "
                           "celles de OLS1.")
    rc, _, err = _lancer(capsys, "correspondances", "import", fichier, "--db", db,
                         "--as", "moi@lecture.example", "--roles", str(roles))
    assert rc == 3 and "ne peut pas définir de correspondances" in err
    rc, out, _ = _lancer(capsys, "correspondances", "--format", "json", "--db", db)
    assert json.loads(out) == []
    rc, out, _ = _lancer(capsys, "correspondances", "import", fichier, "--db", db,
                         "--as", "admin@dreal.example", "--roles", str(roles))
    assert rc == 0
    assert [(r["bailleur_code"]) for r in json.loads(
        _lancer(capsys, "correspondances", "--format", "json", "--db", db)[1])] == ["OLS1", "OLS2"]
    # Usage errors: exit 2.
    rc, _, err = _lancer(capsys, "correspondances", "import", str(tmp_path / "absent.csv"),
                         "--db", db)
    assert rc == 2 and "fichier introuvable" in err
    with pytest.raises(SystemExit) as exc:
        main(["reservataires", "--format", "xml", "--db", db])
    assert exc.value.code == 2


def test_base_occupee_sortie_4(db, tmp_path):
    gardien = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                               "print('pret', flush=True); time.sleep(60)", db],
        stdout=subprocess.PIPE, text=True)
    try:
        assert gardien.stdout.readline().strip() == "pret"
        p = subprocess.run([sys.executable, "-m", "dashboard", "correspondances", "--db", db],
                           cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert p.returncode == 4
        assert p.stderr.startswith("Base occupée : La base")
    finally:
        gardien.kill()
        gardien.wait()
    time.sleep(0.1)
