"""Flux annuel (DOMAIN §4.1) and droits annuels (§4.2), with hand-computed expectations."""

import math

import metrics_fixtures as fx
import pytest

from dashboard.metrics import Filtres, bilan, droits_conventions, flux_annuel


def _flux(con, bailleur, perimetre_type, code, annee=2025):
    df = flux_annuel(con, annee, perimetre_type)
    ligne = df[(df["bailleur_code"] == bailleur) & (df["perimetre_code"] == code)]
    assert len(ligne) == 1, df
    return ligne.iloc[0]


def _droits(con, reservataire, annee=2025):
    df = droits_conventions(con, annee, Filtres(reservataire=reservataire))
    assert len(df) == 1, df
    return df.iloc[0]


def test_exemple_occitanie():
    """DOMAIN §4.1: parc 15 000, 500 excluded, agreed rotation 10 %, 450 mutations and
    relogements → 1 000 to share; a conseil départemental at 20 % → 200; at 30 June → 100."""
    con = fx.base_vide()
    fx.commune(con, "34172", "34", "243400017")
    fx.parc(con, "OLS1", "34172", parc_total=15000, logements_exclus=500, taux_rotation=10,
            mutations_prevues=300, relogements_prevus=150)
    fx.convention(con, "OLS1", "CD34", type_reservataire="DEPARTEMENT", departement="34",
                  taux_flux=20)

    f = _flux(con, "OLS1", "DEPARTEMENT", "34")
    assert f["parc_eligible"] == 14500          # 15 000 − 500
    assert f["base"] == pytest.approx(1450)     # 14 500 × 10 %
    assert f["taux_rotation"] == pytest.approx(0.10)  # 1 450 ÷ 14 500
    assert f["flux_annuel"] == pytest.approx(1000)    # 1 450 − (300 + 150)

    d = _droits(con, "CD34")
    assert d["droits_annuels"] == pytest.approx(200)  # 20 % × 1 000
    assert d["source"] == "assiette"

    b = fx.ligne(bilan(con, 2025, 2, "reservataire"), "CD34")
    assert b["droits_annuels"] == pytest.approx(200)
    assert b["droits_prevus"] == pytest.approx(100)   # 200 × 2 ÷ 4, au 30 juin


def test_flux_negatif_ecrete_au_perimetre_pas_ligne_a_ligne():
    con = fx.base_vide()
    fx.commune(con, "13001", "13", "200054807")
    fx.commune(con, "13002", "13", "200054807")
    # 13001: 5 libérations − (10 mutations + 5 relogements) = −10 on its own
    fx.parc(con, "B1", "13001", parc_total=100, liberations=5, mutations_prevues=10,
            relogements_prevus=5)
    # 13002: 30 libérations − 2 mutations = 28
    fx.parc(con, "B1", "13002", parc_total=200, liberations=30, mutations_prevues=2)
    fx.convention(con, "B1", "ETAT13", taux_flux=25)
    fx.convention(con, "B1", "COM13001", type_reservataire="COMMUNE", perimetre_type="COMMUNE",
                  perimetre_code="13001", taux_flux=20)
    fx.mad(con, "B1", "2025-02-10", "13001", reservataire="COM13001")

    # département: (5 + 30) − (10 + 5 + 2) = 18, not 0 + 28 = 28 (row-by-row clipping)
    assert _flux(con, "B1", "DEPARTEMENT", "13")["flux_annuel"] == pytest.approx(18)
    # commune 13001 alone: max(0, 5 − 15) = 0, never negative
    assert _flux(con, "B1", "COMMUNE", "13001")["flux_annuel"] == 0
    assert _droits(con, "ETAT13")["droits_annuels"] == pytest.approx(4.5)  # 25 % × 18
    com = _droits(con, "COM13001")
    assert com["droits_annuels"] == 0 and com["source"] == "assiette"     # 20 % × 0

    b = fx.ligne(bilan(con, 2025, 1, "reservataire"), "COM13001")
    assert b["droits_prevus"] == 0
    assert b["mises_a_disposition"] == 1
    assert b["ecart"] == 1                       # 1 − 0
    assert math.isnan(b["taux_realisation"])     # 1 ÷ 0: undefined, never 0


def test_conventions_commune_et_epci():
    con = fx.base_vide()
    fx.commune(con, "13001", "13", "E1")
    fx.commune(con, "13002", "13", "E1")
    fx.commune(con, "13003", "13", "E2")
    fx.parc(con, "B1", "13001", parc_total=1000, liberations=100)
    fx.parc(con, "B1", "13002", parc_total=500, liberations=40)
    fx.parc(con, "B1", "13003", parc_total=2000, taux_rotation=5)   # 2 000 × 5 % = 100
    fx.convention(con, "B1", "EPCI-E1", type_reservataire="EPCI", perimetre_type="EPCI",
                  perimetre_code="E1", taux_flux=10)
    fx.convention(con, "B1", "COM-13001", type_reservataire="COMMUNE", perimetre_type="COMMUNE",
                  perimetre_code="13001", taux_flux=20)

    e1 = _flux(con, "B1", "EPCI", "E1")
    assert e1["flux_annuel"] == pytest.approx(140)               # 100 + 40
    assert e1["taux_rotation"] == pytest.approx(140 / 1500)      # ÷ (1 000 + 500)
    assert _flux(con, "B1", "EPCI", "E2")["flux_annuel"] == pytest.approx(100)
    assert _flux(con, "B1", "COMMUNE", "13001")["flux_annuel"] == pytest.approx(100)
    assert _flux(con, "B1", "DEPARTEMENT", "13")["flux_annuel"] == pytest.approx(240)

    assert _droits(con, "EPCI-E1")["droits_annuels"] == pytest.approx(14)    # 10 % × 140
    assert _droits(con, "COM-13001")["droits_annuels"] == pytest.approx(20)  # 20 % × 100


def test_liberations_et_taux_convenu_melanges():
    """A row with an agreed rate uses it; the others their libérations; summed per perimeter."""
    con = fx.base_vide()
    fx.commune(con, "06001", "06", "E6")
    fx.commune(con, "06002", "06", "E6")
    fx.parc(con, "B1", "06001", parc_total=1000, logements_exclus=100, taux_rotation=8,
            liberations=999)  # the agreed rate wins: (1 000 − 100) × 8 % = 72
    fx.parc(con, "B1", "06002", parc_total=300, liberations=27)
    f = _flux(con, "B1", "DEPARTEMENT", "06")
    assert f["base"] == pytest.approx(99)            # 72 + 27
    assert f["parc_eligible"] == 1200                # 900 + 300
    assert f["taux_rotation"] == pytest.approx(99 / 1200)


def test_droits_acquis():
    con = fx.base_vide()
    fx.commune(con, "13001", "13", "E1")
    fx.parc(con, "B1", "13001", parc_total=1000, liberations=100)
    fx.convention(con, "B1", "ALS", type_reservataire="ACTION_LOGEMENT",
                  methode="DROITS_ACQUIS", droits_annuels=55, taux_flux=None)
    d = _droits(con, "ALS")
    # the convention's own figure, even though the perimeter's flux (100) is known
    assert d["droits_annuels"] == pytest.approx(55)
    assert d["source"] == "convention"
    b = fx.ligne(bilan(con, 2025, 4, "reservataire"), "ALS")
    assert b["droits_prevus"] == pytest.approx(55)      # 55 × 4 ÷ 4
    assert b["part_prevue"] == pytest.approx(0.55)      # 55 ÷ 100


def test_convention_avec_seulement_une_estimation_ou_rien():
    con = fx.base_vide()
    fx.commune(con, "13001", "13", "E1")
    fx.commune(con, "84001", "84", "E84")
    fx.parc(con, "B1", "13001", parc_total=1000, liberations=100)
    # ASSIETTE in 84 where B1 has no parc: its estimate (12) is used
    fx.convention(con, "B1", "CD84", type_reservataire="DEPARTEMENT", departement="84",
                  taux_flux=20, droits_annuels=12)
    # ASSIETTE in 84, no parc and no estimate: unknown, never 0
    fx.convention(con, "B1", "ETAT84", departement="84", taux_flux=25)
    fx.mad(con, "B1", "2025-01-15", "84001", reservataire="ETAT84", nombre=3)

    cd = _droits(con, "CD84")
    assert cd["droits_annuels"] == pytest.approx(12) and cd["source"] == "convention"
    etat = _droits(con, "ETAT84")
    assert math.isnan(etat["droits_annuels"]) and etat["source"] == "manquant"

    df = bilan(con, 2025, 2, "reservataire")
    cd_b = fx.ligne(df, "CD84")
    assert cd_b["droits_prevus"] == pytest.approx(6)        # 12 × 2 ÷ 4
    assert math.isnan(cd_b["part_prevue"])                   # no known flux: out of the parts
    e = fx.ligne(df, "ETAT84")
    assert math.isnan(e["droits_annuels"]) and math.isnan(e["droits_prevus"])
    assert math.isnan(e["ecart"]) and math.isnan(e["taux_realisation"])
    assert e["mises_a_disposition"] == 3
    assert e["nb_conventions_droits_inconnus"] == 1
    # département 84 holds both: the known droits are summed, the unknown flagged
    d84 = fx.ligne(bilan(con, 2025, 2, "departement"), "84")
    assert d84["droits_annuels"] == pytest.approx(12)
    assert d84["nb_conventions_droits_inconnus"] == 1


def test_flux_inconnu_sans_ligne_de_parc_pour_le_perimetre():
    con = fx.base_vide()
    fx.commune(con, "13001", "13", "E1")
    fx.parc(con, "B1", "13001", parc_total=10, liberations=1)
    assert flux_annuel(con, 2025, filtres=Filtres(bailleur="B2")).empty
    assert flux_annuel(con, 2024).empty  # the parc is for 2025 only
