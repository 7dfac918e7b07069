"""French formatting for people, plain formatting for machines (dashboard.formatting)."""

import json
from datetime import date

import numpy as np
import pandas as pd

from dashboard.formatting import (
    ESPACE_FINE,
    VIDE,
    date_fr,
    formater_tableau,
    nombre,
    pourcentage,
    table_texte,
    vers_csv,
    vers_json,
)

S = "\u202f"  # narrow no-break space


def test_nombre_pourcentage_date():
    assert ESPACE_FINE == S
    assert nombre(1234.5, decimales=1) == f"1{S}234,5"
    assert nombre(1234567) == f"1{S}234{S}567"
    assert nombre(-1234.56, 2) == f"-1{S}234,56"
    assert nombre(-0.04, 1) == "0,0"                 # never "-0,0"
    assert nombre(0) == "0"
    assert pourcentage(0.123) == f"12,3{S}%"
    assert pourcentage(1) == f"100,0{S}%"
    assert pourcentage(12.5, decimales=0) == f"1{S}250{S}%"
    assert date_fr(date(2025, 6, 30)) == "30/06/2025"
    assert date_fr("2024-02-29") == "29/02/2024"
    assert date_fr(pd.Timestamp("2025-03-31")) == "31/03/2025"


def test_indefini_jamais_nan_ni_zero():
    for vide in (None, float("nan"), np.nan, pd.NA, pd.NaT):
        assert nombre(vide) == VIDE == "—"
        assert pourcentage(vide) == "—"
        assert date_fr(vide) == "—"


def _bilan_exemple():
    return pd.DataFrame({
        "cle": ["ETAT13", "X"],
        "libelle": ["Préfet", None],
        "droits_annuels": [1234.567, 0.0],
        "droits_prevus": [617.2835, 0.0],
        "mises_a_disposition": [600, 3],
        "ecart": [-17.2835, 3.0],
        "taux_realisation": [600 / 617.2835, np.nan],
        "baux_signes": [400, 0],
        "taux_chute": [1 / 3, np.nan],
        "part_prevue": [0.25, np.nan],
        "part_reelle": [0.123456, np.nan],
    })


def test_formater_tableau_pour_les_gens():
    t = formater_tableau(_bilan_exemple())
    assert t.loc[0, "droits_annuels"] == f"1{S}234,6"
    assert t.loc[0, "mises_a_disposition"] == "600"
    assert t.loc[0, "taux_realisation"] == f"97,2{S}%"
    assert t.loc[0, "part_reelle"] == f"12,3{S}%"
    assert t.loc[1, "taux_realisation"] == "—"
    assert t.loc[1, "libelle"] == "—"
    assert "nan" not in table_texte(_bilan_exemple()).lower()
    texte = table_texte(_bilan_exemple())
    assert texte.splitlines()[0].startswith("Clé")
    assert "Taux de réalisation" in texte.splitlines()[0]


def test_csv_machine():
    lignes = vers_csv(_bilan_exemple()).splitlines()
    assert lignes[0] == ("cle,libelle,droits_annuels,droits_prevus,mises_a_disposition,ecart,"
                         "taux_realisation,baux_signes,taux_chute,part_prevue,part_reelle")
    # droits to 2 decimals, dot decimals, no thousands separator; ratios as 4-decimal fractions
    assert lignes[1] == "ETAT13,Préfet,1234.57,617.28,600,-17.28,0.972,400,0.3333,0.25,0.1235"
    # undefined: empty, never 0 nor NaN
    assert lignes[2] == "X,,0.0,0.0,3,3.0,,0,,,"


def test_json_machine():
    donnees = json.loads(vers_json(_bilan_exemple()))
    assert list(donnees[0]) == list(_bilan_exemple().columns)
    assert donnees[0]["droits_annuels"] == 1234.57
    assert donnees[0]["taux_chute"] == 0.3333
    assert donnees[0]["mises_a_disposition"] == 600
    assert donnees[1]["taux_realisation"] is None and donnees[1]["libelle"] is None
    texte = vers_json(_bilan_exemple())
    assert "NaN" not in texte and "nan" not in texte


def test_machine_sans_notation_scientifique_ni_moins_zero():
    df = pd.DataFrame({"ecart": [-0.001, 1e-7, 12345678.912], "taux_chute": [1e-7, 0.99999, 0.5]})
    lignes = vers_csv(df).splitlines()
    assert lignes[1:] == ["0.0,0.0", "0.0,1.0", "12345678.91,0.5"]


def test_en_tete_connu_ou_premiere_lettre_seule_en_capitale():
    from dashboard.formatting import en_tete

    assert en_tete("taux_realisation") == "Taux de réalisation"
    assert en_tete("proposes") == "Logements proposés"
    # not listed: underscores as spaces, only the first letter raised, the rest kept
    assert en_tete("QPV / hors QPV") == "QPV / hors QPV"
    assert en_tete("code_EPCI_porteur") == "Code EPCI porteur"
    assert en_tete("été") == "Été"
    assert en_tete("") == ""


def test_annees_et_trimestres_sans_separateur_pour_les_gens():
    t = formater_tableau(pd.DataFrame({"annee": [2025, None], "trimestre": [4, 1],
                                       "annee_construction": [1960, 2016],
                                       "nombre": [2025, 1]}).astype("Int64"))
    assert list(t["annee"]) == ["2025", "—"]
    assert list(t["trimestre"]) == ["4", "1"]
    assert list(t["annee_construction"]) == ["1960", "2016"]
    assert t.loc[0, "nombre"] == f"2{S}025"                 # a count keeps its separator


def test_accord_singulier_sous_deux():
    from dashboard.formatting import accord

    assert accord(0, "jour") == "0 jour"
    assert accord(1, "jour") == "1 jour"
    assert accord(73, "jour") == "73 jours"
    assert accord(1.6, "droit prévu", "droits prévus", 1) == "1,6 droit prévu"
    assert accord(1.96, "logement", decimales=1) == "2,0 logements"     # as written: 2,0
    assert accord(1200, "bail signé", "baux signés") == f"1{S}200 baux signés"
    assert accord(-3, "logement") == "-3 logements"
    assert accord(None, "logement") == "— logements"
