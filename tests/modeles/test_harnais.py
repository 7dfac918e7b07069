"""The harness of the SQL models' unit tests (tests/modeles/harnais.py) checked on its own:
what it refuses, and that its comparison tells rows apart as the tests rely on."""

import pandas as pd
import pytest

from .harnais import comparer, dependances, executer_modele, normaliser

METROPOLE = "200054807"


def test_un_bouchon_a_les_colonnes_du_vrai_modele():
    # stg_conventions renames droits_annuels: a stub giving the table's name is refused
    with pytest.raises(KeyError, match="stg_conventions n'a pas de colonne"):
        executer_modele("int_mad_rattachees", {
            "int_mad": [], "stg_conventions": [{"conv_id": 1, "droits_annuels": 3.0}]})


def test_une_entree_ni_table_ni_modele_amont_est_refusee():
    with pytest.raises(KeyError, match="ni une table de la base ni un modèle"):
        executer_modele("int_bailleurs", {"int_mad": []})
    with pytest.raises(ValueError, match="modèle testé"):
        executer_modele("int_bailleurs", {"int_bailleurs": []})
    with pytest.raises(KeyError, match="conventions n'a pas de colonne"):
        executer_modele("int_bailleurs", {"conventions": [{"bailleur": "B1"}]})


def test_un_parametre_manquant_est_une_erreur():
    with pytest.raises(KeyError, match="annee"):
        executer_modele("int_mad", {"mises_a_disposition": []})


def test_le_bouchon_remplace_le_modele_amont():
    # No MAD in the table: the one row comes from the stubbed int_mad, not from its SQL.
    obtenu = executer_modele("int_mad_rattachees", {
        "int_mad": [{"bailleur_code": "B1", "reference": "R1", "code_insee": "13055",
                     "categorie": "FLUX", "reservataire_code": "ALS", "departement": "13",
                     "epci_siren": METROPOLE}],
        "stg_conventions": []})
    comparer(obtenu, [{"reference": "R1", "conv_id": None}])


def test_dependances_transitives():
    assert dependances("int_mad_rattachees") == {"int_mad", "stg_conventions", "stg_communes"}
    assert dependances("int_bailleurs") == set()


def test_comparaison_sans_ordre_avec_doublons():
    df = pd.DataFrame({"a": ["x", "y", "y"], "n": [1.0, 2.0, 2.0], "b": [True, None, False]})
    comparer(df, [{"a": "y", "n": 2}, {"a": "x", "n": 1}, {"a": "y", "n": 2}])
    with pytest.raises(AssertionError, match="lignes obtenues non attendues"):
        comparer(df, [{"a": "y", "n": 2}, {"a": "x", "n": 1}])
    with pytest.raises(AssertionError, match="lignes attendues non obtenues"):
        comparer(df, [{"a": "y", "n": 2}, {"a": "x", "n": 1}, {"a": "y", "n": 2},
                      {"a": "z", "n": 3}])
    with pytest.raises(AssertionError, match="colonnes absentes"):
        comparer(df, [{"c": 1}])
    with pytest.raises(AssertionError, match="aucune ligne attendue"):
        comparer(df, [])


def test_valeurs_comparees():
    assert normaliser(1.0) == normaliser(1)
    assert normaliser(0.1 + 0.2) == normaliser(0.3)
    assert normaliser(True) != normaliser(1)
    assert normaliser(float("nan")) is None and normaliser(pd.NaT) is None
    assert normaliser(pd.Timestamp("2025-03-31")) == "2025-03-31"
    assert normaliser(0.1) != normaliser(0.1000001)
