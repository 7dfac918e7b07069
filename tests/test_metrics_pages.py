"""What the pages read besides the bilan (metrics: periodes, options, fraicheur, entonnoir,
indicateurs): years, default quarter, filter options, freshness, funnel, year-to-date curve,
crossed bilan, largest gaps, assiette.

Expectations are computed by hand next to the data; the consistency tests compare with
``bilan`` / ``total`` for the same arguments.
"""

from datetime import date, datetime

import metrics_fixtures as fx
import numpy as np
import pandas as pd
import pytest

from dashboard.metrics import (
    COLONNES_ASSIETTE,
    COLONNES_CROISE,
    COLONNES_CUMULS,
    COLONNES_ENTONNOIR,
    COLONNES_FRAICHEUR,
    Filtres,
    annees_disponibles,
    assiette,
    bilan,
    bilan_croise,
    bilan_top,
    controles,
    cumuls,
    entonnoir,
    flux_annuel,
    fraicheur,
    options_filtres,
    periode_par_defaut,
    total,
)

# Columns of the bilan that add up along any axis (see test_metrics_proprietes).
ADDITIVES = ("droits_prevus", "mises_a_disposition", "ecart", "baux_signes",
             "mad_sans_convention", "mad_chutees", "mad_en_cours")


def journal(con, import_id: int, horodatage: datetime, type_donnees="mises_a_disposition",
            statut="ACTIVE", perimetre="") -> None:
    """A row of the import journal (the metrics read its statut, type and timestamp)."""
    con.execute(
        "INSERT INTO journal_imports VALUES (?, ?, ?, 'f.csv', 'x', 1, 1, 0, ?, 'test', ?, ?)",
        [import_id, type_donnees, perimetre, statut, horodatage, f"{type_donnees}|{import_id}"])


def _egal(a, b) -> bool:
    """Equal figures, NaN equal to NaN."""
    if pd.isna(a) and pd.isna(b):
        return True
    return a == pytest.approx(b, rel=1e-9, abs=1e-9)


# --- years and default quarter ------------------------------------------------------------------

def test_annees_disponibles():
    con = fx.base_vide()
    assert annees_disponibles(con) == []
    fx.convention(con, "B1", "ETAT13", annee=2025, taux_flux=10)
    fx.convention(con, "B1", "ETAT13", annee=2024, taux_flux=10)
    fx.mad(con, "B1", "2026-02-01", "13001", reservataire="ETAT13")   # a MAD alone makes 2026
    fx.mad(con, "B1", "2025-02-01", "13001", reservataire="ETAT13")
    assert annees_disponibles(con) == [2024, 2025, 2026]


def test_periode_par_defaut():
    con = fx.base_vide()
    # without data: the latest quarter ended on that day
    assert periode_par_defaut(con, date(2026, 5, 15)) == (2026, 1)
    for annee in (2024, 2025, 2026):
        fx.convention(con, "B1", "ETAT13", annee=annee, taux_flux=10)
    assert periode_par_defaut(con, date(2026, 11, 22)) == (2026, 3)   # T3 ended on 30/09
    assert periode_par_defaut(con, date(2026, 9, 30)) == (2026, 3)    # ends that very day
    assert periode_par_defaut(con, date(2026, 9, 29)) == (2026, 2)
    assert periode_par_defaut(con, date(2026, 2, 15)) == (2025, 4)    # no quarter of 2026 ended
    assert periode_par_defaut(con, date(2027, 1, 15)) == (2026, 4)    # data only up to 2026
    assert periode_par_defaut(con, date(2028, 11, 22)) == (2026, 4)   # latest data year: its T4
    assert periode_par_defaut(con, date(2024, 2, 10)) == (2024, 1)    # (2023, 4): before the data
    gap = fx.base_vide()
    for annee in (2024, 2026):
        fx.convention(gap, "B1", "ETAT13", annee=annee, taux_flux=10)
    assert periode_par_defaut(gap, date(2025, 6, 15)) == (2024, 4)    # (2025, 1): 2025 holds none
    assert isinstance(periode_par_defaut(con), tuple)                  # default: today


# --- options of the filters ---------------------------------------------------------------------

def test_options_filtres():
    con = fx.base_vide()
    fx.epci(con, "E1", "Métropole Zénith")
    fx.epci(con, "E2", "CA des Amandiers")
    fx.commune(con, "13001", "13", "E1")
    fx.commune(con, "13002", "13", "E2")
    fx.commune(con, "84001", "84", None)                       # no EPCI: NON_VENTILE
    fx.parc(con, "B1", "13001", parc_total=100, liberations=10)
    fx.convention(con, "B1", "R-ETAT", taux_flux=10, bailleur_nom="Zeste Habitat",
                  reservataire_nom="État préfet")
    fx.convention(con, "B2", "R-COM", type_reservataire="COMMUNE", perimetre_type="COMMUNE",
                  perimetre_code="13002", statut="NON_SIGNEE", droits_annuels=3,
                  bailleur_nom="Alpha Logis", reservataire_nom="Ville de Zèbre")
    fx.convention(con, "B2", "R-ETAT", taux_flux=10, annee=2024)   # another year: not offered
    fx.mad(con, "B3", "2025-03-01", "84001", reservataire="R-X")  # no convention, no type
    o = options_filtres(con, 2025)
    assert list(o) == ["departement", "epci", "bailleur", "type_reservataire", "reservataire",
                       "statut"]
    for table in o.values():
        assert list(table.columns) == ["cle", "libelle"]
    assert o["departement"].values.tolist() == [["13", "13 — Bouches-du-Rhône"],
                                                 ["84", "84 — Vaucluse"]]
    # by name; B1's parc in E1 apportions its droits there; B3's MAD has no EPCI
    assert o["epci"].values.tolist() == [["E2", "CA des Amandiers"], ["E1", "Métropole Zénith"],
                                         ["NON_VENTILE", "Non ventilé"]]
    assert o["bailleur"].values.tolist() == [["B2", "Alpha Logis"], ["B3", "B3"],
                                             ["B1", "Zeste Habitat"]]
    assert o["type_reservataire"]["cle"].tolist() == ["ETAT", "COMMUNE", "INCONNU"]
    assert o["type_reservataire"]["libelle"].tolist()[-1] == "Type inconnu (sans convention)"
    # accents ignored: « État » sorts with the E, before R-X (named by its code) and « Ville »
    assert o["reservataire"]["cle"].tolist() == ["R-ETAT", "R-X", "R-COM"]
    assert o["statut"].values.tolist() == [
        ["SIGNEE", "Signée"], ["NON_SIGNEE", "Non signée"],
        ["SANS_CONVENTION", "Sans convention (mises à disposition)"]]
    # every option selects something
    for champ, table in o.items():
        for cle in table["cle"]:
            assert not total(con, 2025, 4, filtres=Filtres(**{champ: (cle,)})).empty, (champ, cle)


# --- freshness ----------------------------------------------------------------------------------

def _base_fraicheur():
    """Four bailleurs in 2025, seen on 15/11/2025 (quarters 1–3 ended):
    B1 conventions in 13 and 84, MAD 13 in T1 (import 10) and T3 (import 11), 84 in T1;
    B2 conventions in 13, MAD in T1 only (import 12), and MAD of 2024 in a later import 15;
    B3 conventions only; B4 parc and MAD (import 14), no convention."""
    con = fx.base_vide()
    fx.commune(con, "13001", "13")
    fx.commune(con, "84001", "84")
    for dep in ("13", "84"):
        fx.convention(con, "B1", f"ETAT{dep}", departement=dep, taux_flux=10,
                      bailleur_nom="Un Habitat")
    fx.convention(con, "B2", "ETAT13", taux_flux=10)
    fx.convention(con, "B3", "ETAT13", taux_flux=10)
    fx.parc(con, "B4", "13001", parc_total=100, liberations=10)
    journal(con, 10, datetime(2025, 4, 2, 9, 0))
    journal(con, 11, datetime(2025, 10, 3, 9, 0))
    journal(con, 12, datetime(2025, 4, 20, 9, 0))
    journal(con, 14, datetime(2025, 7, 1, 9, 0))
    journal(con, 15, datetime(2025, 11, 1, 9, 0))                       # B2's MAD of 2024
    journal(con, 16, datetime(2025, 11, 2, 9, 0), type_donnees="conventions")
    fx.mad(con, "B1", "2025-02-10", "13001", reservataire="ETAT13", import_id=10)
    fx.mad(con, "B1", "2025-03-05", "84001", reservataire="ETAT84", import_id=10)
    fx.mad(con, "B1", "2025-09-12", "13001", reservataire="ETAT13", import_id=11)
    fx.mad(con, "B1", "2025-09-20", "13001", categorie="MUTATION", import_id=11)
    fx.mad(con, "B2", "2025-01-15", "13001", reservataire="ETAT13", nombre=2, import_id=12)
    fx.mad(con, "B2", "2024-12-20", "13001", reservataire="ETAT13", import_id=15)
    fx.mad(con, "B4", "2025-06-30", "13001", categorie="NON_RESERVE", import_id=14)
    return con


def test_fraicheur():
    con = _base_fraicheur()
    df = fraicheur(con, 2025, aujourd_hui=date(2025, 11, 15))
    assert list(df.columns) == list(COLONNES_FRAICHEUR)
    # stalest first: B3 never imported, then B2 (20/04; its import of 15/11 brought 2024 MAD),
    # B4 (01/07), B1 (03/10); the conventions import of 02/11 is not a MAD import
    assert list(df["bailleur_code"]) == ["B3", "B2", "B4", "B1"]
    b1, b2, b3, b4 = (fx.ligne(df.rename(columns={"bailleur_code": "cle"}), c)
                      for c in ("B1", "B2", "B3", "B4"))
    assert b1["bailleur_nom"] == "Un Habitat" and b2["bailleur_nom"] == "B2"
    assert b1["dernier_import"] == pd.Timestamp("2025-10-03 09:00")
    assert b2["dernier_import"] == pd.Timestamp("2025-04-20 09:00")
    assert pd.isna(b3["dernier_import"]) and pd.isna(b3["derniere_mad"])
    assert b1["derniere_mad"] == pd.Timestamp("2025-09-20")
    assert (b1["mad_annee"], b2["mad_annee"], b3["mad_annee"], b4["mad_annee"]) == (4, 2, 0, 1)
    # quarters due: 1..3 (T3 is the latest holding MAD, and ended on 15/11)
    # B1: T2 without MAD in 13 and 84; T3 without MAD in 84 only
    assert b1["trimestres_sans_mad"] == "T2, T3 (84)"
    assert b2["trimestres_sans_mad"] == "T2, T3"
    assert b3["trimestres_sans_mad"] == "T1, T2, T3"
    assert pd.isna(b4["trimestres_sans_mad"])     # no convention: the control does not apply
    # the same quarters as the controls
    c = controles(con, 2025, aujourd_hui=date(2025, 11, 15))
    c = c[c["controle"] == "BAILLEUR_SANS_MAD"]
    assert sorted(zip(c["bailleur_code"], c["trimestre"], c["departement"])) == [
        ("B1", 2, "13"), ("B1", 2, "84"), ("B1", 3, "84"), ("B2", 2, "13"), ("B2", 3, "13"),
        ("B3", 1, "13"), ("B3", 2, "13"), ("B3", 3, "13")]
    # on 15/08/2025 only T1 and T2 have ended
    plus_tot = fraicheur(con, 2025, aujourd_hui=date(2025, 8, 15))
    assert dict(zip(plus_tot["bailleur_code"], plus_tot["trimestres_sans_mad"]))["B1"] == "T2"


def test_fraicheur_sans_donnees():
    df = fraicheur(fx.base_vide(), 2025)
    assert df.empty and list(df.columns) == list(COLONNES_FRAICHEUR)


# --- funnel -------------------------------------------------------------------------------------

def _base_entonnoir():
    """B1 in 13001 (flux 100), ETAT13 at 30 % → 30 droits. FLUX MAD of ETAT13: T1 3 baux, 2 refus
    du demandeur, 1 refus CALEOL, 1 sans candidat, 2 en cours; T2 1 bail, 1 refus CALEOL. One MAD
    without convention (ZZ) in T1, sans candidat. A MAD of 2024 whose bail is signed in 2025-01.
    A NON_RESERVE MAD (not in the funnel)."""
    con = fx.base_vide()
    fx.commune(con, "13001", "13", "E1")
    fx.parc(con, "B1", "13001", parc_total=1000, liberations=100)
    fx.convention(con, "B1", "ETAT13", taux_flux=30)
    for issue, n in (("BAIL_SIGNE", 3), ("REFUS_DEMANDEUR", 2), ("REFUS_CALEOL", 1),
                     ("SANS_CANDIDAT", 1), ("EN_COURS", 2)):
        fx.mad(con, "B1", "2025-02-10", "13001", reservataire="ETAT13", issue=issue, nombre=n)
    fx.mad(con, "B1", "2025-05-10", "13001", reservataire="ETAT13", issue="BAIL_SIGNE")
    fx.mad(con, "B1", "2025-05-10", "13001", reservataire="ETAT13", issue="REFUS_CALEOL")
    fx.mad(con, "B1", "2025-03-01", "13001", reservataire="ZZ", issue="SANS_CANDIDAT")
    fx.mad(con, "B1", "2024-12-20", "13001", reservataire="ETAT13", issue="BAIL_SIGNE",
           date_bail="2025-01-10")
    fx.mad(con, "B1", "2025-02-10", "13001", categorie="NON_RESERVE", issue="BAIL_SIGNE")
    return con


def _nombres(df):
    return dict(zip(df["etape"], df["nombre"]))


def test_entonnoir_a_la_main():
    con = _base_entonnoir()
    df = entonnoir(con, 2025, 1)
    assert list(df.columns) == list(COLONNES_ENTONNOIR)
    assert list(df["etape"]) == ["MISES_A_DISPOSITION", "BAIL_SIGNE", "REFUS_DEMANDEUR",
                                 "REFUS_CALEOL", "SANS_CANDIDAT", "EN_COURS"]
    assert list(df["libelle"]) == ["Mises à disposition", "Bail signé", "Refus du demandeur",
                                   "Refus CALEOL", "Sans candidat", "En cours"]
    # T1: 3 + 2 + 1 + 1 + 2 (ETAT13) + 1 (ZZ) = 10 MAD
    assert list(df["nombre"]) == [10, 3, 2, 1, 2, 2]
    assert list(df["part"]) == pytest.approx([1.0, 0.3, 0.2, 0.1, 0.2, 0.2])   # ÷ 10
    # year to date at T2: + 1 bail + 1 refus CALEOL = 12
    assert list(entonnoir(con, 2025, 2)["nombre"]) == [12, 4, 2, 2, 2, 2]
    # T2 alone
    assert list(entonnoir(con, 2025, 2, periode="trimestre")["nombre"]) == [2, 1, 0, 1, 0, 0]
    # the MAD without convention alone
    sans = entonnoir(con, 2025, 2, filtres=Filtres(statut="SANS_CONVENTION"))
    assert list(sans["nombre"]) == [1, 0, 0, 0, 1, 0]
    # view 'baux': baux by date_bail (3 in T1 + 1 in T2 + the 2024 MAD's bail of 10/01 = 5);
    # refusals and MAD in progress stay on the MAD dated in the window
    baux = entonnoir(con, 2025, 2, vue="baux")
    assert list(baux["nombre"]) == [5, 5, 2, 2, 2, 2]
    assert list(baux["part"]) == pytest.approx([1.0, 1.0, 0.4, 0.4, 0.4, 0.4])   # ÷ 5
    # nothing selected: 0 MAD, shares undefined (not 0)
    vide = entonnoir(con, 2025, 2, filtres=Filtres(bailleur="B9"))
    assert list(vide["nombre"]) == [0] * 6 and vide["part"].isna().all()


@pytest.mark.parametrize("trimestre,vue,periode,filtres", [
    (1, "mad", "cumul", Filtres()),
    (2, "mad", "cumul", Filtres()),
    (2, "mad", "trimestre", Filtres()),
    (2, "baux", "cumul", Filtres()),
    (2, "baux", "trimestre", Filtres()),
    (2, "mad", "cumul", Filtres(statut="SIGNEE")),
    (2, "mad", "cumul", Filtres(type_reservataire="INCONNU")),
    (2, "baux", "cumul", Filtres(epci="E1", reservataire="ETAT13")),
])
def test_entonnoir_egal_au_bilan(trimestre, vue, periode, filtres):
    con = _base_entonnoir()
    n = _nombres(entonnoir(con, 2025, trimestre, vue, periode, filtres))
    t = total(con, 2025, trimestre, vue, periode, filtres).iloc[0]
    assert n["MISES_A_DISPOSITION"] == t["mises_a_disposition"]
    assert n["BAIL_SIGNE"] == t["baux_signes"]
    assert n["REFUS_DEMANDEUR"] + n["REFUS_CALEOL"] + n["SANS_CANDIDAT"] == t["mad_chutees"]
    assert n["EN_COURS"] == t["mad_en_cours"]


# --- year to date -------------------------------------------------------------------------------

def test_cumuls():
    con = _base_entonnoir()
    df = cumuls(con, 2025, 4)
    assert list(df.columns) == list(COLONNES_CUMULS)
    assert list(df["cle"]) == ["2025-T1", "2025-T2", "2025-T3", "2025-T4"]
    assert list(df["libelle"]) == ["T1 2025", "T2 2025", "T3 2025", "T4 2025"]
    assert list(df["droits_prevus"]) == pytest.approx([7.5, 15, 22.5, 30])   # 30 × q ÷ 4
    assert list(df["mises_a_disposition"]) == [10, 12, 12, 12]
    assert list(df["baux_signes"]) == [3, 4, 4, 4]
    baux = cumuls(con, 2025, 2, vue="baux")
    assert list(baux["mises_a_disposition"]) == [4, 5]    # 3 + the 2024 MAD's bail; + 1
    for vue in ("mad", "baux"):
        for filtres in (Filtres(), Filtres(statut="SANS_CONVENTION")):
            c = cumuls(con, 2025, 3, vue, filtres)
            for q in (1, 2, 3):
                t = total(con, 2025, q, vue, "cumul", filtres).iloc[0]
                for col in COLONNES_CUMULS[2:]:
                    assert _egal(c.iloc[q - 1][col], t[col]), (vue, filtres, q, col)


def test_cumuls_trimestres_sans_rien_et_selection_vide():
    con = fx.base_vide()
    fx.commune(con, "13001", "13")
    fx.mad(con, "B1", "2025-05-01", "13001", reservataire="X")   # no convention; T2 only
    df = cumuls(con, 2025, 3)
    assert list(df["mises_a_disposition"]) == [0, 1, 1]
    assert list(df["droits_prevus"]) == [0, 0, 0]
    vide = cumuls(con, 2025, 3, filtres=Filtres(bailleur="B9"))
    assert vide.empty and list(vide.columns) == list(COLONNES_CUMULS)


# --- the bilan on two axes ----------------------------------------------------------------------

def _base_croisee():
    """B1 in 13001 (E1, flux 100) and 13002 (E2, flux 100): ETAT13 at 30 % → 60 droits, Action
    Logement 20 droits acquis. B2 in 13003 (E2, flux 50): ETAT13 at 20 % → 10 droits. MAD (T1):
    B1 ETAT13 6 in E1 (4 baux), 2 in E2; B1 ALS 2 in E1; B2 ETAT13 1; B2 ZZ (no convention) 1.
    T3: B1 ETAT13 1 in E1."""
    con = fx.base_vide()
    fx.epci(con, "E1", "CA Une")
    fx.epci(con, "E2", "CA Deux")
    fx.commune(con, "13001", "13", "E1")
    fx.commune(con, "13002", "13", "E2")
    fx.commune(con, "13003", "13", "E2")
    fx.parc(con, "B1", "13001", parc_total=1000, liberations=100)
    fx.parc(con, "B1", "13002", parc_total=1000, liberations=100)
    fx.parc(con, "B2", "13003", parc_total=500, liberations=50)
    fx.convention(con, "B1", "ETAT13", taux_flux=30)
    fx.convention(con, "B1", "ALS", type_reservataire="ACTION_LOGEMENT", methode="DROITS_ACQUIS",
                  droits_annuels=20)
    fx.convention(con, "B2", "ETAT13", taux_flux=20)
    fx.mad(con, "B1", "2025-02-01", "13001", reservataire="ETAT13", issue="BAIL_SIGNE", nombre=4)
    fx.mad(con, "B1", "2025-02-01", "13001", reservataire="ETAT13", nombre=2)
    fx.mad(con, "B1", "2025-02-01", "13002", reservataire="ETAT13", nombre=2)
    fx.mad(con, "B1", "2025-02-01", "13001", reservataire="ALS", nombre=2)
    fx.mad(con, "B2", "2025-02-01", "13003", reservataire="ETAT13")
    fx.mad(con, "B2", "2025-02-01", "13003", reservataire="ZZ")
    fx.mad(con, "B1", "2025-08-01", "13001", reservataire="ETAT13")
    return con


def _cellule(df, ligne, colonne) -> dict:
    trouve = df[(df["cle_ligne"] == ligne) & (df["cle_colonne"] == colonne)]
    assert len(trouve) == 1, (ligne, colonne, df[["cle_ligne", "cle_colonne"]].values.tolist())
    return trouve.iloc[0].to_dict()


def test_bilan_croise_a_la_main():
    con = _base_croisee()
    df = bilan_croise(con, 2025, 2)          # bailleur × type_reservataire, cumul at 30/06
    assert list(df.columns) == list(COLONNES_CROISE)
    assert df[["cle_ligne", "cle_colonne"]].values.tolist() == [
        ["B1", "ETAT"], ["B1", "ACTION_LOGEMENT"], ["B2", "ETAT"], ["B2", "INCONNU"]]
    b1_etat = _cellule(df, "B1", "ETAT")
    assert b1_etat["libelle_colonne"] == "État — contingent préfectoral"
    assert b1_etat["droits_prevus"] == pytest.approx(30)       # 30 % × 200 × 2 ÷ 4
    assert b1_etat["mises_a_disposition"] == 8
    assert b1_etat["ecart"] == pytest.approx(-22)              # 8 − 30
    assert b1_etat["taux_realisation"] == pytest.approx(8 / 30)
    assert b1_etat["baux_signes"] == 4
    b1_als = _cellule(df, "B1", "ACTION_LOGEMENT")
    assert b1_als["droits_prevus"] == pytest.approx(10)        # 20 × 2 ÷ 4
    assert b1_als["taux_realisation"] == pytest.approx(0.2)    # 2 ÷ 10
    b2 = _cellule(df, "B2", "INCONNU")
    assert b2["mises_a_disposition"] == 1 and b2["droits_prevus"] == 0
    assert np.isnan(b2["taux_realisation"])                    # no droits against it
    # EPCI × bailleur: B1's ETAT13 droits (60) split by parc, 1 000 / 1 000 → 30 each
    e = bilan_croise(con, 2025, 4, "epci", "bailleur")
    assert e[["cle_ligne", "cle_colonne"]].values.tolist() == [
        ["E2", "B1"], ["E2", "B2"], ["E1", "B1"]]              # EPCI by name: Deux, Une
    # and Action Logement's 20 droits acquis (département-wide) the same way → 10 each
    assert _cellule(e, "E1", "B1")["droits_annuels"] == pytest.approx(30 + 10)
    assert _cellule(e, "E1", "B1")["mises_a_disposition"] == 6 + 2 + 1
    assert _cellule(e, "E2", "B1")["droits_annuels"] == pytest.approx(30 + 10)
    assert _cellule(e, "E2", "B1")["mises_a_disposition"] == 2
    # bailleur × quarter: each quarter its own figures
    q = bilan_croise(con, 2025, 3, "bailleur", "trimestre")
    assert [c["mises_a_disposition"] for c in (_cellule(q, "B1", "2025-T1"),
                                               _cellule(q, "B1", "2025-T2"),
                                               _cellule(q, "B1", "2025-T3"))] == [10, 0, 1]
    assert _cellule(q, "B1", "2025-T2")["droits_prevus"] == pytest.approx(20)   # 80 ÷ 4
    assert _cellule(q, "B1", "2025-T3")["libelle_colonne"] == "T3 2025"


_PAIRES = [
    ("bailleur", "type_reservataire"),
    ("type_reservataire", "bailleur"),
    ("reservataire", "epci"),
    ("epci", "departement"),
    ("departement", "reservataire"),
    ("bailleur", "trimestre"),
    ("trimestre", "type_reservataire"),
]


def _reference(con, lignes, colonnes, cle_l, cle_c, vue, periode) -> dict:
    """A cell's figures the other way: the bilan of its ligne filtered on its colonne (or, for a
    quarter, that quarter's own bilan)."""
    if colonnes == "trimestre":
        return fx.ligne(bilan(con, 2025, int(cle_c[-1]), lignes, vue, "trimestre"), cle_l)
    if lignes == "trimestre":
        return fx.ligne(bilan(con, 2025, int(cle_l[-1]), colonnes, vue, "trimestre"), cle_c)
    filtre = Filtres(**{colonnes: (cle_c,)})
    return fx.ligne(bilan(con, 2025, 3, lignes, vue, periode, filtre), cle_l)


@pytest.mark.parametrize("lignes,colonnes", _PAIRES)
def test_bilan_croise_egal_au_bilan(lignes, colonnes):
    """Every cell is the bilan of its ligne with a filter on its colonne (ratios included), and
    the cells of a ligne add up to the bilan of that ligne."""
    con = _base_croisee()
    vue, periode = ("baux", "trimestre") if lignes == "reservataire" else ("mad", "cumul")
    df = bilan_croise(con, 2025, 3, lignes, colonnes, vue, periode)
    assert len(df) >= 2
    for cellule in df.to_dict("records"):
        ref = _reference(con, lignes, colonnes, cellule["cle_ligne"], cellule["cle_colonne"],
                         vue, periode)
        for col in COLONNES_CROISE[4:]:
            assert _egal(cellule[col], ref[col]), (cellule["cle_ligne"],
                                                   cellule["cle_colonne"], col)
    par_ligne = bilan(con, 2025, 3, lignes, vue, periode)
    assert sorted(set(df["cle_ligne"])) == sorted(par_ligne["cle"])
    for cle_l, cellules in df.groupby("cle_ligne"):
        ref = fx.ligne(par_ligne, cle_l)
        for col in ADDITIVES:
            assert _egal(cellules[col].sum(), ref[col]), (cle_l, col)


def test_bilan_croise_filtres_et_erreurs():
    con = _base_croisee()
    seul = bilan_croise(con, 2025, 2, filtres=Filtres(bailleur="B2"))
    assert sorted(set(seul["cle_ligne"])) == ["B2"]
    assert bilan_croise(con, 2025, 2, filtres=Filtres(bailleur="B9")).empty
    assert list(bilan_croise(con, 2025, 2, filtres=Filtres(bailleur="B9")).columns) == list(
        COLONNES_CROISE)
    e1 = bilan_croise(con, 2025, 4, "epci", "bailleur", filtres=Filtres(epci="E1"))
    assert e1[["cle_ligne", "cle_colonne"]].values.tolist() == [["E1", "B1"]]
    with pytest.raises(ValueError, match="même axe"):
        bilan_croise(con, 2025, 2, "bailleur", "bailleur")
    with pytest.raises(ValueError, match="axe inconnu"):
        bilan_croise(con, 2025, 2, "bailleur", "commune")


def test_bilan_croise_sans_cache(monkeypatch):
    con = _base_croisee()
    avec = bilan_croise(con, 2025, 3, "epci", "type_reservataire",
                        filtres=Filtres(bailleur="B1"))
    monkeypatch.setenv("FLUX_CACHE_METRIQUES", "0")
    sans = bilan_croise(con, 2025, 3, "epci", "type_reservataire",
                        filtres=Filtres(bailleur="B1"))
    pd.testing.assert_frame_equal(avec, sans)


# --- the largest gaps ---------------------------------------------------------------------------

def _base_ecarts():
    """B1 in 13, droits acquis: R1 40, R2 80, R3 20, R4 8, R5 4. MAD over 2025: R1 10, R2 100,
    R3 0, R4 8, R5 0 → écarts at T4: −30, +20, −20, 0, −4."""
    con = fx.base_vide()
    fx.commune(con, "13001", "13")
    for code, droits, mad in (("R1", 40, 10), ("R2", 80, 100), ("R3", 20, 0), ("R4", 8, 8),
                              ("R5", 4, 0)):
        fx.convention(con, "B1", code, type_reservataire="AUTRE", methode="DROITS_ACQUIS",
                      droits_annuels=droits)
        if mad:
            fx.mad(con, "B1", "2025-03-01", "13001", reservataire=code, nombre=mad)
    return con


def test_bilan_top():
    con = _base_ecarts()
    df = bilan_top(con, 2025, 4, "reservataire", n=2)
    # |écart| 30 (R1), then 20 for R2 and R3: the tie goes to the smaller key, R2
    assert list(df["cle"]) == ["R1", "R2", "AUTRES"]           # by écart: −30, +20; AUTRES last
    assert list(df.columns) == list(bilan(con, 2025, 4, "reservataire").columns)
    autres = fx.ligne(df, "AUTRES")
    assert autres["libelle"] == "Autres (3)"
    assert autres["droits_prevus"] == pytest.approx(32)        # R3 + R4 + R5 = 20 + 8 + 4
    assert autres["mises_a_disposition"] == 8                  # 0 + 8 + 0
    assert autres["ecart"] == pytest.approx(-24)               # 8 − 32
    assert autres["taux_realisation"] == pytest.approx(0.25)   # 8 ÷ 32, a ratio of the sums
    assert autres["nb_conventions"] == 3
    # the same as total() filtered on the codes left over
    reste = total(con, 2025, 4, filtres=Filtres(reservataire="R3,R4,R5")).iloc[0]
    for col in COLONNES_CROISE[4:]:
        assert _egal(autres[col], reste[col]), col
    trois = bilan_top(con, 2025, 4, "reservataire", n=3)
    assert list(trois["cle"]) == ["R1", "R3", "R2", "AUTRES"]  # −30, −20, +20
    assert fx.ligne(trois, "AUTRES")["taux_realisation"] == pytest.approx(8 / 12)  # R4 + R5
    tous = bilan_top(con, 2025, 4, "reservataire", n=10)
    assert list(tous["cle"]) == ["R1", "R3", "R5", "R4", "R2"] # nothing left: no AUTRES
    zero = bilan_top(con, 2025, 4, "reservataire", n=0)
    assert list(zero["cle"]) == ["AUTRES"] and zero.iloc[0]["libelle"] == "Autres (5)"
    t = total(con, 2025, 4).iloc[0]
    assert zero.iloc[0]["taux_realisation"] == pytest.approx(t["taux_realisation"])
    # a filter narrows both the rows and AUTRES
    f = bilan_top(con, 2025, 4, "reservataire", n=1, filtres=Filtres(reservataire="R4,R5"))
    assert list(f["cle"]) == ["R5", "AUTRES"] and f.iloc[1]["mises_a_disposition"] == 8
    with pytest.raises(ValueError, match="axe inconnu"):
        bilan_top(con, 2025, 4, "trimestre")
    with pytest.raises(ValueError, match="nombre de lignes"):
        bilan_top(con, 2025, 4, "reservataire", n=-1)


def test_bilan_top_ecart_inconnu_et_epci():
    con = _base_ecarts()
    # R6: ASSIETTE without parc nor estimate → unknown droits, unknown écart: ranked last
    fx.convention(con, "B1", "R6", type_reservataire="AUTRE", taux_flux=5)
    fx.mad(con, "B1", "2025-03-01", "13001", reservataire="R6", nombre=3)
    df = bilan_top(con, 2025, 4, "reservataire", n=5)
    assert list(df["cle"]) == ["R1", "R3", "R5", "R4", "R2", "AUTRES"]
    autres = fx.ligne(df, "AUTRES")
    assert np.isnan(autres["droits_prevus"]) and autres["mises_a_disposition"] == 3
    six = bilan_top(con, 2025, 4, "reservataire", n=6)
    assert list(six["cle"])[-1] == "R6"                        # undefined écart last
    # on the EPCI axis AUTRES takes the apportioned droits, as the EPCI rows do
    con = _base_croisee()
    e = bilan_top(con, 2025, 4, "epci", n=1)
    par_epci = bilan(con, 2025, 4, "epci")
    reste = par_epci[par_epci["cle"] != e.iloc[0]["cle"]]
    for col in ADDITIVES:
        assert _egal(fx.ligne(e, "AUTRES")[col], reste[col].sum()), col


# --- assiette -----------------------------------------------------------------------------------

def test_assiette():
    con = fx.base_vide()
    fx.commune(con, "13001", "13")
    fx.commune(con, "13002", "13")
    fx.commune(con, "84001", "84")
    fx.parc(con, "B1", "13001", parc_total=1000, logements_exclus=100, taux_rotation=10,
            mutations_prevues=5, relogements_prevus=3)      # base 900 × 10 % = 90
    fx.parc(con, "B1", "13002", parc_total=500, liberations=40, mutations_prevues=2)
    fx.parc(con, "B1", "84001", parc_total=200, liberations=10, mutations_prevues=20)
    fx.parc(con, "B2", "13001", parc_total=300, liberations=30)
    fx.parc(con, "B2", "13001", parc_total=999, liberations=99, annee=2024)   # other year
    fx.convention(con, "B1", "ETAT13", taux_flux=10, bailleur_nom="Un Habitat")
    df = assiette(con, 2025)
    assert list(df.columns) == list(COLONNES_ASSIETTE)
    assert df[["bailleur_code", "departement"]].values.tolist() == [
        ["B1", "13"], ["B1", "84"], ["B2", "13"]]
    b1 = df.iloc[0]
    assert b1["bailleur_nom"] == "Un Habitat"
    assert (b1["parc_total"], b1["logements_exclus"], b1["parc_eligible"]) == (1500, 100, 1400)
    assert b1["base"] == pytest.approx(130)                  # 90 + 40 libérations
    assert (b1["mutations_prevues"], b1["relogements_prevus"]) == (7, 3)
    assert b1["flux_annuel"] == pytest.approx(120)           # 130 − 7 − 3
    assert b1["taux_rotation"] == pytest.approx(130 / 1400)
    b1_84 = df.iloc[1]
    assert b1_84["flux_annuel"] == 0                         # max(0, 10 − 20): clipped
    assert df.iloc[2]["bailleur_nom"] == "B2" and df.iloc[2]["parc_total"] == 300
    # the flux model's own figures
    ref = flux_annuel(con, 2025, "DEPARTEMENT")
    fusion = df.merge(ref, left_on=["bailleur_code", "departement"],
                      right_on=["bailleur_code", "perimetre_code"], suffixes=("", "_ref"))
    assert len(fusion) == 3
    for col in ("parc_eligible", "base", "mutations_prevues", "relogements_prevus",
                "flux_annuel", "taux_rotation"):
        np.testing.assert_allclose(fusion[col].astype(float), fusion[f"{col}_ref"].astype(float))
    assert list(assiette(con, 2025, Filtres(bailleur="B1", departement="84"))["flux_annuel"]) == [0]
    assert assiette(con, 2026).empty


def test_arguments_invalides():
    con = fx.base_vide()
    with pytest.raises(ValueError, match="trimestre invalide"):
        entonnoir(con, 2025, 5)
    with pytest.raises(ValueError, match="vue inconnue"):
        cumuls(con, 2025, 2, vue="attributions")
    with pytest.raises(ValueError, match="année invalide"):
        options_filtres(con, "2025")
