"""Takeaways: the sentence said in a meeting, from figures written by hand."""

from datetime import date

import numpy as np
import pandas as pd

from dashboard import messages

FIN = date(2025, 6, 30)


def _bilan(lignes):
    return pd.DataFrame(lignes, columns=["cle", "libelle", "droits_prevus",
                                         "mises_a_disposition", "ecart", "taux_realisation"])


def test_realisation_du_reservataire_qui_a_le_plus_de_droits():
    df = _bilan([
        ("ALS", "Action Logement Services", 200.0, 174, -26.0, 0.87),     # 174 / 200 = 87 %
        ("CD-13", "Conseil départemental 13", 50.0, 30, -20.0, 0.60),
        ("AUTRES", "Autres (3)", 500.0, 10, -490.0, 0.02),                # never the subject
    ])
    assert messages.realisation_principale(df, FIN) == (
        "Action Logement Services est à 87\u202f% de ses droits au 30/06/2025.")


def test_plus_en_retard_et_aucun_retard():
    df = _bilan([
        ("ALS", "Action Logement Services", 200.0, 174, -26.0, 0.87),
        ("CD-13", "Conseil départemental 13", 100.0, 60, -40.0, 0.60),
        ("COM-13055", "Marseille", 40.0, 48, 8.0, 1.2),
    ])
    assert messages.plus_en_retard(df, FIN) == (
        "Le plus en retard au 30/06/2025 : Conseil départemental 13, 40 mises à disposition de "
        "moins que prévu (60\u202f% de ses droits).")
    en_avance = df[df["ecart"] > 0]
    assert messages.plus_en_retard(en_avance, FIN) == (
        "Aucun réservataire en retard sur ses droits au 30/06/2025.")


def test_bailleurs_en_retard_et_taux_indefini():
    df = _bilan([
        ("OLS01", "Habitat A", 10.0, 8, -2.0, 0.8),
        ("OLS02", "Habitat B", 10.0, 12, 2.0, 1.2),
        ("OLS03", "Habitat C", 10.0, 5, -5.0, 0.5),
    ])
    assert messages.bailleurs_en_retard(df, FIN) == (
        "2 bailleurs sur 3 ont mis à disposition moins que leurs droits prévus au 30/06/2025.")
    assert messages.realisation_principale(_bilan([("X", "X", 0.0, 3, 3.0, np.nan)]), FIN) == (
        "Aucune donnée pour cette sélection.")


def test_cumul_chute_hors_flux():
    cumuls = pd.DataFrame({"libelle": ["T1 2025", "T2 2025"], "droits_prevus": [500.0, 1000.0],
                           "mises_a_disposition": [420, 900], "baux_signes": [300, 700]})
    # 900 / 1 000 = 90 %
    assert messages.cumul(cumuls, FIN) == (
        "Au 30/06/2025 : 900 mises à disposition pour 1\u202f000 droits prévus (90\u202f%).")
    entonnoir = pd.DataFrame({"etape": ["MISES_A_DISPOSITION"], "nombre": [100]})
    assert messages.chute(entonnoir, 0.234) == (
        "Taux de chute : 23\u202f% des mises à disposition résolues n'ont pas abouti à un bail "
        "(refus ou sans candidat).")
    assert messages.chute(entonnoir, np.nan) == "Aucune donnée pour cette sélection."
    assert messages.part_hors_flux(pd.DataFrame({"part_hors_flux": [0.153]})) == (
        "15\u202f% des logements libérés sont restés hors flux (mutations, relogements, "
        "premières mises en location, stock).")


def test_plus_faible_taux_croise():
    df = pd.DataFrame({
        "cle_ligne": ["OLS01", "OLS01", "OLS02"], "libelle_ligne": ["Habitat A"] * 2 + ["Habitat B"],
        "cle_colonne": ["ETAT", "COMMUNE", "ETAT"],
        "libelle_colonne": ["État — contingent préfectoral", "Commune",
                            "État — contingent préfectoral"],
        "taux_realisation": [0.9, 0.45, np.nan]})
    assert messages.plus_faible_croise(df) == (
        "Taux de réalisation le plus bas : Habitat A pour commune (45\u202f%).")


def test_bilan_vide():
    assert messages.bilan_vide(pd.DataFrame())
    assert messages.bilan_vide(pd.DataFrame({"mises_a_disposition": [0], "droits_prevus": [np.nan]}))
    # MAD without any convention, or droits without MAD yet: there is something to show.
    assert not messages.bilan_vide(pd.DataFrame({"mises_a_disposition": [3],
                                                 "droits_prevus": [np.nan]}))
    assert not messages.bilan_vide(pd.DataFrame({"mises_a_disposition": [0],
                                                 "droits_prevus": [12.5]}))


def test_messages_de_signature():
    par_type = pd.DataFrame({"cle": ["ACTION_LOGEMENT", "COMMUNE", "EPCI"],
                             "libelle": ["Action Logement Services", "Communes", "EPCI"],
                             "taux_signature": [0.6, 0.14, 0.32]})
    assert messages.signature_la_plus_faible(par_type, 2024) == (
        "Communes : 14\u202f% des conventions 2024 signées, le taux le plus faible.")
    assert messages.signature_la_plus_faible(par_type.iloc[0:0], 2024) is None
    seuils = pd.Series({"part_au_dessus_50": 0.5, "part_au_dessus_75": 0.2})
    assert messages.seuils_signature(seuils) == (
        "50\u202f% des bailleurs ont signé plus de la moitié de leurs conventions, 20\u202f% plus "
        "des trois quarts.")


def test_vue_baux_signes_et_singulier():
    """In the "baux signés" view the bilan counts leases (DOMAIN §4.3): so do the takeaways."""
    df = _bilan([
        ("ALS", "Action Logement Services", 200.0, 174, -26.0, 0.87),
        ("CD-13", "Conseil départemental 13", 10.0, 9, -1.0, 0.90),
    ])
    assert messages.plus_en_retard(df, FIN, vue="baux") == (
        "Le plus en retard au 30/06/2025 : Action Logement Services, 26 baux signés de moins que "
        "prévu (87\u202f% de ses droits).")
    assert messages.plus_en_retard(df[df["cle"] == "CD-13"], FIN) == (
        "Le plus en retard au 30/06/2025 : Conseil départemental 13, 1 mise à disposition de "
        "moins que prévu (90\u202f% de ses droits).")
    assert messages.bailleurs_en_retard(df, FIN, vue="baux") == (
        "2 bailleurs sur 2 ont signé des baux pour moins que leurs droits prévus au 30/06/2025.")
    cumuls = pd.DataFrame({"libelle": ["T2 2025"], "droits_prevus": [1000.0],
                           "mises_a_disposition": [700], "baux_signes": [700]})
    assert messages.cumul(cumuls, FIN, vue="baux") == (
        "Au 30/06/2025 : 700 baux signés pour 1\u202f000 droits prévus (70\u202f%).")
