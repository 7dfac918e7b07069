"""The yearly bilan's hors flux (issue 14, CCH R.441-5), its publics prioritaires per
réservataire, and the zip of every yearly bilan written from one pass over the figures.

Hand-made database, bilan year 2025 (so the forecast is that of 2026). Communes: Marseille 13055
and Aix 13001 (EPCI 200054807), Arles 13004, Toulon 83137. Bailleurs B1 « Habitat Un » and
B2 « Logis Deux ».

Conventions 2025: ETAT13 (État) with B1 and B2 on the département 13; COM13055 (commune) with B1
on Marseille; EPCIM (EPCI) with B1 on the EPCI 200054807 (Marseille and Aix). ZZ has no
convention: its MAD of B1 in Toulon places it in the département 83.

Parc 2026 (the following year) of B1: Marseille 5 mutations and 2 relogements planned, Aix 3 and
0, Arles 0 and 0, Toulon 1 and 1. B2 has no parc 2026 (only 2025: not the forecast). B1's parc
2025 in Marseille plans 99 mutations: it must appear nowhere.

MAD 2025 hors flux: B1 Marseille 3 mutations (2 with bail, 1 in progress) and 1 relogement (bail);
B1 Arles 1 mutation refused; B1 Toulon 1 relogement (bail); B2 Aix 2 mutations (1 bail); B2
Marseille 1 relogement (refused). Not counted: a B1 mutation of 20/12/2024, a première location.
MAD of categorie FLUX (bail signé): ETAT13 at B1 Marseille (prioritaire) and at B2 Aix (flag not
given); COM13055 at B1 Marseille (not prioritaire); EPCIM at B1 Aix; ZZ at B1 Toulon.

By hand, ETAT13 (département 13 for both bailleurs):
    B1, 13: forecast 5 + 3 + 0 = 8 mutations, 2 + 0 + 0 = 2 relogements; 3 + 1 = 4 mutations
        (2 baux), 1 relogement (1 bail); communes Aix (3, 0 | 0 | 0), Arles (0, 0 | 1, 0 bail |
        0), Marseille (5, 2 | 3, 2 | 1, 1); Toulon is outside the perimeter
    B2, 13: forecast unknown (no parc 2026); 2 mutations (1 bail), 1 relogement (0 bail);
        communes Aix (2, 1 | 0), Marseille (0 | 1, 0)
    total: forecast incomplete (B2); 6 mutations (3 baux), 2 relogements (1 bail)
COM13055: B1 Marseille only: 5, 2 | 3, 2 | 1, 1. EPCIM: B1 Marseille and Aix: 8, 2 | 3, 2 | 1, 1.
ZZ: B1 in 83, Toulon: 1, 1 | 0, 0 | 1, 1.
Publics prioritaires: ETAT13 1 of 2 logements attribués (50 %), 1 without the flag (B2);
COM13055 0 of 1 (0 %, under the 25 % target).
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import openpyxl
import pandas as pd
import pytest

from dashboard import store
from dashboard.cli import main
from dashboard.exports import bilan_annuel as export_annuel
from dashboard.metrics import bilan_annuel

AUJOURD_HUI = date(2026, 2, 2)
MOTS = "parc 2026 non importé"
EN_TETES = ["Niveau", "Bailleur", "Nom du bailleur", "Département", "Code INSEE",
            "Département / commune", "Mutations prévues en 2026", "Relogements prévus en 2026",
            "Mutations en 2025", "Mutations 2025 : baux signés", "Relogements en 2025",
            "Relogements 2025 : baux signés"]


def _commune(con, code, nom, departement, epci=None):
    con.execute("INSERT INTO communes (code_insee, nom, departement, epci_siren) "
                "VALUES (?, ?, ?, ?)", [code, nom, departement, epci])


def _convention(con, bailleur, reservataire, type_reservataire, perimetre_type, perimetre_code,
                nom_bailleur):
    con.execute(
        "INSERT INTO conventions (bailleur_code, bailleur_nom, reservataire_code, "
        "type_reservataire, departement, perimetre_type, perimetre_code, annee, statut, "
        "date_signature, methode, taux_flux, import_id) VALUES (?, ?, ?, ?, '13', ?, ?, 2025, "
        "'SIGNEE', DATE '2024-12-15', 'ASSIETTE', 10, 1)",
        [bailleur, nom_bailleur, reservataire, type_reservataire, perimetre_type,
         perimetre_code])


def _parc(con, bailleur, insee, annee, mutations, relogements):
    con.execute(
        "INSERT INTO parc (bailleur_code, code_insee, annee, parc_total, logements_exclus, "
        "liberations, mutations_prevues, relogements_prevus, import_id) "
        "VALUES (?, ?, ?, 100, 0, 10, ?, ?, 1)", [bailleur, insee, annee, mutations, relogements])


_n = {"n": 0}


def _mad(con, bailleur, insee, categorie, issue="BAIL_SIGNE", reservataire=None,
         prioritaire=None, jour="2025-05-15"):
    _n["n"] += 1
    con.execute(
        "INSERT INTO mises_a_disposition (bailleur_code, reference, date_mise_a_disposition, "
        "code_insee, categorie, reservataire_code, issue, date_bail, public_prioritaire, "
        "import_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
        [bailleur, f"R{_n['n']}", date.fromisoformat(jour), insee, categorie, reservataire,
         issue, date.fromisoformat(jour) if issue == "BAIL_SIGNE" else None, prioritaire])


def remplir(con) -> None:
    _commune(con, "13055", "Marseille", "13", "200054807")
    _commune(con, "13001", "Aix-en-Provence", "13", "200054807")
    _commune(con, "13004", "Arles", "13")
    _commune(con, "83137", "Toulon", "83")
    for b, nom in (("B1", "Habitat Un"), ("B2", "Logis Deux")):
        _convention(con, b, "ETAT13", "ETAT", "DEPARTEMENT", "13", nom)
    _convention(con, "B1", "COM13055", "COMMUNE", "COMMUNE", "13055", "Habitat Un")
    _convention(con, "B1", "EPCIM", "EPCI", "EPCI", "200054807", "Habitat Un")
    for insee, m, r in (("13055", 5, 2), ("13001", 3, 0), ("13004", 0, 0), ("83137", 1, 1)):
        _parc(con, "B1", insee, 2026, m, r)
    _parc(con, "B1", "13055", 2025, 99, 99)
    _parc(con, "B2", "13001", 2025, 7, 7)
    _mad(con, "B1", "13055", "MUTATION")
    _mad(con, "B1", "13055", "MUTATION")
    _mad(con, "B1", "13055", "MUTATION", issue="EN_COURS")
    _mad(con, "B1", "13055", "RELOGEMENT")
    _mad(con, "B1", "13004", "MUTATION", issue="REFUS_DEMANDEUR")
    _mad(con, "B1", "83137", "RELOGEMENT")
    _mad(con, "B2", "13001", "MUTATION")
    _mad(con, "B2", "13001", "MUTATION", issue="REFUS_CALEOL")
    _mad(con, "B2", "13055", "RELOGEMENT", issue="SANS_CANDIDAT")
    _mad(con, "B1", "13055", "MUTATION", jour="2024-12-20")
    _mad(con, "B1", "13055", "PREMIERE_LOCATION")
    _mad(con, "B1", "13055", "FLUX", reservataire="ETAT13", prioritaire=True)
    _mad(con, "B2", "13001", "FLUX", reservataire="ETAT13")
    _mad(con, "B1", "13055", "FLUX", reservataire="COM13055", prioritaire=False)
    _mad(con, "B1", "13001", "FLUX", reservataire="EPCIM", prioritaire=True)
    _mad(con, "B1", "83137", "FLUX", reservataire="ZZ", prioritaire=True)


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


def _classeur(contenu: bytes):
    return openpyxl.load_workbook(io.BytesIO(contenu))


def _lignes(ws, depuis=2):
    return [[c.value for c in ligne] for ligne in ws.iter_rows(min_row=depuis)]


# --- the metrics -------------------------------------------------------------------------------


def _chiffres(df):
    return [(r["niveau"], r["bailleur_code"], r["code_insee"],
             None if pd.isna(r["mutations_prevues"]) else int(r["mutations_prevues"]),
             None if pd.isna(r["relogements_prevus"]) else int(r["relogements_prevus"]),
             r["mutations"], r["mutations_baux_signes"], r["relogements"],
             r["relogements_baux_signes"]) for _, r in df.iterrows()]


def test_hors_flux_etat_a_la_main(con):
    df = bilan_annuel.hors_flux_annuel(con, 2025, "ETAT13")
    assert _chiffres(df) == [
        ("Département", "B1", None, 8, 2, 4, 2, 1, 1),
        ("Commune", "B1", "13001", 3, 0, 0, 0, 0, 0),
        ("Commune", "B1", "13004", 0, 0, 1, 0, 0, 0),
        ("Commune", "B1", "13055", 5, 2, 3, 2, 1, 1),
        ("Département", "B2", None, None, None, 2, 1, 1, 0),
        ("Commune", "B2", "13001", None, None, 2, 1, 0, 0),
        ("Commune", "B2", "13055", None, None, 0, 0, 1, 0),
        ("Total", None, None, None, None, 6, 3, 2, 1),
    ]
    assert list(df["parc_suivant_importe"]) == [True] * 4 + [False] * 4
    assert list(df["bailleurs_sans_parc_suivant"]) == [""] * 4 + ["B2"] * 4
    assert list(df["libelle"])[:4] == ["Bouches-du-Rhône (13)", "Aix-en-Provence (13001)",
                                       "Arles (13004)", "Marseille (13055)"]


def test_hors_flux_perimetres_commune_epci_et_sans_convention(con):
    assert _chiffres(bilan_annuel.hors_flux_annuel(con, 2025, "COM13055")) == [
        ("Département", "B1", None, 5, 2, 3, 2, 1, 1),
        ("Commune", "B1", "13055", 5, 2, 3, 2, 1, 1),
        ("Total", None, None, 5, 2, 3, 2, 1, 1)]
    assert _chiffres(bilan_annuel.hors_flux_annuel(con, 2025, "EPCIM")) == [
        ("Département", "B1", None, 8, 2, 3, 2, 1, 1),
        ("Commune", "B1", "13001", 3, 0, 0, 0, 0, 0),
        ("Commune", "B1", "13055", 5, 2, 3, 2, 1, 1),
        ("Total", None, None, 8, 2, 3, 2, 1, 1)]
    assert _chiffres(bilan_annuel.hors_flux_annuel(con, 2025, "ZZ")) == [
        ("Département", "B1", None, 1, 1, 0, 0, 1, 1),
        ("Commune", "B1", "83137", 1, 1, 0, 0, 1, 1),
        ("Total", None, None, 1, 1, 0, 0, 1, 1)]
    # one pass for every réservataire gives the same rows
    tous = bilan_annuel.hors_flux_annuel(con, 2025)
    assert sorted(set(tous["reservataire_code"])) == ["COM13055", "EPCIM", "ETAT13", "ZZ"]
    seul = bilan_annuel.hors_flux_annuel(con, 2025, "EPCIM")
    pd.testing.assert_frame_equal(
        tous[tous["reservataire_code"] == "EPCIM"].reset_index(drop=True), seul)


def test_hors_flux_d_un_bailleur(con):
    assert _chiffres(bilan_annuel.hors_flux_annuel(con, 2025, "ETAT13", "B2")) == [
        ("Département", "B2", None, None, None, 2, 1, 1, 0),
        ("Commune", "B2", "13001", None, None, 2, 1, 0, 0),
        ("Commune", "B2", "13055", None, None, 0, 0, 1, 0),
        ("Total", None, None, None, None, 2, 1, 1, 0)]


# --- the workbook ------------------------------------------------------------------------------


def test_feuille_hors_flux_relue(con):
    wb = _classeur(export_annuel.classeur(con, 2025, "ETAT13", aujourd_hui=AUJOURD_HUI))
    assert wb.sheetnames[-1] == "Hors flux"
    ws = wb["Hors flux"]
    assert [c.value for c in ws[1]] == EN_TETES
    assert _lignes(ws) == [
        ["Département", "B1", "Habitat Un", "13", None, "Bouches-du-Rhône (13)", 8, 2, 4, 2, 1, 1],
        ["Commune", "B1", "Habitat Un", "13", "13001", "Aix-en-Provence (13001)", 3, 0, 0, 0, 0,
         0],
        ["Commune", "B1", "Habitat Un", "13", "13004", "Arles (13004)", 0, 0, 1, 0, 0, 0],
        ["Commune", "B1", "Habitat Un", "13", "13055", "Marseille (13055)", 5, 2, 3, 2, 1, 1],
        ["Département", "B2", "Logis Deux", "13", None, "Bouches-du-Rhône (13)", MOTS, MOTS, 2, 1,
         1, 0],
        ["Commune", "B2", "Logis Deux", "13", "13001", "Aix-en-Provence (13001)", MOTS, MOTS, 2,
         1, 0, 0],
        ["Commune", "B2", "Logis Deux", "13", "13055", "Marseille (13055)", MOTS, MOTS, 0, 0, 1,
         0],
        ["Total", None, None, None, None, "Total", f"incomplet : {MOTS} pour B2",
         f"incomplet : {MOTS} pour B2", 6, 3, 2, 1],
    ]
    assert ws["G2"].data_type == "n" and ws["G2"].number_format == "#,##0"
    assert ws.auto_filter.ref == "A1:L8" and ws.freeze_panes == "A2"   # total outside
    assert ws["A9"].font.bold
    couverture = {r[0]: r[1] for r in wb["Présentation"].iter_rows(values_only=True) if r[0]}
    assert couverture["Hors flux 2026"] == (
        "parc 2026 non importé pour B2 : leurs prévisions 2026 sont inconnues (jamais comptées "
        "0).")
    assert "Hors flux : prévisions" in couverture and "Hors flux : réalisé" in couverture
    assert "R.441-5 " in couverture["Cadre"]


def test_feuille_hors_flux_parc_suivant_connu(con):
    ws = _classeur(export_annuel.classeur(con, 2025, "COM13055"))["Hors flux"]
    assert _lignes(ws) == [
        ["Département", "B1", "Habitat Un", "13", None, "Bouches-du-Rhône (13)", 5, 2, 3, 2, 1, 1],
        ["Commune", "B1", "Habitat Un", "13", "13055", "Marseille (13055)", 5, 2, 3, 2, 1, 1],
        ["Total", None, None, None, None, "Total", 5, 2, 3, 2, 1, 1]]


def test_publics_prioritaires_par_reservataire(con):
    wb = _classeur(export_annuel.classeur(con, 2025, "ETAT13", aujourd_hui=AUJOURD_HUI))
    ws = wb["Synthèse"]
    assert [c.value for c in ws[1]][13:] == [
        "Attribués à des publics prioritaires", "Part publics prioritaires",
        "Attribués, public prioritaire non renseigné"]
    lignes = _lignes(ws)
    assert [l[0] for l in lignes] == ["B1", "B2", "Total"]
    assert [l[4] for l in lignes] == [1, 1, 2]                   # logements attribués
    assert [l[13:] for l in lignes] == [[1, 1.0, 0], [0, 0.0, 1], [1, 0.5, 1]]
    assert ws["O4"].number_format == "0.0%"
    couverture = {r[0]: r[1] for r in wb["Présentation"].iter_rows(values_only=True) if r[0]}
    assert couverture["Publics prioritaires (article L.441-1)"] == (
        "1 sur 2 logements attribués (50,0\u202f%) à des ménages relevant des publics "
        "prioritaires, dont 1 attribution sans l'information — sans objectif de 25 % : "
        "contingent consacré aux publics prioritaires.")
    commune = _classeur(export_annuel.classeur(con, 2025, "COM13055"))
    couverture = {r[0]: r[1] for r in commune["Présentation"].iter_rows(values_only=True)
                  if r[0]}
    assert couverture["Publics prioritaires (article L.441-1)"] == (
        "0 sur 1 logement attribué (0,0\u202f%) à des ménages relevant des publics prioritaires "
        "— sous l'objectif de 25 % au moins.")


# --- the zip in one pass -----------------------------------------------------------------------


def _valeurs(wb):
    return {ws.title: [[c.value for c in ligne] for ligne in ws.iter_rows()] for ws in wb}


def test_archive_en_une_passe_egale_aux_classeurs(con):
    contenu, sommaire = export_annuel.archive(con, 2025, aujourd_hui=AUJOURD_HUI)
    codes = ["COM13055", "EPCIM", "ETAT13", "ZZ"]
    assert list(sommaire["Fichier"]) == [f"bilan_annuel_2025_{c}.xlsx" for c in codes]
    with zipfile.ZipFile(io.BytesIO(contenu)) as zf:
        for code in codes:
            dans_zip = _valeurs(_classeur(zf.read(f"bilan_annuel_2025_{code}.xlsx")))
            seul = _valeurs(_classeur(export_annuel.classeur(con, 2025, code,
                                                             aujourd_hui=AUJOURD_HUI)))
            assert dans_zip == seul, code
        hors_flux = _lignes(_classeur(zf.read("bilan_annuel_2025_ETAT13.xlsx"))["Hors flux"])
    assert hors_flux[-1][6:] == [f"incomplet : {MOTS} pour B2", f"incomplet : {MOTS} pour B2",
                                 6, 3, 2, 1]


def test_archive_d_un_bailleur(con):
    contenu, _ = export_annuel.archive(con, 2025, "B2", aujourd_hui=AUJOURD_HUI)
    with zipfile.ZipFile(io.BytesIO(contenu)) as zf:
        assert sorted(zf.namelist()) == ["bilan_annuel_2025_ETAT13_B2.xlsx", "sommaire.csv"]
        wb = _classeur(zf.read("bilan_annuel_2025_ETAT13_B2.xlsx"))
    assert _lignes(wb["Hors flux"])[-1] == ["Total", None, None, None, None, "Total",
                                            f"incomplet : {MOTS} pour B2",
                                            f"incomplet : {MOTS} pour B2", 2, 1, 1, 0]
    couverture = {r[0]: r[1] for r in wb["Présentation"].iter_rows(values_only=True) if r[0]}
    assert couverture["Bailleur"] == "Logis Deux (B2)"
    assert couverture["Édité le"] == datetime(2026, 2, 2)


def test_cli_zip(db, tmp_path):
    sortie = tmp_path / "bilans.zip"
    assert main(["export", "bilan-annuel", "--annee", "2025", "--tous", "--out", str(sortie),
                 "--db", str(db)]) == 0
    with zipfile.ZipFile(sortie) as zf:
        ws = _classeur(zf.read("bilan_annuel_2025_ZZ.xlsx"))["Hors flux"]
    assert _lignes(ws)[-1] == ["Total", None, None, None, None, "Total", 1, 1, 0, 0, 1, 1]


# --- the page ----------------------------------------------------------------------------------


def test_page_onglet_hors_flux(db, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("FLUX_DB", str(db))
    at = AppTest.from_file("../pages/bilans-annuels.py", default_timeout=120)
    at.query_params.update({"annee": "2025", "reservataire": "ETAT13"})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    legendes = [c.value for c in at.caption]
    assert ("Hors flux 2026 : parc 2026 non importé pour B2 : leurs prévisions 2026 sont "
            "inconnues (jamais comptées 0).") in legendes
    assert ("Publics prioritaires : 1 sur 2 logements attribués (50,0\u202f%) à des ménages "
            "relevant des publics prioritaires, dont 1 attribution sans l'information — sans "
            "objectif de 25 % : contingent consacré aux publics prioritaires.") in legendes
    assert {m.label: m.value for m in at.metric}["Publics prioritaires"] == "50,0\u202f%"
    tableau = at.dataframe[-1].value
    assert list(tableau.columns) == EN_TETES
    # the total last: its forecast unknown (B2's is)
    assert list(tableau["Mutations prévues en 2026"]) == ["8", "3", "0", "5", "—", "—", "—", "—"]
    assert list(tableau["Mutations en 2025"]) == ["4", "0", "1", "3", "2", "2", "0", "6"]
