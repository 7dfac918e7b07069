"""Publics prioritaires (issue 14, CCH L.441-1, DOMAIN §4.9): the bilan's columns on every axis,
the page's figures per réservataire and per bailleur, the control at T4, the chart, the command
line and the quarterly workbook.

Hand-made database, year 2025, département 13 (Marseille 13055, Aix 13001). Every MAD below is of
categorie FLUX unless said; « bail » = issue BAIL_SIGNE, signed the day of the MAD unless said;
« prio » = public_prioritaire (True / False / None = not given).

    COM13055 (commune, convention of B1 on Marseille)  c1 10/02 F, c2 10/05 F, c3 10/08 F,
        c4 10/11 T                         -> 4 baux, 1 prio: exactly 25 % (not flagged)
    ALS (Action Logement, conventions of B1 and B2 on the département)
        B1 in Aix: a1 15/01 T, a2 15/04 None, a3 20/04 F, a4 15/07 F,
                   a5 20/12 F with its bail on 05/01/2026, a6 01/03 refused (prio T, no bail)
                                           -> 5 baux, 1 prio, 1 unknown: 20 % (flagged)
        B2 in Marseille: b1..b4 01/06–04/06 T, T, F, F  -> 4 baux, 2 prio: 50 %
    ETAT13 (contingent préfectoral, B1): e1, e2 01/09 F   -> 0 %, no target
    AGENTS13 (agents de l'État, B1): g1 05/10 F          -> 0 %, no target
    ZZ (no convention, B1): z1 03/03 refused CALEOL       -> no bail: share undefined
    NON_RESERVE of B1 in Marseille: n1..n3 01/10 F        -> 0 of 3: 0 % (flagged)
    NON_RESERVE of B2 in Aix: m1 T, m2..m4 F (02/10), m5 in progress (T)
                                           -> 1 of 4: exactly 25 % (not flagged)
    a MUTATION of B1 with a bail and prio T: outside every figure.

By hand, view « mad » (MAD dated in the window whose issue is BAIL_SIGNE), cumulative to T4:
    per réservataire: COM13055 4 / 1 -> 0.25; ALS 9 / 3 (1 unknown) -> 1/3; ETAT13 2 / 0;
                      AGENTS13 1 / 0; ZZ 0 baux -> undefined
    per bailleur: B1 4 + 5 + 2 + 1 = 12 baux, 1 + 1 = 2 prio, 1 unknown -> 1/6; B2 4 / 2 -> 0.5
    total 16 baux, 4 prio -> 0.25; per quarter (date of MAD): T1 c1 a1 -> 2 / 1;
        T2 c2 a2 a3 b1 b2 b3 b4 -> 7 / 2 (1 unknown); T3 c3 a4 e1 e2 -> 4 / 0; T4 c4 a5 g1 -> 3 / 1
    at T2: ALS a1 a2 a3 b1..b4 -> 7 / 3 (1 unknown)
View « baux » (date of bail) at T4: a5's bail is in 2026 -> ALS 8 / 3, total 15 / 4.
Own non-reserved dwellings: B1 3 / 0 -> 0; B2 4 / 1 -> 0.25; together 7 / 1 -> 1/7.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import numpy as np
import openpyxl
import pandas as pd
import pytest

from dashboard import charts, contenu_bilan, store
from dashboard.cli import main
from dashboard.exports import trimestriel
from dashboard.metrics import Filtres, bilan, controles, total
from dashboard.metrics import prioritaires as prio

COLONNES_AVANT = [
    "cle", "libelle", "droits_annuels", "droits_prevus", "mises_a_disposition", "ecart",
    "taux_realisation", "baux_signes", "taux_chute", "part_prevue", "part_reelle",
    "nb_conventions", "nb_conventions_droits_inconnus", "mad_sans_convention", "mad_chutees",
    "mad_en_cours", "flux_annuel", "mad_flux_perimetres"]
COLONNES_PRIORITAIRES = ["baux_prioritaires", "part_prioritaires", "baux_prioritaires_inconnus"]


def _commune(con, code, nom):
    con.execute("INSERT INTO communes (code_insee, nom, departement, epci_siren) "
                "VALUES (?, ?, '13', NULL)", [code, nom])


def _convention(con, bailleur, reservataire, type_reservataire, perimetre_type="DEPARTEMENT",
                perimetre_code="13", nom=None):
    con.execute(
        "INSERT INTO conventions (bailleur_code, reservataire_code, reservataire_nom, "
        "type_reservataire, departement, perimetre_type, perimetre_code, annee, statut, "
        "date_signature, methode, taux_flux, import_id) "
        "VALUES (?, ?, ?, ?, '13', ?, ?, 2025, 'SIGNEE', DATE '2024-12-15', 'ASSIETTE', 10, 1)",
        [bailleur, reservataire, nom, type_reservataire, perimetre_type, perimetre_code])


def _mad(con, bailleur, reference, date_mad, insee, reservataire=None, prioritaire=None,
         issue="BAIL_SIGNE", date_bail=None, categorie="FLUX"):
    if issue == "BAIL_SIGNE" and date_bail is None:
        date_bail = date_mad
    con.execute(
        "INSERT INTO mises_a_disposition (bailleur_code, reference, date_mise_a_disposition, "
        "code_insee, categorie, reservataire_code, issue, date_bail, public_prioritaire, "
        "import_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
        [bailleur, reference, date.fromisoformat(date_mad), insee, categorie, reservataire,
         issue, date.fromisoformat(date_bail) if date_bail else None, prioritaire])


def remplir(con) -> None:
    _commune(con, "13055", "Marseille")
    _commune(con, "13001", "Aix-en-Provence")
    _convention(con, "B1", "COM13055", "COMMUNE", "COMMUNE", "13055", "Ville de Marseille")
    _convention(con, "B1", "ALS", "ACTION_LOGEMENT", nom="Action Logement Services")
    _convention(con, "B2", "ALS", "ACTION_LOGEMENT", nom="Action Logement Services")
    _convention(con, "B1", "ETAT13", "ETAT", nom="Préfet 13")
    _convention(con, "B1", "AGENTS13", "ETAT_AGENTS", nom="Préfet 13 — agents")
    for ref, jour, p in (("c1", "2025-02-10", False), ("c2", "2025-05-10", False),
                         ("c3", "2025-08-10", False), ("c4", "2025-11-10", True)):
        _mad(con, "B1", ref, jour, "13055", "COM13055", p)
    _mad(con, "B1", "a1", "2025-01-15", "13001", "ALS", True)
    _mad(con, "B1", "a2", "2025-04-15", "13001", "ALS", None)
    _mad(con, "B1", "a3", "2025-04-20", "13001", "ALS", False)
    _mad(con, "B1", "a4", "2025-07-15", "13001", "ALS", False)
    _mad(con, "B1", "a5", "2025-12-20", "13001", "ALS", False, date_bail="2026-01-05")
    _mad(con, "B1", "a6", "2025-03-01", "13001", "ALS", True, issue="REFUS_DEMANDEUR")
    for ref, jour, p in (("b1", "2025-06-01", True), ("b2", "2025-06-02", True),
                         ("b3", "2025-06-03", False), ("b4", "2025-06-04", False)):
        _mad(con, "B2", ref, jour, "13055", "ALS", p)
    _mad(con, "B1", "e1", "2025-09-01", "13055", "ETAT13", False)
    _mad(con, "B1", "e2", "2025-09-01", "13055", "ETAT13", False)
    _mad(con, "B1", "g1", "2025-10-05", "13055", "AGENTS13", False)
    _mad(con, "B1", "z1", "2025-03-03", "13055", "ZZ", True, issue="REFUS_CALEOL")
    for ref in ("n1", "n2", "n3"):
        _mad(con, "B1", ref, "2025-10-01", "13055", None, False, categorie="NON_RESERVE")
    _mad(con, "B2", "m1", "2025-10-02", "13001", None, True, categorie="NON_RESERVE")
    for ref in ("m2", "m3", "m4"):
        _mad(con, "B2", ref, "2025-10-02", "13001", None, False, categorie="NON_RESERVE")
    _mad(con, "B2", "m5", "2025-10-02", "13001", None, True, issue="EN_COURS",
         categorie="NON_RESERVE")
    _mad(con, "B1", "x1", "2025-05-05", "13055", None, True, categorie="MUTATION")


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


def _ligne(df, cle, colonne="cle"):
    trouve = df[df[colonne] == cle]
    assert len(trouve) == 1, (cle, list(df[colonne]))
    return trouve.iloc[0]


def _chiffres(ligne):
    return (int(ligne["baux_signes"]), int(ligne["baux_prioritaires"]),
            int(ligne["baux_prioritaires_inconnus"]))


# --- the bilan's columns ---------------------------------------------------------------------


def test_colonnes_apres_les_existantes_sur_chaque_axe(con):
    for par in ("reservataire", "type_reservataire", "bailleur", "departement", "epci",
                "trimestre"):
        assert list(bilan(con, 2025, 4, par).columns) == COLONNES_AVANT + COLONNES_PRIORITAIRES


def test_par_reservataire_a_la_main(con):
    df = bilan(con, 2025, 4, "reservataire")
    assert _chiffres(_ligne(df, "COM13055")) == (4, 1, 0)
    assert _ligne(df, "COM13055")["part_prioritaires"] == 0.25
    assert _chiffres(_ligne(df, "ALS")) == (9, 3, 1)
    assert _ligne(df, "ALS")["part_prioritaires"] == pytest.approx(1 / 3)
    assert _chiffres(_ligne(df, "ETAT13")) == (2, 0, 0)
    assert _ligne(df, "ETAT13")["part_prioritaires"] == 0.0
    assert _chiffres(_ligne(df, "AGENTS13")) == (1, 0, 0)
    zz = _ligne(df, "ZZ")                                  # a refused MAD, no bail
    assert _chiffres(zz) == (0, 0, 0) and np.isnan(zz["part_prioritaires"])


def test_autres_axes_a_la_main(con):
    types = bilan(con, 2025, 4, "type_reservataire")
    assert _chiffres(_ligne(types, "COMMUNE")) == (4, 1, 0)
    assert _chiffres(_ligne(types, "ACTION_LOGEMENT")) == (9, 3, 1)
    assert _chiffres(_ligne(types, "ETAT")) == (2, 0, 0)
    assert _chiffres(_ligne(types, "ETAT_AGENTS")) == (1, 0, 0)
    bailleurs = bilan(con, 2025, 4, "bailleur")
    assert _chiffres(_ligne(bailleurs, "B1")) == (12, 2, 1)
    assert _ligne(bailleurs, "B1")["part_prioritaires"] == pytest.approx(1 / 6)
    assert _chiffres(_ligne(bailleurs, "B2")) == (4, 2, 0)
    assert _ligne(bailleurs, "B2")["part_prioritaires"] == 0.5
    assert _chiffres(_ligne(bilan(con, 2025, 4, "departement"), "13")) == (16, 4, 1)
    assert _chiffres(_ligne(bilan(con, 2025, 4, "epci"), "NON_VENTILE")) == (16, 4, 1)
    t = total(con, 2025, 4).iloc[0]
    assert _chiffres(t) == (16, 4, 1) and t["part_prioritaires"] == 0.25
    trimestres = bilan(con, 2025, 4, "trimestre")
    assert [_chiffres(r) for _, r in trimestres.iterrows()] == [
        (2, 1, 0), (7, 2, 1), (4, 0, 0), (3, 1, 0)]


def test_fenetre_et_vue_baux(con):
    assert _chiffres(_ligne(bilan(con, 2025, 2, "reservataire"), "ALS")) == (7, 3, 1)
    # the quarter alone: T2 = a2 a3 b1..b4
    assert _chiffres(_ligne(bilan(con, 2025, 2, "reservataire", periode="trimestre"),
                            "ALS")) == (6, 2, 1)
    # by date of bail, a5's bail (05/01/2026) is out of 2025
    baux = bilan(con, 2025, 4, "reservataire", vue="baux")
    assert _chiffres(_ligne(baux, "ALS")) == (8, 3, 1)
    assert _ligne(baux, "ALS")["part_prioritaires"] == pytest.approx(3 / 8)
    assert _chiffres(total(con, 2025, 4, vue="baux").iloc[0]) == (15, 4, 1)


# --- the page's figures ------------------------------------------------------------------------


def test_page_par_reservataire_objectifs_et_ordre(con):
    df = prio.par_reservataire(con, 2025, 4)
    # targets first, lowest share first (own non-reserved 1/7, commune 25 %, ALS 1/3); then
    # those without target (both at 0 %: by code); ZZ (no bail) is not there
    assert list(df["cle"]) == ["NON_RESERVE", "COM13055", "ALS", "AGENTS13", "ETAT13"]
    assert _chiffres(_ligne(df, "NON_RESERVE")) == (7, 1, 0)
    assert _ligne(df, "NON_RESERVE")["part_prioritaires"] == pytest.approx(1 / 7)
    assert list(df["cible_prioritaires"][:3]) == [0.25, 0.25, 0.25]
    assert df["cible_prioritaires"][3:].isna().all()
    etat = _ligne(df, "ETAT13")
    assert etat["objectif"] == "Sans objectif : contingent consacré aux publics prioritaires"
    assert _ligne(df, "AGENTS13")["objectif"] == "Sans objectif (agents de l'État)"
    assert _ligne(df, "ALS")["objectif"] == "25 % au moins"
    assert _ligne(df, "ALS")["libelle"] == "Action Logement Services"


def test_page_par_bailleur_reservataires_et_non_reserve(con):
    df = prio.par_bailleur(con, 2025, 4)
    assert list(zip(df["cle"], df["contingent"])) == [
        ("B1", "RESERVATAIRES"), ("B1", "NON_RESERVE"), ("B2", "RESERVATAIRES"),
        ("B2", "NON_RESERVE")]
    # B1's réservataires with a target: COM13055 4 / 1 and ALS 5 / 1 (1 unknown)
    assert [_chiffres(r) for _, r in df.iterrows()] == [(9, 2, 1), (3, 0, 0), (4, 2, 0),
                                                        (4, 1, 0)]
    assert list(df["part_prioritaires"]) == pytest.approx([2 / 9, 0.0, 0.5, 0.25])


def test_non_reserve_filtres(con):
    assert _chiffres(_ligne(prio.non_reserve(con, 2025, 4), "B2")) == (4, 1, 0)
    assert list(prio.non_reserve(con, 2025, 4,
                                 filtres=Filtres(bailleur=["B1"]))["cle"]) == ["B1"]
    # the dwellings have no réservataire: a selection by type holds none of them
    assert prio.non_reserve(con, 2025, 4, filtres=Filtres(type_reservataire=["COMMUNE"])).empty
    filtre = prio.par_bailleur(con, 2025, 4, filtres=Filtres(type_reservataire=["COMMUNE"]))
    assert list(zip(filtre["cle"], filtre["contingent"])) == [("B1", "RESERVATAIRES")]
    assert _chiffres(filtre.iloc[0]) == (4, 1, 0)


def test_phrases_a_retenir(con):
    fin = date(2025, 12, 31)
    phrase = contenu_bilan.message_prioritaires_reservataires(
        prio.par_reservataire(con, 2025, 4), fin)
    assert phrase == (
        "Les 2 réservataires soumis à l'objectif atteignent 25\u202f% de baux signés avec des "
        "publics prioritaires au 31/12/2025 ; le plus bas : Ville de Marseille, 25,0\u202f% "
        "(1 sur 4 baux signés). Logements non réservés des bailleurs : 14,3\u202f% (sous "
        "l'objectif). Contingent de l'État (sans objectif, consacré aux publics prioritaires) : "
        "0,0\u202f%. 1 bail sans l'information (public prioritaire non renseigné), compté parmi "
        "les baux signés.")
    phrase = contenu_bilan.message_prioritaires_bailleurs(prio.par_bailleur(con, 2025, 4), fin)
    assert phrase.startswith(
        "Bailleurs sous 25\u202f% de baux signés avec des publics prioritaires au 31/12/2025 : "
        "1 sur 2 pour les réservataires soumis à l'objectif ; 1 sur 2 pour leurs logements non "
        "réservés.")


def test_graphique_le_contingent_de_l_etat_sans_objectif(con):
    df = prio.par_reservataire(con, 2025, 4)
    fig = charts.barres_prioritaires(df)
    barres = {t.name: list(t.y) for t in fig.data if t.type == "bar"}
    assert barres == {
        "Sous l'objectif de 25 %": ["Logements non réservés des bailleurs"],
        "Objectif atteint": ["Ville de Marseille", "Action Logement Services"],
        "Sans objectif de 25 %": ["Préfet 13 — agents", "Préfet 13"]}
    cibles = [t for t in fig.data if t.type == "scatter"]
    assert len(cibles) == 1                         # one tick per bar that has a target
    assert list(cibles[0].y) == ["Logements non réservés des bailleurs", "Ville de Marseille",
                                 "Action Logement Services"]
    assert list(cibles[0].x) == [0.25, 0.25, 0.25]
    # per bailleur, every bar has the target: one line across the chart
    fig = charts.barres_prioritaires(prio.par_bailleur(con, 2025, 4),
                                     series="libelle_contingent")
    assert [s.x0 for s in fig.layout.shapes] == [0.25]
    assert not [t for t in fig.data if t.type == "scatter"]


# --- the control -------------------------------------------------------------------------------


def _sous_25(con, **kwargs):
    df = controles(con, 2025, **kwargs)
    return df[df["controle"] == "PRIORITAIRES_SOUS_25"].reset_index(drop=True)


def test_controle_a_t4_sous_25_seulement(con):
    df = _sous_25(con, aujourd_hui=date(2026, 2, 1))
    # ALS at B1 (20 %) and B1's own dwellings (0 %); not COM13055 nor B2's own (exactly 25 %),
    # nor ALS at B2 (50 %), nor the State's contingents (no target)
    assert list(df["bailleur_code"]) == ["B1", "B1"]
    assert pd.isna(df["reservataire_code"][0]) and df["reservataire_code"][1] == "ALS"
    assert list(df["niveau"]) == ["avertissement", "avertissement"]
    assert list(df["valeur"]) == pytest.approx([0.0, 20.0])
    assert list(df["seuil"]) == [25.0, 25.0]
    assert list(df["nombre"]) == [3, 5]
    assert list(df["departement"]) == ["13", "13"]
    assert df["reservataire_nom"][0] == "Logements non réservés du bailleur"
    assert df["message"][1] == (
        "Chez B1 dans le département 13 (Bouches-du-Rhône), Action Logement Services (ALS) : 1 "
        "sur 5 baux signés en 2025 avec des publics prioritaires, soit 20,0\u202f%, sous "
        "l'objectif de 25\u202f% (article L.441-1 du CCH) ; 1 bail sans l'information (public "
        "prioritaire non renseigné) compte parmi les baux signés.")
    assert df["message"][0] == (
        "Les logements non réservés de B1 dans le département 13 (Bouches-du-Rhône) : 0 sur 3 "
        "baux signés en 2025 avec des publics prioritaires, soit 0,0\u202f%, sous l'objectif de "
        "25\u202f% (article L.441-1 du CCH).")


def test_controle_seulement_a_t4(con):
    assert _sous_25(con, trimestre=3, aujourd_hui=date(2026, 2, 1)).empty
    assert _sous_25(con, aujourd_hui=date(2025, 11, 15)).empty     # T4 not ended
    assert len(_sous_25(con, trimestre=4, aujourd_hui=date(2026, 2, 1))) == 2


def test_controle_sur_plusieurs_departements_sous_chacun_d_eux(con):
    # B1 also signs a bail for ALS in Avignon (84), not to a public prioritaire: B1 x ALS has
    # 6 baux in 13 and 84, 1 prio -> 1/6 = 16,7 % (flagged), no single département
    con.execute("INSERT INTO communes (code_insee, nom, departement, epci_siren) "
                "VALUES ('84007', 'Avignon', '84', NULL)")
    _mad(con, "B1", "v1", "2025-06-10", "84007", "ALS", False)
    tous = _sous_25(con, aujourd_hui=date(2026, 2, 1))
    als = tous[tous["reservataire_code"] == "ALS"].reset_index(drop=True)
    assert len(als) == 1 and pd.isna(als["departement"][0])
    assert als["nombre"][0] == 6 and als["valeur"][0] == pytest.approx(100 / 6)
    assert als["message"][0].startswith(
        "Chez B1 dans les départements 13 et 84, Action Logement Services (ALS) : 1 sur 6 baux "
        "signés en 2025 avec des publics prioritaires, soit 16,7\u202f%, sous l'objectif")
    # shown under each département of its baux, not under another one
    for dep in ("13", "84"):
        filtre = _sous_25(con, aujourd_hui=date(2026, 2, 1), filtres=Filtres(departement=(dep,)))
        assert "ALS" in set(filtre["reservataire_code"]), dep
    assert _sous_25(con, aujourd_hui=date(2026, 2, 1), filtres=Filtres(departement=("06",))).empty
    # B1's own dwellings stay in 13 only
    seuls_84 = _sous_25(con, aujourd_hui=date(2026, 2, 1), filtres=Filtres(departement=("84",)))
    assert list(seuls_84["reservataire_code"]) == ["ALS"]


# --- command line and workbook -----------------------------------------------------------------


def test_cli_csv_et_json(db, capsys):
    assert main(["bilan", "--annee", "2025", "--trimestre", "4", "--par", "reservataire",
                 "--format", "csv", "--db", str(db)]) == 0
    sortie = capsys.readouterr().out
    assert sortie.splitlines()[0].split(",") == COLONNES_AVANT + COLONNES_PRIORITAIRES
    lignes = {r["cle"]: r for r in csv.DictReader(io.StringIO(sortie))}
    assert (lignes["ALS"]["baux_prioritaires"], lignes["ALS"]["part_prioritaires"],
            lignes["ALS"]["baux_prioritaires_inconnus"]) == ("3", "0.3333", "1")
    assert lignes["COM13055"]["part_prioritaires"] == "0.25"
    assert lignes["ZZ"]["part_prioritaires"] == ""                  # undefined: empty
    assert main(["bilan", "--annee", "2025", "--trimestre", "4", "--par", "bailleur",
                 "--format", "json", "--db", str(db)]) == 0
    donnees = {d["cle"]: d for d in json.loads(capsys.readouterr().out)}
    assert donnees["B1"]["part_prioritaires"] == 0.1667
    assert list(donnees["B1"])[-3:] == COLONNES_PRIORITAIRES


def test_cli_table_montre_la_part(db, capsys):
    assert main(["bilan", "--annee", "2025", "--trimestre", "4", "--par", "type_reservataire",
                 "--db", str(db)]) == 0
    sortie = capsys.readouterr().out
    assert "Part publics prioritaires" in sortie.splitlines()[2]
    ligne_al = next(l for l in sortie.splitlines() if l.startswith("ACTION_LOGEMENT"))
    assert ligne_al.rstrip().endswith("33,3\u202f%")


def test_cli_controles(db, capsys):
    assert main(["controles", "--annee", "2025", "--trimestre", "4", "--db", str(db)]) == 0
    sortie = capsys.readouterr().out
    assert "Action Logement Services (ALS) : 1 sur 5 baux signés" in sortie


def test_classeur_trimestriel(con):
    wb = openpyxl.load_workbook(io.BytesIO(trimestriel.classeur(con, 2025, 4)))
    ws = wb["Par réservataire"]
    en_tetes = [c.value for c in ws[1]]
    assert en_tetes[-3:] == ["Baux signés publics prioritaires", "Part publics prioritaires",
                             "Baux signés public prioritaire non renseigné"]
    lignes = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert lignes["ALS"][-3:] == (3, pytest.approx(1 / 3), 1)
    assert ws.cell(row=2, column=len(en_tetes) - 1).number_format == "0.0%"
    feuille = wb["Publics prioritaires"]
    assert [c.value for c in feuille[1]] == [
        "Clé", "Libellé", "Type", "Baux signés", "Baux signés publics prioritaires",
        "Part publics prioritaires", "Baux signés public prioritaire non renseigné", "Objectif"]
    valeurs = list(feuille.iter_rows(min_row=2, values_only=True))
    assert [v[0] for v in valeurs] == ["NON_RESERVE", "COM13055", "ALS", "AGENTS13", "ETAT13"]
    assert valeurs[2][3:7] == (9, 3, pytest.approx(1 / 3), 1)


# --- the page (AppTest) ------------------------------------------------------------------------


def test_page_bilan_section_publics_prioritaires(db, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("FLUX_DB", str(db))
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.query_params.update({"annee": "2025", "trimestre": "4"})
    at.switch_page("pages/bilan.py").run()
    assert not at.exception, [e.value for e in at.exception]
    titres = [s.value for s in at.subheader]
    i = titres.index("Publics prioritaires par réservataire (objectif de 25 %)")
    assert titres[i + 1] == "Publics prioritaires par bailleur (objectif de 25 %)"
    textes = [m.value for m in at.markdown]
    assert any(t.startswith("**Les 2 réservataires soumis à l'objectif atteignent 25") and
               "Ville de Marseille, 25,0\u202f%" in t for t in textes), textes
    assert any("1 sur 2 pour leurs logements non réservés" in t for t in textes)
    # the tables beside the two charts (found by their headings), French figures
    tables = [d.value for d in at.dataframe]
    reservataires = next(t for t in tables if "Objectif" in t.columns)
    bailleurs = next(t for t in tables if "Baux signés de" in t.columns)
    assert list(reservataires["Libellé"]) == [
        "Logements non réservés des bailleurs", "Ville de Marseille", "Action Logement Services",
        "Préfet 13 — agents", "Préfet 13"]
    assert list(reservataires["Part publics prioritaires"]) == [
        "14,3\u202f%", "25,0\u202f%", "33,3\u202f%", "0,0\u202f%", "0,0\u202f%"]
    assert list(reservataires["Objectif"])[-1] == (
        "Sans objectif : contingent consacré aux publics prioritaires")
    assert list(bailleurs["Baux signés de"]) == [
        "Réservataires soumis à l'objectif", "Logements non réservés"] * 2
    assert list(bailleurs["Part publics prioritaires"]) == [
        "22,2\u202f%", "0,0\u202f%", "50,0\u202f%", "25,0\u202f%"]


def test_cache_suit_les_correspondances(db):
    """A changed correspondence re-attaches rows in place (UPDATE, journalled): the cached fact
    table of a database file must not survive it. B2's four ALS baux (b1..b4: 2 prioritaires)
    re-attached to COM13055: ALS keeps B1's 5 baux (1 prio, 1 unknown), COM13055 4 + 4 = 8
    baux, 1 + 2 = 3 prio."""
    con = store.connect(db)
    try:
        assert _chiffres(_ligne(bilan(con, 2025, 4, "reservataire"), "ALS")) == (9, 3, 1)
        con.execute("UPDATE mises_a_disposition SET reservataire_code = 'COM13055' "
                    "WHERE bailleur_code = 'B2' AND reservataire_code = 'ALS'")
        con.execute("INSERT INTO journal_correspondances VALUES (1, 'B2', 'ALS', 'ALS', "
                    "'COM13055', 'manuelle', 4, 'test', TIMESTAMP '2026-01-05 10:00:00')")
        df = bilan(con, 2025, 4, "reservataire")
        assert _chiffres(_ligne(df, "ALS")) == (5, 1, 1)
        assert _chiffres(_ligne(df, "COM13055")) == (8, 3, 0)
    finally:
        con.close()
