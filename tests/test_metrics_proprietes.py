"""Properties of the bilan on whole databases.

- On the sample data (built by ``python -m dashboard init --sample``, i.e. through the import
  pipeline) and on a generated national-like database: the sum over any axis equals the total
  over the region, for any year, quarter, view, period and filter.
- On the generated database: the figures equal those of an independent pandas implementation
  (benchmarks/bilan_pandas.py), and the cached path equals the uncached one.
"""

from __future__ import annotations

import importlib.util
import math
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard import store
from dashboard.cli import main
from dashboard.metrics import AXES, Filtres, bilan, total, vider_cache

RACINE = Path(__file__).resolve().parent.parent

# Columns that add up along any axis (the others are ratios, or counted per row: see below).
ADDITIVES = ("droits_prevus", "mises_a_disposition", "baux_signes", "mad_sans_convention",
             "mad_chutees", "mad_en_cours", "mad_flux_perimetres")


def _module(nom: str):
    spec = importlib.util.spec_from_file_location(nom, RACINE / "benchmarks" / f"{nom}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _somme(serie: pd.Series) -> float:
    return float(np.nansum(serie.to_numpy(dtype=float)))


def _valeur(t: pd.DataFrame, col: str) -> float:
    if t.empty:
        return 0.0
    v = t.iloc[0][col]
    return 0.0 if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


def verifier_sommes(con, annee, trimestre, vue, periode, filtres):
    """The sum over every axis equals the region's total (and its ratios, ratios of sums)."""
    totaux = {p: total(con, annee, trimestre, vue, p, filtres) for p in {periode, "cumul"}}
    for par in AXES:
        df = bilan(con, annee, trimestre, par, vue, periode, filtres)
        # the axis 'trimestre' shows each quarter's own figures: they add up to the year-to-date
        t = totaux["cumul" if par == "trimestre" else periode]
        if t.empty:
            assert df.empty, (par, df)
            continue
        colonnes = list(ADDITIVES)
        if par != "trimestre":          # each quarter row shows the year's droits and flux
            colonnes += ["droits_annuels", "flux_annuel"]
        if par not in ("epci", "trimestre"):  # apportioned or repeated conventions count per row
            colonnes.append("nb_conventions")
        for col in colonnes:
            assert _somme(df[col]) == pytest.approx(_valeur(t, col), rel=1e-9, abs=1e-6), (
                par, col, annee, trimestre, vue, periode, filtres)
        assert df["cle"].is_unique, par
        droits = _somme(df["droits_prevus"])
        if droits > 0:
            assert _somme(df["mises_a_disposition"]) / droits == pytest.approx(
                t.iloc[0]["taux_realisation"], rel=1e-9)


# --- the sample data, through the import pipeline -----------------------------------------------

@pytest.fixture(scope="module")
def base_exemple(tmp_path_factory):
    chemin = tmp_path_factory.mktemp("exemple") / "exemple.duckdb"
    assert main(["init", "--sample", "--db", str(chemin)]) == 0
    con = store.connect(chemin)
    annees = [r[0] for r in con.execute(
        "SELECT DISTINCT year(date_mise_a_disposition) FROM mises_a_disposition ORDER BY 1"
    ).fetchall()]
    codes = {
        "departement": [r[0] for r in con.execute(
            "SELECT DISTINCT departement FROM conventions ORDER BY 1").fetchall()],
        "bailleur": [r[0] for r in con.execute(
            "SELECT DISTINCT bailleur_code FROM conventions ORDER BY 1").fetchall()],
        "epci": [r[0] for r in con.execute(
            "SELECT DISTINCT epci_siren FROM communes WHERE epci_siren IS NOT NULL ORDER BY 1"
        ).fetchall()],
    }
    yield con, annees, codes
    con.close()


def test_exemple_charge(base_exemple):
    con, annees, _ = base_exemple
    assert annees, "the sample data holds no MAD"
    n_conv = con.execute("SELECT count(*) FROM conventions").fetchone()[0]
    n_mad = con.execute("SELECT count(*) FROM mises_a_disposition").fetchone()[0]
    assert n_conv > 0 and n_mad > 0


@settings(max_examples=10, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(donnees=st.data())
def test_exemple_somme_sur_chaque_axe_egale_total_region(base_exemple, donnees):
    con, annees, codes = base_exemple
    annee = donnees.draw(st.sampled_from(annees), label="annee")
    trimestre = donnees.draw(st.integers(1, 4), label="trimestre")
    vue = donnees.draw(st.sampled_from(["mad", "baux"]), label="vue")
    periode = donnees.draw(st.sampled_from(["cumul", "trimestre"]), label="periode")
    champ = donnees.draw(st.sampled_from([None, "departement", "bailleur", "epci", "statut",
                                          "type_reservataire"]), label="filtre")
    filtres = Filtres()
    if champ in codes:
        filtres = Filtres(**{champ: donnees.draw(
            st.lists(st.sampled_from(codes[champ]), min_size=1, max_size=2), label="codes")})
    elif champ == "statut":
        filtres = Filtres(statut=donnees.draw(st.sampled_from(
            ["SIGNEE", "EN_COURS,NON_SIGNEE", "SANS_CONVENTION"]), label="statut"))
    elif champ == "type_reservataire":
        filtres = Filtres(type_reservataire=donnees.draw(st.sampled_from(
            ["ETAT", "COMMUNE,EPCI", "ACTION_LOGEMENT", "INCONNU"]), label="type"))
    verifier_sommes(con, annee, trimestre, vue, periode, filtres)


# --- a generated national-like database ---------------------------------------------------------

@pytest.fixture(scope="module")
def base_generee(tmp_path_factory):
    generateur = _module("national_generateur")
    chemin = tmp_path_factory.mktemp("generee") / "generee.duckdb"
    generateur.generer(chemin, echelle=0.02, graine=7, verbeux=False)
    con = store.connect(chemin)
    yield con
    con.close()


@pytest.mark.parametrize("annee,trimestre,vue,periode", [
    (2025, 4, "mad", "cumul"),
    (2024, 2, "baux", "cumul"),
    (2025, 3, "mad", "trimestre"),
    (2023, 1, "baux", "trimestre"),
])
def test_generee_somme_sur_chaque_axe_egale_total(base_generee, annee, trimestre, vue, periode):
    verifier_sommes(base_generee, annee, trimestre, vue, periode, Filtres())


def test_generee_egale_l_implementation_pandas(base_generee):
    pandas_ref = _module("bilan_pandas")
    tables = pandas_ref.charger(base_generee)
    colonnes = ["droits_annuels", "droits_prevus", "mises_a_disposition", "ecart",
                "taux_realisation", "baux_signes", "taux_chute", "part_prevue", "part_reelle"]
    for vue in ("mad", "baux"):
        for par in AXES:
            sql = bilan(base_generee, 2025, 3, par, vue)
            ref = pandas_ref.bilan_pandas(tables, 2025, 3, par, vue)
            j = sql.merge(ref, on="cle", how="outer", suffixes=("", "_pandas"), indicator=True)
            assert (j["_merge"] == "both").all(), (vue, par, j[j["_merge"] != "both"]["cle"])
            for col in colonnes:
                np.testing.assert_allclose(
                    j[col].astype(float), j[f"{col}_pandas"].astype(float),
                    rtol=1e-9, atol=1e-9, equal_nan=True, err_msg=f"{vue} {par} {col}")


def test_generee_une_connexion_partagee_entre_fils(base_generee):
    """The pages share one connection between threads: each query uses its own cursor."""
    attendu = {par: bilan(base_generee, 2024, 3, par) for par in AXES}
    vider_cache()
    with ThreadPoolExecutor(max_workers=4) as pool:
        obtenus = list(pool.map(lambda par: (par, bilan(base_generee, 2024, 3, par)),
                                list(AXES) * 2))
    for par, df in obtenus:
        pd.testing.assert_frame_equal(df, attendu[par])


def test_generee_cache_egal_sans_cache(base_generee, monkeypatch):
    vider_cache()
    avec = {par: bilan(base_generee, 2025, 2, par) for par in AXES}
    monkeypatch.setenv("FLUX_CACHE_METRIQUES", "0")
    for par in AXES:
        pd.testing.assert_frame_equal(avec[par], bilan(base_generee, 2025, 2, par))
