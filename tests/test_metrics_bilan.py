"""The bilan (DOMAIN §4.3–§4.4): hand-computed expectations, written next to the data."""

import math

import metrics_fixtures as fx
import pandas as pd
import pytest

from dashboard.metrics import (
    AXES,
    COLONNES_BILAN,
    COLONNES_SUPPLEMENTAIRES,
    Filtres,
    bilan,
    bilan_conventions,
    total,
)


def _base_dep13():
    """B1 in the Bouches-du-Rhône: flux 100 on the département (10 % of 1 000 freed)."""
    con = fx.base_vide()
    fx.epci(con, "200054807", "Métropole d'Aix-Marseille-Provence")
    fx.commune(con, "13001", "13", "200054807", nom="Aix-en-Provence")
    fx.parc(con, "B1", "13001", parc_total=1000, liberations=100)  # flux(13) = 100
    return con


# --- columns, labels, ordering ------------------------------------------------------------------

def test_colonnes_dans_l_ordre_du_contrat_et_libelles():
    con = _base_dep13()
    fx.convention(con, "B1", "ETAT13", taux_flux=25, bailleur_nom="Ancien nom", annee=2024,
                  reservataire_nom="Préfecture (ancien)")
    fx.convention(con, "B1", "ETAT13", taux_flux=25, bailleur_nom="Habitat Provence",
                  reservataire_nom="Préfet des Bouches-du-Rhône")
    fx.mad(con, "B1", "2025-02-01", "13001", reservataire="ETAT13")
    for par in AXES:
        df = bilan(con, 2025, 2, par)
        # the existing columns, in their order, then the publics prioritaires (issue 14)
        assert list(df.columns) == list(COLONNES_BILAN + COLONNES_SUPPLEMENTAIRES) + [
            "baux_prioritaires", "part_prioritaires", "baux_prioritaires_inconnus"], par
    # names from the conventions: the latest year wins
    assert fx.ligne(bilan(con, 2025, 2, "reservataire"), "ETAT13")["libelle"] == (
        "Préfet des Bouches-du-Rhône")
    assert fx.ligne(bilan(con, 2025, 2, "bailleur"), "B1")["libelle"] == "Habitat Provence"
    assert fx.ligne(bilan(con, 2025, 2, "epci"), "200054807")["libelle"] == (
        "Métropole d'Aix-Marseille-Provence")
    assert fx.ligne(bilan(con, 2025, 2, "departement"), "13")["libelle"] == "Bouches-du-Rhône"
    assert fx.ligne(bilan(con, 2025, 2, "type_reservataire"), "ETAT")["libelle"] == (
        "État — contingent préfectoral")
    assert list(bilan(con, 2025, 2, "trimestre")["libelle"]) == ["T1 2025", "T2 2025"]
    assert list(bilan(con, 2025, 2, "trimestre")["cle"]) == ["2025-T1", "2025-T2"]


def test_arguments_invalides():
    con = _base_dep13()
    with pytest.raises(ValueError, match="axe inconnu"):
        bilan(con, 2025, 2, "commune")
    with pytest.raises(ValueError, match="trimestre invalide"):
        bilan(con, 2025, 5, "bailleur")
    with pytest.raises(ValueError, match="vue inconnue"):
        bilan(con, 2025, 2, "bailleur", vue="attributions")
    with pytest.raises(ValueError, match="période inconnue"):
        bilan(con, 2025, 2, "bailleur", periode="annee")


# --- quarters -----------------------------------------------------------------------------------

def test_bornes_de_trimestre_31_mars_1er_avril_29_fevrier():
    con = _base_dep13()
    fx.parc(con, "B1", "13001", parc_total=1000, liberations=100, annee=2024)
    fx.convention(con, "B1", "ETAT13", taux_flux=40)              # 40 % × 100 = 40 droits
    fx.convention(con, "B1", "ETAT13", taux_flux=40, annee=2024)
    fx.mad(con, "B1", "2025-03-31", "13001", reservataire="ETAT13")  # T1 2025
    fx.mad(con, "B1", "2025-04-01", "13001", reservataire="ETAT13")  # T2 2025
    fx.mad(con, "B1", "2025-12-31", "13001", reservataire="ETAT13")  # T4 2025
    fx.mad(con, "B1", "2024-12-31", "13001", reservataire="ETAT13")  # T4 2024
    fx.mad(con, "B1", "2024-02-29", "13001", reservataire="ETAT13")  # T1 2024 (leap day)

    t1 = fx.ligne(bilan(con, 2025, 1, "reservataire"), "ETAT13")
    assert t1["mises_a_disposition"] == 1                      # 31 March only
    assert t1["droits_prevus"] == pytest.approx(10)            # 40 × 1 ÷ 4
    assert t1["ecart"] == pytest.approx(-9)                    # 1 − 10
    t2 = fx.ligne(bilan(con, 2025, 2, "reservataire"), "ETAT13")
    assert t2["mises_a_disposition"] == 2                      # + 1 April
    assert t2["droits_prevus"] == pytest.approx(20)            # 40 × 2 ÷ 4
    seul = fx.ligne(bilan(con, 2025, 2, "reservataire", periode="trimestre"), "ETAT13")
    assert seul["mises_a_disposition"] == 1                    # 1 April alone
    assert seul["droits_prevus"] == pytest.approx(10)          # 40 ÷ 4
    an = fx.ligne(bilan(con, 2025, 4, "reservataire"), "ETAT13")
    assert an["mises_a_disposition"] == 3 and an["droits_prevus"] == pytest.approx(40)

    q = bilan(con, 2025, 4, "trimestre")
    assert list(q["cle"]) == ["2025-T1", "2025-T2", "2025-T3", "2025-T4"]
    assert list(q["mises_a_disposition"]) == [1, 1, 0, 1]      # each quarter its own
    assert list(q["droits_prevus"]) == pytest.approx([10, 10, 10, 10])   # 40 ÷ 4 each
    assert list(q["droits_annuels"]) == pytest.approx([40, 40, 40, 40])
    assert q["taux_realisation"].tolist() == pytest.approx([0.1, 0.1, 0.0, 0.1])

    assert fx.ligne(bilan(con, 2024, 1, "reservataire"), "ETAT13")["mises_a_disposition"] == 1
    assert fx.ligne(bilan(con, 2024, 4, "reservataire"), "ETAT13")["mises_a_disposition"] == 2


def test_axe_trimestre_complete_les_trimestres_sans_donnees():
    con = _base_dep13()
    # no convention at all: the only rows are MAD (without convention)
    fx.mad(con, "B1", "2025-01-05", "13001", reservataire="X")
    fx.mad(con, "B1", "2025-07-05", "13001", reservataire="X")
    q = bilan(con, 2025, 3, "trimestre")
    assert list(q["cle"]) == ["2025-T1", "2025-T2", "2025-T3"]
    assert list(q["mises_a_disposition"]) == [1, 0, 1]
    assert list(q["droits_prevus"]) == [0, 0, 0]     # no convention: no droits against them
    assert q["taux_realisation"].isna().all()


# --- ratios -------------------------------------------------------------------------------------

def test_ratio_des_sommes_pas_moyenne_des_ratios():
    con = _base_dep13()
    fx.convention(con, "B1", "EMP1", type_reservataire="AUTRE", methode="DROITS_ACQUIS",
                  droits_annuels=400)
    fx.convention(con, "B1", "EMP2", type_reservataire="AUTRE", methode="DROITS_ACQUIS",
                  droits_annuels=40)
    fx.mad(con, "B1", "2025-05-01", "13001", reservataire="EMP1", nombre=40)
    fx.mad(con, "B1", "2025-05-01", "13001", reservataire="EMP2", nombre=40)
    r = bilan(con, 2025, 4, "reservataire")
    assert fx.ligne(r, "EMP1")["taux_realisation"] == pytest.approx(0.1)   # 40 ÷ 400
    assert fx.ligne(r, "EMP2")["taux_realisation"] == pytest.approx(1.0)   # 40 ÷ 40
    autre = fx.ligne(bilan(con, 2025, 4, "type_reservataire"), "AUTRE")
    # (40 + 40) ÷ (400 + 40) = 0.1818…, not the mean of the ratios (0.1 + 1) ÷ 2 = 0.55
    assert autre["taux_realisation"] == pytest.approx(80 / 440)


def test_taux_de_chute_et_baux_signes():
    con = _base_dep13()
    fx.convention(con, "B1", "ETAT13", taux_flux=30)   # 30 droits
    for issue, n in (("BAIL_SIGNE", 3), ("REFUS_DEMANDEUR", 1), ("REFUS_CALEOL", 1),
                     ("SANS_CANDIDAT", 1), ("EN_COURS", 2)):
        fx.mad(con, "B1", "2025-02-10", "13001", reservataire="ETAT13", issue=issue, nombre=n)
    r = fx.ligne(bilan(con, 2025, 1, "reservataire"), "ETAT13")
    assert r["mises_a_disposition"] == 8          # whatever their issue
    assert r["baux_signes"] == 3
    assert r["taux_chute"] == pytest.approx(0.5)  # (1 + 1 + 1) ÷ (8 − 2 en cours)
    assert r["mad_chutees"] == 3 and r["mad_en_cours"] == 2
    assert r["droits_prevus"] == pytest.approx(7.5)          # 30 × 1 ÷ 4
    assert r["taux_realisation"] == pytest.approx(8 / 7.5)


def test_taux_de_chute_indefini_quand_tout_est_en_cours():
    con = _base_dep13()
    fx.convention(con, "B1", "ETAT13", taux_flux=30)
    fx.mad(con, "B1", "2025-02-10", "13001", reservataire="ETAT13", issue="EN_COURS", nombre=2)
    r = fx.ligne(bilan(con, 2025, 1, "reservataire"), "ETAT13")
    assert math.isnan(r["taux_chute"])            # 0 ÷ (2 − 2): undefined, never 0


def test_part_prevue_et_part_reelle():
    con = _base_dep13()                                      # flux(13) = 100
    fx.convention(con, "B1", "ETAT13", taux_flux=25)         # 25 droits
    fx.convention(con, "B1", "ALS", type_reservataire="ACTION_LOGEMENT", taux_flux=20)  # 20
    fx.mad(con, "B1", "2025-03-01", "13001", reservataire="ETAT13", nombre=6)
    fx.mad(con, "B1", "2025-03-01", "13001", reservataire="ALS", nombre=2)
    fx.mad(con, "B1", "2025-03-01", "13001", categorie="NON_RESERVE", nombre=10)
    fx.mad(con, "B1", "2025-03-01", "13001", categorie="MUTATION", nombre=5)  # hors flux
    fx.mad(con, "B1", "2025-03-01", "13001", reservataire="INCONNU1", nombre=2)  # no convention

    r = bilan(con, 2025, 1, "reservataire")
    etat = fx.ligne(r, "ETAT13")
    assert etat["part_prevue"] == pytest.approx(0.25)   # 25 ÷ 100
    # 6 ÷ (6 + 2 + 10 + 2): FLUX and NON_RESERVE of B1 in the perimeter, mutations excluded
    assert etat["part_reelle"] == pytest.approx(0.3)
    sans = fx.ligne(r, "INCONNU1")
    assert math.isnan(sans["part_prevue"]) and math.isnan(sans["part_reelle"])

    b1 = fx.ligne(bilan(con, 2025, 1, "bailleur"), "B1")
    # summed over the conventions of the group: (25 + 20) ÷ (100 + 100), (6 + 2) ÷ (20 + 20)
    assert b1["part_prevue"] == pytest.approx(0.225)
    assert b1["part_reelle"] == pytest.approx(0.2)
    assert b1["mises_a_disposition"] == 10               # 6 + 2 + 2 (NON_RESERVE is not FLUX)


# --- matching MAD to conventions ----------------------------------------------------------------

def test_perimetre_le_plus_specifique_gagne():
    con = fx.base_vide()
    fx.commune(con, "13001", "13", "E1")
    fx.commune(con, "13002", "13", "E1")
    fx.commune(con, "13003", "13", "E2")
    for code in ("13001", "13002", "13003"):
        fx.parc(con, "B1", code, parc_total=100, liberations=10)
    # the same réservataire holds three conventions with B1
    fx.convention(con, "B1", "R", type_reservataire="AUTRE", taux_flux=10)
    fx.convention(con, "B1", "R", type_reservataire="AUTRE", perimetre_type="EPCI",
                  perimetre_code="E1", taux_flux=10)
    fx.convention(con, "B1", "R", type_reservataire="AUTRE", perimetre_type="COMMUNE",
                  perimetre_code="13001", taux_flux=10)
    fx.mad(con, "B1", "2025-01-10", "13001", reservataire="R", nombre=1)  # → commune
    fx.mad(con, "B1", "2025-01-10", "13002", reservataire="R", nombre=2)  # → EPCI E1
    fx.mad(con, "B1", "2025-01-10", "13003", reservataire="R", nombre=3)  # → département
    conv = bilan_conventions(con, 2025, 1).set_index("perimetre_type")
    assert conv.loc["COMMUNE", "mises_a_disposition"] == 1
    assert conv.loc["EPCI", "mises_a_disposition"] == 2
    assert conv.loc["DEPARTEMENT", "mises_a_disposition"] == 3
    assert (conv["mad_sans_convention"] == 0).all()


def test_mad_sans_convention_compte_sur_chaque_axe():
    con = _base_dep13()
    fx.commune(con, "84001", "84", None)
    fx.convention(con, "B1", "ETAT13", taux_flux=25)
    # ALS has a convention with B1, but only in the Vaucluse: its MAD in 13 match nothing
    fx.convention(con, "B1", "ALS", type_reservataire="ACTION_LOGEMENT", departement="84",
                  taux_flux=20, droits_annuels=5)
    # ETAT13 has a 2024 convention only for B2: a 2025 MAD of B2 matches nothing
    fx.convention(con, "B2", "ETAT13", taux_flux=25, annee=2024)
    fx.mad(con, "B1", "2025-02-01", "13001", reservataire="ALS", nombre=2)
    fx.mad(con, "B1", "2025-02-01", "13001", reservataire="XYZ", nombre=1)  # named nowhere
    fx.mad(con, "B2", "2025-02-01", "13001", reservataire="ETAT13", nombre=4)

    r = bilan(con, 2025, 1, "reservataire")
    als = fx.ligne(r, "ALS")
    # ALS: its 84 convention (5 droits, 0 MAD) and 2 MAD without convention in 13
    assert als["mises_a_disposition"] == 2 and als["mad_sans_convention"] == 2
    assert als["droits_annuels"] == pytest.approx(5)
    xyz = fx.ligne(r, "XYZ")
    assert xyz["droits_annuels"] == 0 and xyz["mises_a_disposition"] == 1
    assert xyz["ecart"] == 1 and math.isnan(xyz["taux_realisation"])

    types = bilan(con, 2025, 1, "type_reservataire")
    assert fx.ligne(types, "INCONNU")["mises_a_disposition"] == 1        # XYZ
    assert fx.ligne(types, "INCONNU")["libelle"] == "Type inconnu (sans convention)"
    assert list(types["cle"])[-1] == "INCONNU"                          # listed last
    assert fx.ligne(types, "ACTION_LOGEMENT")["mises_a_disposition"] == 2  # type known elsewhere
    assert fx.ligne(types, "ETAT")["mises_a_disposition"] == 4           # from the 2024 one

    b = bilan(con, 2025, 1, "bailleur")
    assert fx.ligne(b, "B2")["mises_a_disposition"] == 4
    assert fx.ligne(b, "B2")["droits_annuels"] == 0
    assert fx.ligne(bilan(con, 2025, 1, "departement"), "13")["mises_a_disposition"] == 7
    assert fx.ligne(bilan(con, 2025, 1, "epci"), "200054807")["mises_a_disposition"] == 7
    assert fx.ligne(bilan(con, 2025, 1, "trimestre"), "2025-T1")["mises_a_disposition"] == 7
    t = total(con, 2025, 1).iloc[0]
    assert t["mises_a_disposition"] == 7 and t["mad_sans_convention"] == 7
    # 25 % × 100 = 25, + 5 (estimate, no parc in 84)
    assert t["droits_annuels"] == pytest.approx(30)


# --- EPCI apportionment -------------------------------------------------------------------------

def test_ventilation_epci_avec_reste_non_ventile():
    con = fx.base_vide()
    fx.epci(con, "E1", "CA Une")
    fx.epci(con, "E2", "CC Deux")
    fx.commune(con, "13001", "13", "E1")
    fx.commune(con, "13002", "13", "E2")
    fx.commune(con, "13099", "13", None)         # a commune without EPCI
    fx.commune(con, "84001", "84", "E84")
    fx.parc(con, "B1", "13001", parc_total=600, liberations=60)
    fx.parc(con, "B1", "13002", parc_total=300, liberations=30)
    fx.parc(con, "B1", "13099", parc_total=100, liberations=10)   # flux(13) = 100
    fx.convention(con, "B1", "ETAT13", taux_flux=30)                # 30 droits
    # no parc of B1 in 84: its droits cannot be apportioned
    fx.convention(con, "B1", "ALS", type_reservataire="ACTION_LOGEMENT", departement="84",
                  methode="DROITS_ACQUIS", droits_annuels=40)
    fx.mad(con, "B1", "2025-01-10", "13001", reservataire="ETAT13", nombre=2)
    fx.mad(con, "B1", "2025-01-10", "13099", reservataire="ETAT13", nombre=1)

    e = bilan(con, 2025, 4, "epci")
    assert list(e["cle"]) == ["E1", "E2", "NON_VENTILE"]     # by name, "non ventilé" last
    assert fx.ligne(e, "E1")["droits_annuels"] == pytest.approx(18)   # 30 × 600 ÷ 1 000
    assert fx.ligne(e, "E2")["droits_annuels"] == pytest.approx(9)    # 30 × 300 ÷ 1 000
    nv = fx.ligne(e, "NON_VENTILE")
    assert nv["libelle"] == "Non ventilé"
    assert nv["droits_annuels"] == pytest.approx(43)                  # 30 × 100 ÷ 1 000 + 40
    assert fx.ligne(e, "E1")["mises_a_disposition"] == 2              # MAD: their commune's EPCI
    assert nv["mises_a_disposition"] == 1
    assert fx.ligne(e, "E1")["part_prevue"] == pytest.approx(0.3)     # 18 ÷ (100 × 0.6)
    assert e["droits_annuels"].sum() == pytest.approx(70)             # = 30 + 40, all of it

    seul = bilan(con, 2025, 4, "reservataire", filtres=Filtres(epci=("E1",)))
    assert fx.ligne(seul, "ETAT13")["droits_annuels"] == pytest.approx(18)
    assert list(seul["cle"]) == ["ETAT13"]


def test_convention_epci_et_commune_vont_a_leur_epci():
    con = fx.base_vide()
    fx.commune(con, "13001", "13", "E1")
    fx.commune(con, "13002", "13", "E2")
    fx.parc(con, "B1", "13001", parc_total=100, liberations=10)
    fx.parc(con, "B1", "13002", parc_total=200, liberations=20)
    fx.convention(con, "B1", "EPCI-E2", type_reservataire="EPCI", perimetre_type="EPCI",
                  perimetre_code="E2", taux_flux=50)      # 50 % × 20 = 10
    fx.convention(con, "B1", "COM-13001", type_reservataire="COMMUNE", perimetre_type="COMMUNE",
                  perimetre_code="13001", taux_flux=20)   # 20 % × 10 = 2
    e = bilan(con, 2025, 4, "epci")
    assert fx.ligne(e, "E2")["droits_annuels"] == pytest.approx(10)
    assert fx.ligne(e, "E1")["droits_annuels"] == pytest.approx(2)
    assert "NON_VENTILE" not in set(e["cle"])


# --- the baux view ------------------------------------------------------------------------------

def test_vue_baux_par_date_de_bail():
    con = _base_dep13()
    fx.convention(con, "B1", "ETAT13", taux_flux=40)     # 40 droits → 10 per quarter
    # dated 2024, lease signed in January 2025: a 2025 bail, not a 2025 MAD
    fx.mad(con, "B1", "2024-12-20", "13001", reservataire="ETAT13", issue="BAIL_SIGNE",
           date_bail="2025-01-10")
    # a MAD of March whose lease is signed in April
    fx.mad(con, "B1", "2025-03-25", "13001", reservataire="ETAT13", issue="BAIL_SIGNE",
           date_bail="2025-04-02")
    fx.mad(con, "B1", "2025-02-01", "13001", reservataire="ETAT13", issue="REFUS_CALEOL")

    mad = fx.ligne(bilan(con, 2025, 1, "reservataire", vue="mad"), "ETAT13")
    assert mad["mises_a_disposition"] == 2             # 25 March + 1 February
    assert mad["baux_signes"] == 1                     # the 25 March one
    assert mad["taux_chute"] == pytest.approx(0.5)     # 1 refusal ÷ 2

    baux = fx.ligne(bilan(con, 2025, 1, "reservataire", vue="baux"), "ETAT13")
    assert baux["mises_a_disposition"] == 1            # the lease of 10 January 2025
    assert baux["baux_signes"] == 1
    assert baux["droits_prevus"] == pytest.approx(10)  # 40 × 1 ÷ 4
    assert baux["ecart"] == pytest.approx(-9)          # 1 − 10
    assert baux["taux_realisation"] == pytest.approx(0.1)
    assert baux["taux_chute"] == pytest.approx(0.5)    # still over the MAD dated in the window
    assert fx.ligne(bilan(con, 2025, 2, "reservataire", vue="baux"),
                    "ETAT13")["mises_a_disposition"] == 2   # + 2 April
    q = bilan(con, 2025, 2, "trimestre", vue="baux")
    assert list(q["mises_a_disposition"]) == [1, 1]


# --- filters ------------------------------------------------------------------------------------

def _base_filtres():
    con = _base_dep13()
    fx.commune(con, "84001", "84", "E84")
    fx.parc(con, "B2", "84001", parc_total=500, liberations=50)
    fx.convention(con, "B1", "ETAT13", taux_flux=25)                               # 25
    fx.convention(con, "B1", "ALS", type_reservataire="ACTION_LOGEMENT", taux_flux=20,
                  statut="EN_COURS")                                                # 20
    fx.convention(con, "B2", "ETAT84", departement="84", taux_flux=30)             # 15
    fx.mad(con, "B1", "2025-01-10", "13001", reservataire="ETAT13", nombre=3)
    fx.mad(con, "B1", "2025-01-10", "13001", reservataire="ALS", nombre=2)
    fx.mad(con, "B2", "2025-01-10", "84001", reservataire="ETAT84", nombre=4)
    fx.mad(con, "B2", "2025-01-10", "84001", reservataire="QQ", nombre=1)          # no convention
    return con


def test_filtres_vides_et_filtres_sans_resultat():
    con = _base_filtres()
    sans = bilan(con, 2025, 1, "reservataire")
    avec_vide = bilan(con, 2025, 1, "reservataire", filtres=Filtres())
    pd.testing.assert_frame_equal(sans, avec_vide)
    for par in AXES:
        vide = bilan(con, 2025, 1, par, filtres=Filtres(departement=("971",)))
        assert vide.empty and list(vide.columns)[:11] == list(COLONNES_BILAN), par
    assert total(con, 2025, 1, filtres=Filtres(bailleur="BXX")).empty


def test_filtres_sur_chaque_axe():
    con = _base_filtres()
    def mad(**filtres):
        t = total(con, 2025, 1, filtres=Filtres(**filtres))
        return 0 if t.empty else int(t.iloc[0]["mises_a_disposition"])

    assert mad() == 10
    assert mad(departement="84") == 5          # 4 + 1 (QQ: the commune's département)
    assert mad(departement="13,84") == 10
    assert mad(epci=("E84",)) == 5
    assert mad(bailleur="B1") == 5
    assert mad(type_reservataire="ETAT") == 7
    assert mad(type_reservataire="INCONNU") == 1
    assert mad(reservataire=("ALS", "QQ")) == 3
    assert mad(statut="SIGNEE") == 7           # MAD without convention have no statut
    assert mad(statut="EN_COURS") == 2
    assert mad(statut="SANS_CONVENTION") == 1
    assert mad(bailleur="B1", departement="84") == 0
    t = total(con, 2025, 1, filtres=Filtres(statut="SIGNEE")).iloc[0]
    assert t["droits_annuels"] == pytest.approx(40)   # 25 + 15


def test_bilan_conventions():
    con = _base_filtres()
    df = bilan_conventions(con, 2025, 1)
    assert len(df) == 4                        # 3 conventions + QQ's MAD
    qq = df[df["reservataire_code"] == "QQ"].iloc[0]
    assert qq["source"] == "sans_convention" and qq["type_reservataire"] == "INCONNU"
    assert qq["departement"] == "84" and qq["mises_a_disposition"] == 1
    etat = df[df["reservataire_code"] == "ETAT13"].iloc[0]
    assert etat["droits_annuels"] == pytest.approx(25) and etat["source"] == "assiette"
    assert etat["flux_annuel_perimetre"] == pytest.approx(100)
    assert etat["droits_prevus"] == pytest.approx(6.25)   # 25 ÷ 4
