"""Orientation aid (issue 8): hand-computed rankings, projections and droits acquis conversions.

The main scenario — bailleur B1 in the Bouches-du-Rhône, 2025 (365 days), on 14/03/2025: day 73,
so droits prévus = droits annuels × 73 ÷ 365 = 0,2 × droits annuels.

    parc 2025       Aix 13001 (EPCI AMP): 1 000 logements, 100 libérations → flux 100
                    Marseille 13055 (EPCI AMP): 2 000, 200 → flux 200
                    Arles 13004 (EPCI ACCM): 1 000, 100 → flux 100
                    département 13: flux 400; EPCI AMP: flux 300
    conventions     ETAT13 dép. 25 % → 100 droits   ALS dép. 20 % → 80
                    CD13 dép. 5 % non signée → 20   EPCI-AMP EPCI 10 % → 30
                    COM-13001 commune 10 % → 10     COM-13004 (Arles) commune 5 % → 5
"""

from datetime import date

import metrics_fixtures as fx
import pandas as pd
import pytest

from dashboard.metrics.droits_acquis import (
    conventions_droits_acquis,
    convertir,
    lire_pourcentage,
    lire_programmes,
    taux_rotation_departemental,
)
from dashboard.metrics.orientation import (
    COLONNES_ORIENTATION,
    NON_RESERVE,
    ElementInconnu,
    motif,
    orienter,
    projection,
)

AMP, ACCM = "200054807", "241300375"
LE_14_MARS = date(2025, 3, 14)


def _territoire(con):
    fx.epci(con, AMP, "Métropole d'Aix-Marseille-Provence")
    fx.epci(con, ACCM, "CA Arles-Crau-Camargue-Montagnette")
    fx.commune(con, "13001", "13", AMP, nom="Aix-en-Provence")
    fx.commune(con, "13055", "13", AMP, nom="Marseille")
    fx.commune(con, "13002", "13", AMP, nom="Allauch")
    fx.commune(con, "13004", "13", ACCM, nom="Arles")


def _scenario():
    con = fx.base_vide()
    _territoire(con)
    fx.parc(con, "B1", "13001", parc_total=1000, liberations=100)
    fx.parc(con, "B1", "13055", parc_total=2000, liberations=200)
    fx.parc(con, "B1", "13004", parc_total=1000, liberations=100)
    fx.convention(con, "B1", "ETAT13", taux_flux=25, reservataire_nom="Préfet 13")
    fx.convention(con, "B1", "ALS", type_reservataire="ACTION_LOGEMENT", taux_flux=20)
    fx.convention(con, "B1", "CD13", type_reservataire="DEPARTEMENT", taux_flux=5,
                  statut="NON_SIGNEE")
    fx.convention(con, "B1", "EPCI-AMP", type_reservataire="EPCI", perimetre_type="EPCI",
                  perimetre_code=AMP, taux_flux=10)
    fx.convention(con, "B1", "COM-13001", type_reservataire="COMMUNE", perimetre_type="COMMUNE",
                  perimetre_code="13001", taux_flux=10)
    fx.convention(con, "B1", "COM-13004", type_reservataire="COMMUNE", perimetre_type="COMMUNE",
                  perimetre_code="13004", taux_flux=5)
    # ETAT13: 5 MAD from 1 January to 14 March inclusive, anywhere in the département
    fx.mad(con, "B1", "2025-01-10", "13055", reservataire="ETAT13", nombre=3)
    fx.mad(con, "B1", "2025-03-14", "13004", reservataire="ETAT13", nombre=2)   # the day counts
    fx.mad(con, "B1", "2025-03-15", "13001", reservataire="ETAT13")             # after the date
    fx.mad(con, "B1", "2024-12-31", "13001", reservataire="ETAT13")             # last year
    fx.mad(con, "B2", "2025-02-01", "13001", reservataire="ETAT13", nombre=4)   # another bailleur
    fx.mad(con, "B1", "2025-02-01", "13055", reservataire="ALS", nombre=14)
    fx.mad(con, "B1", "2025-02-01", "13001", reservataire="CD13", issue="REFUS_CALEOL")
    fx.mad(con, "B1", "2025-02-01", "13055", reservataire="EPCI-AMP", nombre=6)
    fx.mad(con, "B1", "2025-02-01", "13004", reservataire="EPCI-AMP", nombre=4)  # outside AMP
    fx.mad(con, "B1", "2025-02-01", "13004", reservataire="COM-13004", nombre=1)
    # the bailleur's own share: 3 NON_RESERVE in Aix count; Marseille's and hors flux do not
    fx.mad(con, "B1", "2025-02-01", "13001", categorie="NON_RESERVE", nombre=3)
    fx.mad(con, "B1", "2025-02-01", "13055", categorie="NON_RESERVE", nombre=2)
    fx.mad(con, "B1", "2025-02-01", "13001", categorie="MUTATION", nombre=4)
    return con


def _par_code(df) -> dict:
    return {r["reservataire_code"]: r for r in df.to_dict("records")}


def test_classement_du_scenario_calcule_a_la_main():
    df = orienter(_scenario(), "B1", "13001", LE_14_MARS)
    assert list(df.columns[:8]) == list(COLONNES_ORIENTATION)
    # retard_relatif: COM-13001 (2 − 0) ÷ 10 = 0,2; ETAT13 (20 − 5) ÷ 100 = 0,15 and
    # CD13 (4 − 1) ÷ 20 = 0,15 (tie: retard 15 before 3); NON_RESERVE (6 − 3) ÷ 30 = 0,1;
    # ALS (16 − 14) ÷ 80 = 0,025; EPCI-AMP (6 − 6) ÷ 30 = 0.
    assert list(df["reservataire_code"]) == [
        "COM-13001", "ETAT13", "CD13", NON_RESERVE, "ALS", "EPCI-AMP"]
    assert list(df["rang"]) == [1, 2, 3, 4, 5, 6]
    lignes = _par_code(df)
    attendu = {  # droits annuels, droits prévus, MAD, retard, retard relatif
        "COM-13001": (10, 2, 0, 2, 0.2),
        "ETAT13": (100, 20, 5, 15, 0.15),
        "CD13": (20, 4, 1, 3, 0.15),
        NON_RESERVE: (30, 6, 3, 3, 0.1),
        "ALS": (80, 16, 14, 2, 0.025),
        "EPCI-AMP": (30, 6, 6, 0, 0.0),
    }
    for code, (annuels, prevus, mad, retard, relatif) in attendu.items():
        ligne = lignes[code]
        assert ligne["droits_annuels"] == pytest.approx(annuels), code
        assert ligne["droits_prevus"] == pytest.approx(prevus), code
        assert ligne["mises_a_disposition"] == mad, code
        assert ligne["retard"] == pytest.approx(retard), code
        assert ligne["retard_relatif"] == pytest.approx(relatif, abs=1e-12), code
    assert lignes["ETAT13"]["libelle"] == "Préfet 13"
    assert lignes[NON_RESERVE]["libelle"] == "Contingent propre du bailleur (non réservé)"
    assert (df["jours_ecoules"] == 73).all() and (df["jours_annee"] == 365).all()


def test_part_non_reservee_sur_le_flux_de_la_commune():
    lignes = _par_code(orienter(_scenario(), "B1", "13001", LE_14_MARS))
    nr = lignes[NON_RESERVE]
    # 100 % − (25 + 20 + 5 + 10 + 10) % = 30 % of Aix's flux of 100
    assert nr["taux_flux"] == pytest.approx(30)
    assert nr["part_flux"] == pytest.approx(0.3)
    assert nr["flux_annuel"] == pytest.approx(100)
    assert nr["motif"].startswith("Part non réservée de 30,0\u202f% du flux de la commune "
                                  "(100\u202f% moins 70,0\u202f% réservés par les conventions)")


def test_une_convention_communale_hors_de_sa_commune_n_apparait_jamais():
    con = _scenario()
    for commune in ("13001", "13055", "13002"):
        assert "COM-13004" not in set(orienter(con, "B1", commune, LE_14_MARS)["reservataire_code"])
    # nor an EPCI's outside its EPCI: Arles is not in AMP
    arles = _par_code(orienter(con, "B1", "13004", LE_14_MARS))
    assert "EPCI-AMP" not in arles and "COM-13001" not in arles
    # in Arles, the commune convention is there (5 droits, 1 MAD: prévus 1, retard 0)
    assert arles["COM-13004"]["droits_annuels"] == pytest.approx(5)
    assert arles["COM-13004"]["mises_a_disposition"] == 1
    # EPCI-AMP's MAD in Arles are outside its perimeter: its count stays 6 in Aix
    assert _par_code(orienter(con, "B1", "13001", LE_14_MARS))["EPCI-AMP"][
        "mises_a_disposition"] == 6


def test_un_reservataire_sans_droits_restants_passe_en_dernier():
    con = _scenario()
    # ALS receives 66 more MAD: 80 of 80 droits annuels, none left
    fx.mad(con, "B1", "2025-03-01", "13001", reservataire="ALS", nombre=66)
    # AUTRE-0: a convention at 0 % (0 droits: retard relatif undefined)
    fx.convention(con, "B1", "AUTRE-0", type_reservataire="AUTRE", taux_flux=0)
    df = orienter(con, "B1", "13001", LE_14_MARS)
    assert list(df["reservataire_code"]) == [
        "COM-13001", "ETAT13", "CD13", NON_RESERVE, "EPCI-AMP", "ALS", "AUTRE-0"]
    lignes = _par_code(df)
    # ALS: (16 − 80) ÷ 80 = −0,8
    assert lignes["ALS"]["retard_relatif"] == pytest.approx(-0.8)
    assert lignes["ALS"]["groupe"] == 2 and lignes["ALS"]["reste_a_mettre_a_disposition"] == 0
    assert lignes["ALS"]["motif"].startswith("Droits annuels déjà atteints : 80 mises à "
                                             "disposition reçues pour 80,0 droits annuels")
    assert pd.isna(lignes["AUTRE-0"]["retard_relatif"])
    assert lignes["AUTRE-0"]["motif"].startswith("Aucun droit cette année")


def test_droits_inconnus_montres_apres_les_droits_connus():
    con = _scenario()
    # Allauch: no parc of B1 there, so a commune convention has unknown droits (no estimate),
    # and so has the non-reserved share (the commune's flux is unknown)
    fx.convention(con, "B1", "COM-13002", type_reservataire="COMMUNE", perimetre_type="COMMUNE",
                  perimetre_code="13002", taux_flux=10)
    fx.mad(con, "B1", "2025-02-01", "13002", reservataire="COM-13002", nombre=2)
    df = orienter(con, "B1", "13002", LE_14_MARS)
    # known: ETAT13 0,15 (15), CD13 0,15 (3), ALS 0,025, EPCI-AMP 0; then unknown by code
    assert list(df["reservataire_code"]) == [
        "ETAT13", "CD13", "ALS", "EPCI-AMP", "COM-13002", NON_RESERVE]
    lignes = _par_code(df)
    assert pd.isna(lignes["COM-13002"]["droits_annuels"])
    assert pd.isna(lignes["COM-13002"]["droits_prevus"])
    assert lignes["COM-13002"]["mises_a_disposition"] == 2
    assert lignes["COM-13002"]["source"] == "manquant"
    assert lignes["COM-13002"]["motif"].startswith("Droits inconnus : 2 mises à disposition")
    # the shares are known (100 − 25 − 20 − 5 − 10 − 10 = 30 %) but not Allauch's flux
    assert lignes[NON_RESERVE]["part_flux"] == pytest.approx(0.3)
    assert pd.isna(lignes[NON_RESERVE]["droits_annuels"])
    assert "flux de la commune inconnu" in lignes[NON_RESERVE]["motif"]


def test_egalites_departagees_par_le_retard_puis_le_code():
    con = fx.base_vide()
    _territoire(con)
    fx.parc(con, "B1", "13001", parc_total=1000, liberations=100)   # flux 100, all in Aix
    # at 14/03 (0,2): R-B and R-A 10 % → 10 droits, 2 prévus, 1 MAD: retard 1, relatif 0,1;
    # R-C 20 % → 20 droits, 4 prévus, 2 MAD: retard 2, relatif 0,1 (2 of 20 = 1 of 10)
    for code, taux, mad in (("R-B", 10, 1), ("R-A", 10, 1), ("R-C", 20, 2)):
        fx.convention(con, "B1", code, type_reservataire="AUTRE", taux_flux=taux)
        fx.mad(con, "B1", "2025-02-01", "13001", reservataire=code, nombre=mad)
    # non-reserved: 60 % of 100 = 60 droits, 12 prévus, 6 MAD: retard 6, relatif 0,1 too
    fx.mad(con, "B1", "2025-02-01", "13001", categorie="NON_RESERVE", nombre=6)
    df = orienter(con, "B1", "13001", LE_14_MARS)
    assert list(df["retard_relatif"]) == pytest.approx([0.1] * 4)
    assert list(df["reservataire_code"]) == [NON_RESERVE, "R-C", "R-A", "R-B"]
    # the same on every call (stable)
    for _ in range(3):
        assert list(orienter(con, "B1", "13001", LE_14_MARS)["reservataire_code"]) == [
            NON_RESERVE, "R-C", "R-A", "R-B"]


def test_la_convention_la_plus_specifique_represente_le_reservataire():
    con = _scenario()
    # ALS also holds a commune convention on Aix: a MAD in Aix counts against it, so for a
    # dwelling in Aix ALS is that convention (10 % of Aix's 100 = 10 droits), and its share, not
    # the département one's, comes off the non-reserved share: 100 − 25 − 5 − 10 − 10 − 10 = 40 %
    fx.convention(con, "B1", "ALS", type_reservataire="ACTION_LOGEMENT", perimetre_type="COMMUNE",
                  perimetre_code="13001", taux_flux=10)
    fx.mad(con, "B1", "2025-02-01", "13001", reservataire="ALS", nombre=1)
    lignes = _par_code(orienter(con, "B1", "13001", LE_14_MARS))
    assert lignes["ALS"]["perimetre_type"] == "COMMUNE"
    assert lignes["ALS"]["droits_annuels"] == pytest.approx(10)
    assert lignes["ALS"]["mises_a_disposition"] == 1
    assert lignes[NON_RESERVE]["part_flux"] == pytest.approx(0.4)
    # in Marseille it is still the département one (80 droits, its 14 MAD)
    marseille = _par_code(orienter(con, "B1", "13055", LE_14_MARS))
    assert marseille["ALS"]["perimetre_type"] == "DEPARTEMENT"
    assert marseille["ALS"]["mises_a_disposition"] == 14


def test_statuts_signees_seulement():
    con = _scenario()
    df = orienter(con, "B1", "13001", LE_14_MARS, statuts=("SIGNEE",))
    assert "CD13" not in set(df["reservataire_code"])
    # CD13's 5 % go back to the bailleur: 35 % of 100
    assert _par_code(df)[NON_RESERVE]["droits_annuels"] == pytest.approx(35)
    # by default every statut counts, and the motif says so
    cd13 = _par_code(orienter(con, "B1", "13001", LE_14_MARS))["CD13"]
    assert "convention départementale non signée" in cd13["motif"]


def test_droits_acquis_part_du_flux_de_leur_perimetre():
    con = fx.base_vide()
    _territoire(con)
    fx.parc(con, "B1", "13001", parc_total=1000, liberations=100)   # flux(13) = 100
    fx.convention(con, "B1", "ALS", type_reservataire="ACTION_LOGEMENT", methode="DROITS_ACQUIS",
                  droits_annuels=15)
    lignes = _par_code(orienter(con, "B1", "13001", LE_14_MARS))
    # 15 droits of a flux of 100: 15 %; the bailleur keeps 85 % of Aix's 100
    assert lignes["ALS"]["part_flux"] == pytest.approx(0.15)
    assert lignes["ALS"]["droits_annuels"] == pytest.approx(15)
    assert "(droits acquis)" in lignes["ALS"]["motif"]
    assert lignes[NON_RESERVE]["droits_annuels"] == pytest.approx(85)


def test_plus_de_100_pour_cent_reserves_ne_laisse_rien_au_bailleur():
    con = fx.base_vide()
    _territoire(con)
    fx.parc(con, "B1", "13001", parc_total=1000, liberations=100)
    fx.convention(con, "B1", "ETAT13", taux_flux=60)
    fx.convention(con, "B1", "ALS", type_reservataire="ACTION_LOGEMENT", taux_flux=50)
    nr = _par_code(orienter(con, "B1", "13001", LE_14_MARS))[NON_RESERVE]
    assert nr["droits_annuels"] == 0 and nr["groupe"] == 2
    assert "les conventions en réservent 110,0\u202f%" in nr["motif"]


def test_annee_bissextile_et_31_decembre():
    con = fx.base_vide()
    _territoire(con)
    fx.parc(con, "B1", "13001", parc_total=1000, liberations=100, annee=2024)
    fx.convention(con, "B1", "ETAT13", taux_flux=36.6, annee=2024)   # 36,6 droits
    fx.mad(con, "B1", "2024-02-29", "13001", reservataire="ETAT13", nombre=3)
    fx.mad(con, "B1", "2024-12-31", "13001", reservataire="ETAT13", nombre=2)
    # 31/12/2024: day 366 of 366, the whole year
    fin = _par_code(orienter(con, "B1", "13001", date(2024, 12, 31)))["ETAT13"]
    assert fin["jours_ecoules"] == 366 and fin["jours_annee"] == 366
    assert fin["droits_prevus"] == pytest.approx(36.6)
    assert fin["mises_a_disposition"] == 5
    # 29/02/2024: day 60 of 366 → 36,6 × 60 ÷ 366 = 6; the 3 MAD of that day count
    fevrier = _par_code(orienter(con, "B1", "13001", date(2024, 2, 29)))["ETAT13"]
    assert fevrier["jours_ecoules"] == 60
    assert fevrier["droits_prevus"] == pytest.approx(6)
    assert fevrier["mises_a_disposition"] == 3
    assert fevrier["retard"] == pytest.approx(3)


def test_caracteristiques_du_logement_dans_le_motif_sans_changer_le_rang():
    con = _scenario()
    # typologie and QPV of 2 of ETAT13's MAD and 1 NON_RESERVE (hand-written rows)
    con.execute("UPDATE mises_a_disposition SET typologie = 'T3', qpv = true "
                "WHERE reservataire_code = 'ETAT13' AND date_mise_a_disposition = '2025-03-14'")
    con.execute("UPDATE mises_a_disposition SET typologie = 'T3', qpv = false "
                "WHERE reference = (SELECT min(reference) FROM mises_a_disposition "
                "WHERE categorie = 'NON_RESERVE' AND code_insee = '13001')")
    sans = orienter(con, "B1", "13001", LE_14_MARS)
    avec = orienter(con, "B1", "13001", LE_14_MARS, typologie="t3", qpv=True)
    assert list(avec["reservataire_code"]) == list(sans["reservataire_code"])
    lignes = _par_code(avec)
    assert lignes["ETAT13"]["motif"].endswith("; dont 2 T3, 2 en QPV comme ce logement.")
    assert lignes[NON_RESERVE]["motif"].endswith("; dont 1 T3, 0 en QPV comme ce logement.")
    assert lignes["ALS"]["motif"].endswith("; dont 0 T3, 0 en QPV comme ce logement.")
    assert not sans["motif"].str.contains("comme ce logement").any()
    with pytest.raises(ValueError, match="typologie inconnue"):
        orienter(con, "B1", "13001", LE_14_MARS, typologie="T9")


def test_motif_une_phrase_francaise():
    lignes = _par_code(orienter(_scenario(), "B1", "13001", LE_14_MARS))
    assert lignes["ETAT13"]["motif"] == (
        "En retard de 15,0 logements au 14/03/2025 (15,0\u202f% de ses 100,0 droits annuels) : "
        "5 mises à disposition reçues pour 20,0 droits prévus ; convention départementale "
        "signée.")
    # 6 MAD for 6,0 droits prévus: neither ahead nor behind (not « en avance de 0,0 logement »)
    assert lignes["EPCI-AMP"]["motif"] == (
        "À jour au 14/03/2025 : 6 mises à disposition reçues pour 6,0 droits prévus ; encore "
        "24,0 à recevoir sur 30,0 droits annuels ; convention intercommunale signée.")


def _ligne(**valeurs):
    """A row of the ranking as ``motif`` reads it: a signed EPCI-wide convention."""
    return {"origine": "convention", "groupe": 1, "perimetre_type": "EPCI", "statut": "SIGNEE",
            "methode": "ASSIETTE", "source": "assiette", **valeurs}


def test_motif_accords_et_a_jour():
    # 8 droits annuels at 0,2 of the year: 1,6 prévus; 0 MAD: 1,6 behind, 1,6 ÷ 8 = 20 %
    assert motif(_ligne(mises_a_disposition=0, droits_annuels=8.0, droits_prevus=1.6,
                        retard=1.6, retard_relatif=0.2, reste_a_mettre_a_disposition=8.0),
                 LE_14_MARS) == (
        "En retard de 1,6 logement au 14/03/2025 (20,0\u202f% de ses 8,0 droits annuels) : "
        "0 mise à disposition reçue pour 1,6 droit prévu ; convention intercommunale signée.")
    # 1 MAD for 0,4 prévus (2 droits annuels): 0,6 ahead, 1 still to receive
    assert motif(_ligne(mises_a_disposition=1, droits_annuels=2.0, droits_prevus=0.4,
                        retard=-0.6, retard_relatif=-0.3, reste_a_mettre_a_disposition=1.0),
                 LE_14_MARS) == (
        "En avance de 0,6 logement au 14/03/2025 : 1 mise à disposition reçue pour 0,4 droit "
        "prévu ; encore 1,0 à recevoir sur 2,0 droits annuels ; convention intercommunale "
        "signée.")
    # 0,02 behind is written 0,0: « à jour »
    assert motif(_ligne(mises_a_disposition=2, droits_annuels=10.1, droits_prevus=2.02,
                        retard=0.02, retard_relatif=0.002, reste_a_mettre_a_disposition=8.1),
                 LE_14_MARS).startswith(
        "À jour au 14/03/2025 : 2 mises à disposition reçues pour 2,0 droits prévus ;")
    # droits annuels reached, 1,5 of them
    assert motif(_ligne(groupe=2, mises_a_disposition=2, droits_annuels=1.5, droits_prevus=0.3,
                        retard=-1.7, retard_relatif=-1.13, reste_a_mettre_a_disposition=0.0),
                 LE_14_MARS).startswith(
        "Droits annuels déjà atteints : 2 mises à disposition reçues pour 1,5 droit annuel ;")


def test_bailleur_ou_commune_inconnus():
    con = _scenario()
    with pytest.raises(ElementInconnu, match="bailleur inconnu : « B9 »"):
        orienter(con, "B9", "13001", LE_14_MARS)
    with pytest.raises(ElementInconnu, match="commune inconnue : « 99999 »"):
        orienter(con, "B1", "99999", LE_14_MARS)


def test_annee_sans_convention_tout_au_bailleur():
    con = _scenario()
    fx.parc(con, "B1", "13001", parc_total=1000, liberations=50, annee=2026)
    df = orienter(con, "B1", "13001", date(2026, 3, 14))
    assert list(df["reservataire_code"]) == [NON_RESERVE]
    assert df.iloc[0]["droits_annuels"] == pytest.approx(50)   # 100 % of 50


# --- year-end projection -----------------------------------------------------------------------

def test_projection_au_31_decembre():
    df = projection(_scenario(), "B1", LE_14_MARS)
    lignes = _par_code(df)
    # every convention of B1 in 2025 (Arles' too), no non-reserved row without a commune
    assert set(lignes) == {"ETAT13", "ALS", "CD13", "EPCI-AMP", "COM-13001", "COM-13004"}
    # ETAT13: 5 MAD in 73 days → 5 × 365 ÷ 73 = 25 at 31/12, for 100 droits: −75, 25 %;
    # 95 still to be offered
    etat = lignes["ETAT13"]
    assert etat["projection_31_12"] == pytest.approx(25)
    assert etat["ecart_projete"] == pytest.approx(-75)
    assert etat["taux_projete"] == pytest.approx(0.25)
    assert etat["reste_a_mettre_a_disposition"] == pytest.approx(95)
    # EPCI-AMP: 6 → 30 for 30 droits: on track
    assert lignes["EPCI-AMP"]["projection_31_12"] == pytest.approx(30)
    assert lignes["EPCI-AMP"]["ecart_projete"] == pytest.approx(0)
    # the furthest behind at year end first
    assert df.iloc[0]["reservataire_code"] == "ETAT13"
    # with a commune: its candidates, the non-reserved share included (3 → 15 for 30)
    nr = _par_code(projection(_scenario(), "B1", LE_14_MARS, commune_insee="13001"))[NON_RESERVE]
    assert nr["projection_31_12"] == pytest.approx(15)
    assert nr["reste_a_mettre_a_disposition"] == pytest.approx(27)


# --- droits acquis -----------------------------------------------------------------------------

def test_conversion_des_droits_acquis():
    programmes = pd.DataFrame({"programme": ["Les Oliviers", "Le Mistral", "La Bastide"],
                               "droits_de_suite": [40, 25, 10]})
    df = convertir(programmes, 0.08)
    # 40 × 8 % = 3,2; 25 × 8 % = 2; 10 × 8 % = 0,8; 6 droits uniques a year
    assert list(df["droits_uniques"]) == pytest.approx([3.2, 2.0, 0.8])
    assert df["droits_uniques"].sum() == pytest.approx(6.0)
    assert list(df["programme"]) == ["Les Oliviers", "Le Mistral", "La Bastide"]
    # French decimal comma, empty rows skipped
    df = convertir([{"programme": "A", "droits_de_suite": "12,5"}, {}], "0,1")
    assert list(df["droits_uniques"]) == pytest.approx([1.25])


def test_conversion_erreurs_en_francais():
    with pytest.raises(ValueError) as exc:
        convertir([{"programme": "A", "droits_de_suite": 3},
                   {"programme": "B", "droits_de_suite": "-3"},
                   {"programme": "C", "droits_de_suite": "beaucoup"}], 0.08)
    message = str(exc.value)
    assert "ligne 2, colonne « droits de suite », valeur « -3 »" in message
    assert "ligne 3, colonne « droits de suite », valeur « beaucoup »" in message
    assert "un nombre positif ou nul est attendu" in message
    with pytest.raises(ValueError, match="taux de rotation invalide : « 8 »"):
        convertir([{"programme": "A", "droits_de_suite": 3}], 8)


def test_taux_de_rotation_departemental_du_moteur():
    con = _scenario()
    # 13: (100 + 200 + 100) libérations ÷ (1 000 + 2 000 + 1 000) éligibles = 10 %
    assert taux_rotation_departemental(con, "B1", "13", 2025) == pytest.approx(0.1)
    assert taux_rotation_departemental(con, "B1", "84", 2025) is None
    fx.convention(con, "B1", "ALS", type_reservataire="ACTION_LOGEMENT", departement="84",
                  methode="DROITS_ACQUIS", droits_annuels=12)
    acquis = conventions_droits_acquis(con, "B1", 2025)
    assert list(acquis["departement"]) == ["84"]
    assert list(acquis["droits_annuels"]) == pytest.approx([12])


def test_programmes_saisis_ou_colles_en_texte():
    texte = "Les Oliviers ; 40\nLe Mistral\t25\n\nLa Bastide 10,5\n"
    df = convertir(lire_programmes(texte), 0.08)
    assert list(df["programme"]) == ["Les Oliviers", "Le Mistral", "La Bastide"]
    # 10,5 × 8 % = 0,84
    assert list(df["droits_uniques"]) == pytest.approx([3.2, 2.0, 0.84])
    with pytest.raises(ValueError, match="ligne 2, colonne « droits de suite », valeur « x »"):
        lire_programmes("A ; 1\nB ; x")
    # the text's own line numbers, blank lines included
    with pytest.raises(ValueError, match="ligne 3, colonne « droits de suite », valeur « -2 »"):
        convertir(lire_programmes("A ; 1\n\nB ; -2"), 0.1)


def test_nombre_final_entier_avec_espaces_de_milliers():
    """Without « ; » nor tab, the whole trailing number, French thousands groups included: a
    group of exactly 3 digits after a space following 1–3 digits is a thousands group."""
    texte = ("Résidence A 45\nLes Oliviers 1 200\nLe Mistral 2\u00a0500\n"
             "La Bastide 1\u202f000,5\nBâtiment 12 3\nLes Oliviers 1 ; 200\n")
    df = convertir(lire_programmes(texte), 0.1)
    assert list(df["programme"]) == ["Résidence A", "Les Oliviers", "Le Mistral", "La Bastide",
                                     "Bâtiment 12", "Les Oliviers 1"]
    assert list(df["droits_de_suite"]) == pytest.approx([45, 1200, 2500, 1000.5, 3, 200])
    # 1 200 × 10 % = 120
    assert df.loc[1, "droits_uniques"] == pytest.approx(120)
    with pytest.raises(ValueError, match="ligne 1, colonne « droits de suite », "
                                         "valeur « Oliviers »"):
        lire_programmes("Les Oliviers")


def test_taux_saisi_en_pourcentage():
    assert lire_pourcentage("6,8") == pytest.approx(0.068)
    assert lire_pourcentage("8 %") == pytest.approx(0.08)
    for faux in ("", "huit", "120"):
        with pytest.raises(ValueError, match="taux de rotation invalide"):
            lire_pourcentage(faux)


def test_au_31_decembre_memes_droits_et_mad_que_le_bilan():
    """On 31/12 (the whole year) each convention's droits and MAD are the bilan's at T4."""
    from dashboard.metrics import bilan_conventions

    con = _scenario()
    projete = projection(con, "B1", date(2025, 12, 31))
    bilan = bilan_conventions(con, 2025, 4, filtres=None)
    bilan = bilan[(bilan["bailleur_code"] == "B1") & bilan["perimetre_type"].notna()]
    cles = ["reservataire_code", "perimetre_type", "perimetre_code"]
    comparaison = projete.merge(bilan, on=cles, suffixes=("", "_bilan"), validate="one_to_one")
    assert len(comparaison) == len(projete) == 6
    assert list(comparaison["droits_annuels"]) == pytest.approx(
        list(comparaison["droits_annuels_bilan"]))
    assert list(comparaison["droits_prevus"]) == pytest.approx(
        list(comparaison["droits_prevus_bilan"]))
    assert list(comparaison["mises_a_disposition"]) == list(
        comparaison["mises_a_disposition_bilan"])
    # and by hand: ETAT13's 6 MAD of 2025 (the one of 15/03 now counts), EPCI-AMP's 6
    assert _par_code(projete)["ETAT13"]["mises_a_disposition"] == 6
    assert _par_code(projete)["EPCI-AMP"]["mises_a_disposition"] == 6
