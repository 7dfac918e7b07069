"""Progress of the signature of the conventions (DOMAIN §4.6, issue 5): metrics and command line.

Expectations are computed by hand next to the data. The issue 5 acceptance test rebuilds the
PACA figures of February 2024 and reads them back from the functions and from
``python -m dashboard signatures``.
"""

import csv
import io
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import metrics_fixtures as fx
import numpy as np
import pandas as pd
import pytest

from dashboard import store
from dashboard.cli import main
from dashboard.metrics import (
    COLONNES_SIGNATURES,
    Filtres,
    documents_epci,
    documents_par_departement,
    non_signees,
    repartition_bailleurs,
    seuils_bailleurs,
    signatures,
    signatures_cumulees,
)

RACINE = Path(__file__).resolve().parent.parent
CONTRAT = ["cle", "libelle", "conventions", "signees", "taux_signature", "droits_annuels",
           "droits_signes", "taux_signature_pondere"]


def _base_droits(con=None):
    """B1 in 13 (13001, flux 100). Conventions of 2025, one per type:
      ETAT13   ETAT             25 %          → 25 droits   SIGNEE
      ETATAG13 ETAT_AGENTS       5 %          →  5          NON_SIGNEE
      ALS      ACTION_LOGEMENT  droits acquis   30          SIGNEE
      COM1     COMMUNE          10 % of 13001 → 10          EN_COURS
      REG      REGION (dép. 05, no parc nor estimate) → unknown   SIGNEE
      AUT1     AUTRE            droits acquis    6          SIGNEE
      AUT2     AUTRE            droits acquis   18          NON_SIGNEE
    """
    con = con or fx.base_vide()
    fx.commune(con, "13001", "13")
    fx.parc(con, "B1", "13001", parc_total=1000, liberations=100)
    fx.convention(con, "B1", "ETAT13", taux_flux=25)
    fx.convention(con, "B1", "ETATAG13", type_reservataire="ETAT_AGENTS", taux_flux=5,
                  statut="NON_SIGNEE", motif_non_signature="Désaccord sur le taux")
    fx.convention(con, "B1", "ALS", type_reservataire="ACTION_LOGEMENT", methode="DROITS_ACQUIS",
                  droits_annuels=30)
    fx.convention(con, "B1", "COM1", type_reservataire="COMMUNE", perimetre_type="COMMUNE",
                  perimetre_code="13001", taux_flux=10, statut="EN_COURS",
                  motif_non_signature="  ")
    fx.convention(con, "B1", "REG", type_reservataire="REGION", departement="05", taux_flux=4)
    fx.convention(con, "B1", "AUT1", type_reservataire="AUTRE", methode="DROITS_ACQUIS",
                  droits_annuels=6)
    fx.convention(con, "B1", "AUT2", type_reservataire="AUTRE", methode="DROITS_ACQUIS",
                  droits_annuels=18, statut="NON_SIGNEE",
                  motif_non_signature="attente de délibération")
    return con


def test_signatures_par_type_groupes_et_ponderation():
    con = _base_droits()
    df = signatures(con, 2025, "type_reservataire")
    assert list(df.columns)[:8] == CONTRAT
    assert list(df["cle"]) == ["ETAT", "ETAT_AGENTS", "ACTION_LOGEMENT", "COMMUNE", "AUTRES"]
    lignes = {r["cle"]: r for r in df.to_dict("records")}
    assert lignes["ETAT"]["libelle"] == "État — contingent préfectoral"
    assert lignes["AUTRES"]["libelle"] == "Autres (conseil régional, autres réservataires)"
    etat = lignes["ETAT"]
    assert (etat["conventions"], etat["signees"]) == (1, 1)
    assert etat["droits_annuels"] == pytest.approx(25)            # 25 % × 100
    assert etat["taux_signature_pondere"] == pytest.approx(1.0)
    agents = lignes["ETAT_AGENTS"]
    assert agents["taux_signature"] == 0 and agents["droits_signes"] == 0   # defined: 0 ÷ 5
    assert agents["non_signees"] == 1
    assert lignes["COMMUNE"]["droits_annuels"] == pytest.approx(10) and (
        lignes["COMMUNE"]["en_cours"] == 1)
    # AUTRES = REGION + AUTRE: 3 conventions, 2 signed (REG, AUT1)
    autres = lignes["AUTRES"]
    assert (autres["conventions"], autres["signees"]) == (3, 2)
    assert autres["taux_signature"] == pytest.approx(2 / 3)
    # weighted over the conventions whose droits are known (REG's are not): 6 signed of 6 + 18
    assert autres["droits_annuels"] == pytest.approx(24)
    assert autres["droits_signes"] == pytest.approx(6)
    assert autres["taux_signature_pondere"] == pytest.approx(0.25)
    assert autres["conventions_droits_inconnus"] == 1
    t = signatures(con, 2025, "total").iloc[0]
    assert (t["cle"], t["libelle"], t["conventions"], t["signees"]) == ("TOTAL", "Total", 7, 4)
    assert t["taux_signature"] == pytest.approx(4 / 7)
    assert t["droits_annuels"] == pytest.approx(25 + 5 + 30 + 10 + 6 + 18)           # 94
    assert t["taux_signature_pondere"] == pytest.approx((25 + 30 + 6) / 94)
    # a group whose droits are all unknown: undefined, never 0
    d = signatures(con, 2025, "departement")
    assert list(d["cle"]) == ["05", "13"] and list(d["libelle"]) == ["Hautes-Alpes",
                                                                     "Bouches-du-Rhône"]
    d05 = d.iloc[0]
    assert d05["taux_signature"] == 1.0
    assert np.isnan(d05["droits_annuels"]) and np.isnan(d05["droits_signes"])
    assert np.isnan(d05["taux_signature_pondere"])


def test_signatures_filtres_et_arguments():
    con = _base_droits()
    fx.convention(con, "B2", "ETAT13", taux_flux=25, statut="EN_COURS", bailleur_nom="Deux")
    b = signatures(con, 2025, "bailleur")
    assert list(b["cle"]) == ["B1", "B2"] and b.iloc[1]["libelle"] == "Deux"
    assert list(b["signees"]) == [4, 0]
    assert signatures(con, 2025, "total", Filtres(bailleur="B2")).iloc[0]["conventions"] == 1
    seul = signatures(con, 2025, "type_reservataire", Filtres(type_reservataire="REGION,AUTRE"))
    assert list(seul["cle"]) == ["AUTRES"]
    assert signatures(con, 2025, "total", Filtres(statut="SIGNEE")).iloc[0]["taux_signature"] == 1
    assert signatures(con, 2025, "total", Filtres(departement="84")).empty
    assert signatures(con, 2024, "type_reservataire").empty
    with pytest.raises(ValueError, match="axe inconnu"):
        signatures(con, 2025, "epci")


def test_repartition_et_seuils_stricts():
    """B1 4/4 (100 %), B2 3/4 (75 %: not above 75 %), B3 2/4 (50 %: not above 50 %), B4 1/3."""
    con = fx.base_vide()
    for bailleur, signees, total in (("B1", 4, 4), ("B2", 3, 4), ("B3", 2, 4), ("B4", 1, 3)):
        for i in range(total):
            fx.convention(con, bailleur, f"R{i}", taux_flux=1,
                          statut="SIGNEE" if i < signees else "EN_COURS")
    r = repartition_bailleurs(con, 2025)
    assert list(r.columns) == ["bailleur_code", "bailleur_nom", "conventions", "signees",
                               "taux_signature"]
    assert list(r["bailleur_code"]) == ["B1", "B2", "B3", "B4"]
    assert list(r["taux_signature"]) == pytest.approx([1.0, 0.75, 0.5, 1 / 3])
    s = seuils_bailleurs(con, 2025)
    assert list(s.columns) == ["bailleurs", "au_dessus_50", "part_au_dessus_50", "au_dessus_75",
                               "part_au_dessus_75"]
    assert s.iloc[0].to_dict() == {"bailleurs": 4, "au_dessus_50": 2, "part_au_dessus_50": 0.5,
                                   "au_dessus_75": 1, "part_au_dessus_75": 0.25}
    vide = seuils_bailleurs(con, 2030).iloc[0]
    assert vide["bailleurs"] == 0 and np.isnan(vide["part_au_dessus_50"])


# --- issue 5: the PACA reference point of February 2024 ---------------------------------------

# Per bailleur: (signed, unsigned). Rates: B01, B02 100 %; B03–B05 75 % (above 50 %, not above
# 75 %); B06 50 % (not above 50 %); B07 3/18; B08–B10 2/21.
#   above 50 %: B01–B05 = 5 of 10 = 50 %;  above 75 %: B01, B02 = 2 of 10 = 20 %.
BAILLEURS_PACA = {"B01": (4, 0), "B02": (4, 0), "B03": (3, 1), "B04": (3, 1), "B05": (3, 1),
                  "B06": (2, 2), "B07": (3, 15), "B08": (2, 19), "B09": (2, 19), "B10": (2, 19)}
# Per type: (signed, unsigned).
#   Action Logement 6 / 10 = 60 %; communes 7 / 50 = 14 %; EPCI 8 / 25 = 32 %;
#   autres: région 3 / 8 + autres 4 / 12 → 7 / 20 = 35 %.
# Signed 6 + 7 + 8 + 3 + 4 = 28 = Σ signed of the bailleurs (4+4+3+3+3+2+3+2+2+2);
# unsigned 4 + 43 + 17 + 5 + 8 = 77 = Σ unsigned of the bailleurs (0+0+1+1+1+2+15+19+19+19).
TYPES_PACA = {"ACTION_LOGEMENT": (6, 4), "COMMUNE": (7, 43), "EPCI": (8, 17),
              "REGION": (3, 5), "AUTRE": (4, 8)}


def _paca_2024(con):
    """105 conventions of 2024: the signed ones of each type dealt to the bailleurs' signed
    slots in order, the unsigned ones to their unsigned slots."""
    signees = [t for t, (s, _) in TYPES_PACA.items() for _ in range(s)]
    autres = [t for t, (_, n) in TYPES_PACA.items() for _ in range(n)]
    assert len(signees) == sum(s for s, _ in BAILLEURS_PACA.values()) == 28
    assert len(autres) == sum(n for _, n in BAILLEURS_PACA.values()) == 77
    numero = 0
    for bailleur, (s, n) in BAILLEURS_PACA.items():
        for statut, pile, k in (("SIGNEE", signees, s), ("NON_SIGNEE", autres, n)):
            for _ in range(k):
                numero += 1
                fx.convention(con, bailleur, f"R{numero:03d}", type_reservataire=pile.pop(0),
                              annee=2024, statut=statut, date_signature="2024-02-01",
                              methode="DROITS_ACQUIS", droits_annuels=10)


def _verifier_paca(par_type: dict) -> None:
    assert par_type["ACTION_LOGEMENT"] == pytest.approx(0.60)
    assert par_type["COMMUNE"] == pytest.approx(0.14)
    assert par_type["EPCI"] == pytest.approx(0.32)
    assert par_type["AUTRES"] == pytest.approx(0.35)


def test_issue_5_paca_fevrier_2024(tmp_path):
    chemin = tmp_path / "paca.duckdb"
    con = store.connect(chemin)
    _paca_2024(con)
    df = signatures(con, 2024, "type_reservataire")
    assert list(df["cle"]) == ["ACTION_LOGEMENT", "COMMUNE", "EPCI", "AUTRES"]
    _verifier_paca(dict(zip(df["cle"], df["taux_signature"])))
    # every convention has 10 droits: the weighted rate is the same
    _verifier_paca(dict(zip(df["cle"], df["taux_signature_pondere"])))
    s = seuils_bailleurs(con, 2024).iloc[0]
    assert s["bailleurs"] == 10
    assert (s["au_dessus_50"], s["part_au_dessus_50"]) == (5, pytest.approx(0.5))
    assert (s["au_dessus_75"], s["part_au_dessus_75"]) == (2, pytest.approx(0.2))
    con.close()

    env = {**os.environ, "PYTHONPATH": str(RACINE)}

    def cli(par: str) -> list[dict]:
        r = subprocess.run(
            [sys.executable, "-m", "dashboard", "signatures", "--annee", "2024", "--par", par,
             "--format", "json", "--db", str(chemin)],
            capture_output=True, text=True, cwd=RACINE, env=env, timeout=120)
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)

    par_type = cli("type_reservataire")
    assert list(par_type[0])[:8] == CONTRAT
    _verifier_paca({d["cle"]: d["taux_signature"] for d in par_type})
    assert {d["cle"]: d["taux_signature"] for d in par_type} == {
        "ACTION_LOGEMENT": 0.6, "COMMUNE": 0.14, "EPCI": 0.32, "AUTRES": 0.35}
    par_bailleur = cli("bailleur")
    taux = [d["taux_signature"] for d in par_bailleur]
    assert len(taux) == 10
    assert sum(t > 0.5 for t in taux) / len(taux) == 0.5           # half above 50 %
    assert sum(t > 0.75 for t in taux) / len(taux) == 0.2          # 20 % above 75 %


# --- over time, unsigned, EPCI documents ------------------------------------------------------

def test_signatures_cumulees():
    con = fx.base_vide()
    fx.convention(con, "B1", "R1", annee=2024, taux_flux=1, date_signature="2023-11-24")
    fx.convention(con, "B1", "R2", annee=2024, taux_flux=1, date_signature="2024-01-01")
    fx.convention(con, "B1", "R3", annee=2024, taux_flux=1, date_signature="2024-01-01")
    fx.convention(con, "B1", "R4", annee=2024, taux_flux=1, date_signature=None)  # no date
    fx.convention(con, "B1", "R5", annee=2024, taux_flux=1, statut="EN_COURS")
    fx.convention(con, "B1", "R1", annee=2025, taux_flux=1, date_signature="2025-03-10")
    df = signatures_cumulees(con, [2025, 2024])
    assert list(df.columns) == ["annee", "date_signature", "signees_cumulees", "signees_jour",
                                "jour_relatif"]
    assert df[["annee", "signees_cumulees", "signees_jour", "jour_relatif"]].values.tolist() == [
        [2024, 1, 1, -38],     # 24/11/2023: 38 days before 01/01/2024 (7 in Nov + 31 in Dec)
        [2024, 3, 2, 0],       # 01/01/2024: 2 more
        [2025, 1, 1, 68],      # 10/03/2025: 31 + 28 + 9 days after 01/01/2025
    ]
    assert list(df["date_signature"]) == [pd.Timestamp("2023-11-24"), pd.Timestamp("2024-01-01"),
                                          pd.Timestamp("2025-03-10")]
    assert signatures_cumulees(con, [2030]).empty
    assert signatures_cumulees(con, []).empty


def test_non_signees():
    con = _base_droits()
    df = non_signees(con, 2025)
    assert list(df.columns)[:10] == [
        "bailleur_code", "bailleur_nom", "reservataire_code", "reservataire_nom",
        "type_reservataire", "departement", "perimetre_type", "perimetre_code", "statut",
        "motif_non_signature"]
    # by motif, case and accents ignored: « attente… », « Désaccord… », « Motif non renseigné »
    assert list(df["reservataire_code"]) == ["AUT2", "ETATAG13", "COM1"]
    assert list(df["motif_non_signature"]) == ["attente de délibération", "Désaccord sur le taux",
                                               "Motif non renseigné"]
    assert list(df["statut"]) == ["NON_SIGNEE", "NON_SIGNEE", "EN_COURS"]
    com = df.iloc[2]
    assert (com["perimetre_type"], com["perimetre_code"]) == ("COMMUNE", "13001")
    assert non_signees(con, 2025, Filtres(type_reservataire="COMMUNE"))["reservataire_code"].tolist(
    ) == ["COM1"]


def test_documents_epci():
    con = fx.base_vide()
    fx.epci(con, "E1", "CA Une", "13")
    fx.epci(con, "E2", "CC Deux", "13")
    fx.epci(con, "E3", "CA Trois", "84")
    fx.epci(con, "E4", "CA Sans document", "84")
    rows = [("E1", "CIL", "ADOPTE", date(2020, 1, 1), 1), ("E1", "CIA", "EN_COURS", None, 1),
            ("E2", "CIL", "NON_ENGAGE", None, 1),
            ("E3", "CIL", "EN_COURS", date(2023, 1, 1), 1),
            ("E3", "CIL", "ADOPTE", date(2024, 6, 1), 2)]   # a later import wins
    con.executemany("INSERT INTO documents_epci VALUES (?, ?, ?, ?, ?)", rows)
    d = documents_epci(con)
    assert list(d.columns) == ["epci_siren", "epci_nom", "departement", "document", "statut",
                               "date_document"]
    assert d[["epci_siren", "document", "statut"]].values.tolist() == [
        ["E1", "CIL", "ADOPTE"], ["E1", "CIA", "EN_COURS"], ["E2", "CIL", "NON_ENGAGE"],
        ["E3", "CIL", "ADOPTE"]]
    assert list(d["epci_nom"]) == ["CA Une", "CA Une", "CC Deux", "CA Trois"]
    p = documents_par_departement(con)
    assert p[["departement", "document", "nb_epci", "adoptes", "en_cours", "non_engages",
              "non_renseignes"]].values.tolist() == [
        ["13", "CIL", 2, 1, 0, 1, 0],      # E1 adopted, E2 not engaged
        ["13", "CIA", 2, 0, 1, 0, 1],      # E1 in progress, E2 nothing said
        ["84", "CIL", 1, 1, 0, 0, 0],      # E3 only (E4 has no document: not followed)
        ["84", "CIA", 1, 0, 0, 0, 1]]
    assert list(p["part_adoptes"]) == pytest.approx([0.5, 0.0, 1.0, 0.0])
    assert p.iloc[0]["departement_libelle"] == "13 — Bouches-du-Rhône"
    assert p.iloc[1]["document_libelle"] == "Convention intercommunale d'attribution (CIA)"
    assert documents_par_departement(fx.base_vide()).empty


# --- the command line -------------------------------------------------------------------------

@pytest.fixture
def db(tmp_path):
    chemin = tmp_path / "flux.duckdb"
    con = store.connect(chemin)
    _base_droits(con)
    con.close()
    return str(chemin)


def test_cli_csv_json_comme_le_bilan(db, capsys):
    assert main(["signatures", "--annee", "2025", "--par", "type_reservataire", "--format",
                 "csv", "--db", db]) == 0
    sortie = capsys.readouterr().out
    assert sortie.splitlines()[0].split(",")[:8] == CONTRAT
    lignes = {r["cle"]: r for r in csv.DictReader(io.StringIO(sortie))}
    autres = lignes["AUTRES"]
    assert (autres["conventions"], autres["signees"]) == ("3", "2")
    assert autres["taux_signature"] == "0.6667"          # 2 ÷ 3, a fraction to 4 decimals
    assert autres["droits_annuels"] == "24.0" and autres["droits_signes"] == "6.0"
    assert autres["taux_signature_pondere"] == "0.25"
    assert main(["signatures", "--annee", "2025", "--par", "departement", "--format", "json",
                 "--db", db]) == 0
    donnees = json.loads(capsys.readouterr().out)
    assert list(donnees[0])[:8] == CONTRAT
    d05 = donnees[0]
    assert d05["cle"] == "05" and d05["droits_annuels"] is None   # unknown: null, not 0
    assert d05["taux_signature_pondere"] is None and d05["taux_signature"] == 1.0
    assert main(["signatures", "--annee", "2025", "--par", "bailleur", "--format", "json",
                 "--db", db]) == 0
    b1 = json.loads(capsys.readouterr().out)[0]
    assert b1["taux_signature"] == 0.5714                # 4 ÷ 7
    assert b1["taux_signature_pondere"] == 0.6489        # 61 ÷ 94 = 0.64893…
    assert b1["droits_annuels"] == 94.0


def test_cli_table_pour_les_gens(db, capsys):
    assert main(["signatures", "--annee", "2025", "--par", "type_reservataire", "--db", db]) == 0
    sortie = capsys.readouterr().out
    assert "Signature des conventions 2025 — par type de réservataire" in sortie
    assert "Taux de signature" in sortie
    assert "66,7\u202f%" in sortie                       # AUTRES: 2 of 3
    assert "Total" in sortie and "57,1\u202f%" in sortie  # 4 of 7
    assert "Bailleurs ayant signé plus de 50\u202f%" in sortie
    assert "nan" not in sortie.lower()
    assert main(["signatures", "--annee", "2030", "--par", "bailleur", "--db", db]) == 0
    assert "Aucune convention" in capsys.readouterr().out


def test_cli_erreurs_d_utilisation(db, tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["signatures", "--annee", "2025", "--par", "epci", "--db", db])
    assert exc.value.code == 2 and "axe inconnu" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["signatures", "--annee", "deux", "--par", "bailleur", "--db", db])
    assert exc.value.code == 2 and "année invalide" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["signatures", "--annee", "2025", "--db", db])
    assert exc.value.code == 2 and "obligatoires" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["signatures", "--annee", "2025", "--par", "bailleur", "--format", "xml",
              "--db", db])
    assert exc.value.code == 2
    absente = str(tmp_path / "absente.duckdb")
    assert main(["signatures", "--annee", "2025", "--par", "bailleur", "--db", absente]) == 2
    assert "base introuvable" in capsys.readouterr().err
    assert COLONNES_SIGNATURES == tuple(CONTRAT)
