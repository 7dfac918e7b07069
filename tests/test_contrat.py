"""The column contract (dashboard/contrat.py, issue 15): the metrics' frames, the command line's
csv columns and the French headings all come from it, and its invariants hold on the sample
database for every axis, view and period."""

from __future__ import annotations

import re

import duckdb
import numpy as np
import pytest

from dashboard import contrat, formatting, metrics
from dashboard.metrics import indicateurs

AXES = ("reservataire", "type_reservataire", "bailleur", "departement", "epci", "trimestre")


def test_les_colonnes_du_bilan_viennent_du_contrat():
    # The order scripts rely on (issue 3), written here by hand.
    assert indicateurs.COLONNES_BILAN == (
        "cle", "libelle", "droits_annuels", "droits_prevus", "mises_a_disposition", "ecart",
        "taux_realisation", "baux_signes", "taux_chute", "part_prevue", "part_reelle")
    assert indicateurs.COLONNES_PRIORITAIRES == (
        "baux_prioritaires", "part_prioritaires", "baux_prioritaires_inconnus")
    for colonne in contrat.COLONNES.values():
        assert formatting.en_tete(colonne.nom) == colonne.libelle
        genre = {contrat.FRACTION: "fraction", contrat.COMPTE: "entier"}.get(colonne.genre)
        if genre:
            assert formatting.genre(colonne.nom, np.array([1.0])) == genre, colonne.nom
    assert len(contrat.COLONNES) == sum(len(g) for g in contrat.GROUPES)   # no name twice


def _verifier(df, axe):
    assert df[contrat.CLE_UNIQUE].is_unique, axe
    for nom, expression in contrat.INVARIANTS_BILAN.items():
        gauche, operateur, droite = re.split(r"\s*(==|<=)\s*", expression)
        a = df.eval(gauche).astype("float64").to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            b = df.eval(droite).astype("float64").to_numpy()
        definis = np.isfinite(b)
        if operateur == "==":
            assert np.allclose(a[definis], b[definis]), (axe, nom)
            # Undefined where its definition is (a ratio over 0 or over nothing).
            assert np.isnan(a[~definis]).all(), (axe, nom)
        else:
            assert (a[definis] <= b[definis] + 1e-9).all(), (axe, nom)


@pytest.mark.parametrize("vue, periode", [("mad", "cumul"), ("baux", "trimestre")])
def test_invariants_sur_l_exemple(base_exemple, vue, periode):
    con = duckdb.connect(str(base_exemple), read_only=True)
    try:
        for axe in AXES:
            df = metrics.bilan(con, 2025, 3, axe, vue=vue, periode=periode)
            assert len(df) > 0
            assert tuple(df.columns) == contrat.noms(
                contrat.BILAN, contrat.BILAN_SUPPLEMENTAIRES, contrat.BILAN_PRIORITAIRES)
            assert df["mises_a_disposition"].dtype.kind in "iu"          # counts: whole
            assert str(df["taux_realisation"].dtype) == "float64"
            _verifier(df, axe)
    finally:
        con.close()
