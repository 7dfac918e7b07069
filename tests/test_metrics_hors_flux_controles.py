"""Hors flux (DOMAIN §4.5) and controls (§4.7), with hand-computed expectations."""

import math
from datetime import date

import metrics_fixtures as fx
import pytest

from dashboard.metrics import COLONNES_HORS_FLUX, Filtres, controles, hors_flux


def _base_hors_flux():
    con = fx.base_vide()
    fx.epci(con, "E1", "CA Une")
    fx.commune(con, "13001", "13", "E1")
    fx.commune(con, "13002", "13", None)
    fx.commune(con, "84001", "84", "E84")
    # B1 in 13001, T1 2025: 2 mutations, 1 relogement, 1 première location, 1 stock, 3 flux,
    # 2 non réservés → 5 hors flux out of 10 MAD
    for categorie, n in (("MUTATION", 2), ("RELOGEMENT", 1), ("PREMIERE_LOCATION", 1),
                         ("STOCK", 1), ("NON_RESERVE", 2)):
        fx.mad(con, "B1", "2025-02-15", "13001", categorie=categorie, nombre=n)
    fx.mad(con, "B1", "2025-02-15", "13001", reservataire="ETAT13", nombre=3)
    # B1 in 13002 (no EPCI), T2: 1 mutation, 1 flux
    fx.mad(con, "B1", "2025-05-15", "13002", categorie="MUTATION")
    fx.mad(con, "B1", "2025-05-15", "13002", reservataire="ETAT13")
    # B2 in 84001, T2: 2 flux only
    fx.mad(con, "B2", "2025-06-30", "84001", reservataire="ETAT84", nombre=2)
    # outside the window of 2025 T2: ignored
    fx.mad(con, "B1", "2025-07-01", "13001", categorie="MUTATION")
    fx.mad(con, "B1", "2024-12-31", "13001", categorie="MUTATION")
    return con


def test_hors_flux_par_bailleur():
    df = hors_flux(_base_hors_flux(), 2025, 2, "bailleur")
    assert list(df.columns) == list(COLONNES_HORS_FLUX)
    b1 = fx.ligne(df, "B1")
    assert (b1["mutations"], b1["relogements"], b1["premieres_locations"], b1["stock"]) == (
        3, 1, 1, 1)
    assert b1["hors_flux"] == 6          # 5 in T1 + 1 mutation in T2
    assert b1["dans_le_flux"] == 6       # 3 + 2 non réservés + 1
    assert b1["total_mad"] == 12
    assert b1["part_hors_flux"] == pytest.approx(0.5)   # 6 ÷ 12
    b2 = fx.ligne(df, "B2")
    assert b2["hors_flux"] == 0 and b2["part_hors_flux"] == 0   # 0 ÷ 2: defined, and 0


def test_hors_flux_par_epci_departement_trimestre():
    con = _base_hors_flux()
    e = hors_flux(con, 2025, 2, "epci")
    assert fx.ligne(e, "E1")["hors_flux"] == 5 and fx.ligne(e, "E1")["libelle"] == "CA Une"
    assert fx.ligne(e, "NON_VENTILE")["hors_flux"] == 1          # 13002 has no EPCI
    assert list(e["cle"])[-1] == "NON_VENTILE"
    d = hors_flux(con, 2025, 2, "departement")
    assert fx.ligne(d, "13")["part_hors_flux"] == pytest.approx(6 / 12)
    assert fx.ligne(d, "84")["total_mad"] == 2
    q = hors_flux(con, 2025, 2, "trimestre")
    assert list(q["hors_flux"]) == [5, 1]
    assert list(q["total_mad"]) == [10, 4]
    assert q["part_hors_flux"].tolist() == pytest.approx([0.5, 0.25])
    seul = hors_flux(con, 2025, 2, "bailleur", periode="trimestre")
    assert fx.ligne(seul, "B1")["total_mad"] == 2                 # T2 alone
    filtre = hors_flux(con, 2025, 2, "bailleur", filtres=Filtres(departement="84"))
    assert list(filtre["cle"]) == ["B2"]
    assert hors_flux(con, 2025, 2, "epci", filtres=Filtres(epci="E999")).empty


def test_hors_flux_trimestre_sans_mad():
    con = fx.base_vide()
    fx.commune(con, "13001", "13", "E1")
    fx.mad(con, "B1", "2025-08-01", "13001", categorie="STOCK")
    q = hors_flux(con, 2025, 3, "trimestre")
    assert list(q["cle"]) == ["2025-T1", "2025-T2", "2025-T3"]
    assert list(q["total_mad"]) == [0, 0, 1]
    assert math.isnan(q["part_hors_flux"].iloc[0])    # no MAD: undefined, never 0


def _base_controles():
    con = fx.base_vide()
    fx.epci(con, "E1", "CA Une")
    fx.commune(con, "13001", "13", "E1", nom="Aix")
    fx.commune(con, "13002", "13", "E1", nom="Bouc")
    fx.parc(con, "B1", "13001", parc_total=1000, liberations=100)
    fx.parc(con, "B1", "13002", parc_total=1000, liberations=100)   # flux(13) = 200
    # B1 in 13: 28 + 6 + 50 + 21 = 105 % on the département
    fx.convention(con, "B1", "ETAT13", taux_flux=28, bailleur_nom="Habitat Un")
    fx.convention(con, "B1", "AGENTS13", type_reservataire="ETAT_AGENTS", taux_flux=6)
    fx.convention(con, "B1", "ALS", type_reservataire="ACTION_LOGEMENT", taux_flux=50,
                  date_signature=None)                                 # signed, no date
    fx.convention(con, "B1", "CD13", type_reservataire="DEPARTEMENT", taux_flux=21,
                  reservataire_nom="Conseil départemental 13")
    # and a commune convention on 13001: 105 + 15 = 120 % there
    fx.convention(con, "B1", "COM-13001", type_reservataire="COMMUNE", perimetre_type="COMMUNE",
                  perimetre_code="13001", taux_flux=15)
    # B2 in 84: no parc; one convention with an estimate, one with nothing
    fx.convention(con, "B2", "CD84", type_reservataire="DEPARTEMENT", departement="84",
                  taux_flux=10, droits_annuels=7)
    fx.convention(con, "B2", "ETAT84", departement="84", taux_flux=25)
    # MAD of B1: T1 and T3, none in T2; 2 for a réservataire without convention
    fx.mad(con, "B1", "2025-01-10", "13001", reservataire="ETAT13")
    fx.mad(con, "B1", "2025-08-10", "13002", reservataire="INCONNU7", nombre=2,
           reference="X")
    return con


def test_controles_chaque_anomalie_avec_sa_phrase():
    df = controles(_base_controles(), 2025)
    par_code = {code: g for code, g in df.groupby("controle")}

    taux = par_code["TAUX_FLUX_SUP_100"].iloc[0]
    assert taux["bailleur_code"] == "B1" and taux["departement"] == "13"
    assert taux["valeur"] == pytest.approx(120)              # 28 + 6 + 50 + 21 + 15 on 13001
    assert taux["perimetre_code"] == "13001"
    assert "120,0" in taux["message"] and "Habitat Un" in taux["message"]

    etat = par_code["ETAT_SUP_30"].iloc[0]
    assert etat["valeur"] == pytest.approx(34)               # 28 + 6 > 30
    assert par_code["ETAT_AGENTS_SUP_5"].iloc[0]["valeur"] == pytest.approx(6)

    coll = par_code["COLLECTIVITE_SUP_20"]
    assert list(coll["reservataire_code"]) == ["CD13"]       # 21 % > 20 %; the commune's 15 % ok
    assert coll.iloc[0]["niveau"] == "avertissement"
    assert "Conseil départemental 13" in coll.iloc[0]["message"]

    sans_date = par_code["SIGNEE_SANS_DATE"].iloc[0]
    assert sans_date["reservataire_code"] == "ALS"

    mad = par_code["MAD_SANS_CONVENTION"].iloc[0]
    assert (mad["bailleur_code"], mad["reservataire_code"], mad["departement"]) == (
        "B1", "INCONNU7", "13")
    assert mad["nombre"] == 2
    assert "2 mises à disposition" in mad["message"]

    assert list(par_code["DROITS_ESTIMES"]["reservataire_code"]) == ["CD84"]
    assert list(par_code["DROITS_INCONNUS"]["reservataire_code"]) == ["ETAT84"]

    # B1 reported in T1 and T3 (the latest quarter with any MAD): T2 is missing in 13;
    # B2 has conventions in 84 and never reported: T1, T2, T3
    manquants = par_code["BAILLEUR_SANS_MAD"]
    assert sorted(zip(manquants["bailleur_code"], manquants["trimestre"])) == [
        ("B1", 2), ("B2", 1), ("B2", 2), ("B2", 3)]

    # on 10 May 2025, only T1 has ended: T2 and T3 are not due yet
    en_mai = controles(_base_controles(), 2025, aujourd_hui=date(2025, 5, 10))
    manquants = en_mai[en_mai["controle"] == "BAILLEUR_SANS_MAD"]
    assert sorted(zip(manquants["bailleur_code"], manquants["trimestre"])) == [("B2", 1)]

    assert (df["message"].str.len() > 20).all()
    assert set(df["niveau"]) == {"erreur", "avertissement"}
    assert list(df["niveau"]).index("avertissement") > list(df["niveau"]).index("erreur")
    assert df["niveau"].tolist() == sorted(df["niveau"], key=["erreur", "avertissement"].index)


def test_controles_plafonds_sur_le_seul_departement_et_filtres():
    con = fx.base_vide()
    fx.commune(con, "13001", "13", "E1")
    fx.parc(con, "B1", "13001", parc_total=100, liberations=10)
    fx.convention(con, "B1", "ETAT13", taux_flux=25)
    fx.convention(con, "B1", "AGENTS13", type_reservataire="ETAT_AGENTS", taux_flux=5)
    fx.convention(con, "B1", "ALS", type_reservataire="ACTION_LOGEMENT", taux_flux=70)
    fx.mad(con, "B1", "2025-01-10", "13001", reservataire="ETAT13")
    # exactly 100 %, 30 % and 5 %: at the ceilings, not beyond
    assert controles(con, 2025).empty
    fx.convention(con, "B1", "R", type_reservataire="REGION", methode="DROITS_ACQUIS",
                  droits_annuels=1)  # 1 droit on a flux of 10: 10 % more → 110 %
    df = controles(con, 2025)
    assert list(df["controle"]) == ["TAUX_FLUX_SUP_100"]
    assert df.iloc[0]["valeur"] == pytest.approx(110)
    assert df.iloc[0]["perimetre_type"] == "DEPARTEMENT"
    assert controles(con, 2025, filtres=Filtres(departement="84")).empty
    # with an explicit quarter, T2 is expected too
    tard = controles(con, 2025, trimestre=2)
    assert list(tard.loc[tard["controle"] == "BAILLEUR_SANS_MAD", "trimestre"]) == [2]
