"""Benchmark of the metrics engine on a national-scale database (issue 3).

    python benchmarks/bench_bilan.py                 # generate benchmarks/out/national_bilan.duckdb
                                                     # if absent, then measure
    python benchmarks/bench_bilan.py --regenerer --echelle 1.0 --repetitions 30

For each ``bilan`` axis (no filter, 2025 as of T2, view 'mad', period 'cumul') it reports:
- DuckDB, cached fact table (the product's path: the per-year ``fct_bilan`` is built once per
  database state, then every bilan is an aggregation of it): median and 90th percentile;
- DuckDB without cache (``FLUX_CACHE_METRIQUES=0``: the whole SQL chain at every call);
- the same bilan computed with pandas from the same tables (benchmarks/bilan_pandas.py; tables
  loaded in memory beforehand, loading not timed), and the ratios pandas ÷ DuckDB;
and checks that pandas and DuckDB give the same figures. A script, not a test: no assertion on
times. Results are also written to benchmarks/out/bench_bilan.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

RACINE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RACINE))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import pandas as pd  # noqa: E402
from bilan_pandas import bilan_pandas, charger  # noqa: E402
from machine import machine as decrire_machine  # noqa: E402
from national_generateur import generer  # noqa: E402

from dashboard import store  # noqa: E402
from dashboard.metrics import AXES, bilan, cache, vider_cache  # noqa: E402

SORTIE = Path(__file__).resolve().parent / "out"
CIBLE_MS = 150.0
COLONNES = ["droits_annuels", "droits_prevus", "mises_a_disposition", "ecart", "taux_realisation",
            "baux_signes", "taux_chute", "part_prevue", "part_reelle"]


def _machine() -> dict:
    return decrire_machine("duckdb", "pandas")


def _chrono(fonction, repetitions: int) -> list[float]:
    temps = []
    for _ in range(repetitions):
        debut = time.perf_counter()
        fonction()
        temps.append((time.perf_counter() - debut) * 1000)
    return temps


def _p90(valeurs: list[float]) -> float:
    return float(np.percentile(valeurs, 90))


def _memes_chiffres(sql: pd.DataFrame, ref: pd.DataFrame) -> bool:
    j = sql.merge(ref, on="cle", how="outer", suffixes=("", "_p"), indicator=True)
    if not (j["_merge"] == "both").all():
        return False
    return all(
        np.allclose(j[c].astype(float), j[f"{c}_p"].astype(float), rtol=1e-9, atol=1e-9,
                    equal_nan=True)
        for c in COLONNES
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Mesure le moteur de métriques (bilan).")
    parser.add_argument("--db", type=Path, default=SORTIE / "national_bilan.duckdb")
    parser.add_argument("--echelle", type=float, default=1.0)
    parser.add_argument("--graine", type=int, default=2025)
    parser.add_argument("--regenerer", action="store_true")
    parser.add_argument("--annee", type=int, default=2025)
    parser.add_argument("--trimestre", type=int, default=2)
    parser.add_argument("--repetitions", type=int, default=20,
                        help="mesures par axe avec le cache (défaut 20)")
    parser.add_argument("--repetitions-lentes", type=int, default=3,
                        help="mesures par axe sans cache et en pandas (défaut 3)")
    args = parser.parse_args(argv)

    SORTIE.mkdir(parents=True, exist_ok=True)
    if args.regenerer or not args.db.exists():
        generer(args.db, args.echelle, args.graine)
    con = store.connect(args.db)
    tailles = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
               for t in ("communes", "epci", "conventions", "parc", "mises_a_disposition")}
    tailles["bailleurs"] = con.execute(
        "SELECT count(DISTINCT bailleur_code) FROM parc").fetchone()[0]
    tailles["communes_de_parc"] = con.execute(
        "SELECT count(DISTINCT code_insee) FROM parc").fetchone()[0]
    tailles["mad_annee"] = con.execute(
        "SELECT count(*) FROM mises_a_disposition WHERE year(date_mise_a_disposition) = ?",
        [args.annee]).fetchone()[0]
    machine = _machine()
    print(f"Machine : {machine['cpu']}, {machine['coeurs']} cœurs, {machine['memoire']} ; "
          f"Python {machine['python']}, DuckDB {machine['duckdb']}, pandas {machine['pandas']}")
    print("Base : " + ", ".join(f"{k} {v}" for k, v in tailles.items()))
    a, q = args.annee, args.trimestre

    # 1. first call: builds the year's fact table (cold), then the cached path
    vider_cache()
    debut = time.perf_counter()
    bilan(con, a, q, "reservataire")
    construction_ms = (time.perf_counter() - debut) * 1000
    signature_ms = statistics.median(_chrono(lambda: cache.signature(con), 20))
    resultats = {}
    for par in AXES:
        temps = _chrono(lambda par=par: bilan(con, a, q, par), args.repetitions)
        resultats[par] = {"cache_median_ms": statistics.median(temps),
                          "cache_p90_ms": _p90(temps)}

    # 2. without cache: the whole chain at each call
    os.environ[cache.ENV_VAR] = "0"
    try:
        for par in AXES:
            temps = _chrono(lambda par=par: bilan(con, a, q, par), args.repetitions_lentes)
            resultats[par]["sans_cache_median_ms"] = statistics.median(temps)
    finally:
        del os.environ[cache.ENV_VAR]

    # 3. pandas, from the same tables
    debut = time.perf_counter()
    tables = charger(con)
    chargement_ms = (time.perf_counter() - debut) * 1000
    for par in AXES:
        temps = _chrono(lambda par=par: bilan_pandas(tables, a, q, par), args.repetitions_lentes)
        r = resultats[par]
        r["pandas_median_ms"] = statistics.median(temps)
        r["ratio_pandas_cache"] = r["pandas_median_ms"] / r["cache_median_ms"]
        r["ratio_pandas_sans_cache"] = r["pandas_median_ms"] / r["sans_cache_median_ms"]
        r["memes_chiffres"] = _memes_chiffres(bilan(con, a, q, par),
                                              bilan_pandas(tables, a, q, par))
        r["lignes"] = len(bilan(con, a, q, par))
    con.close()

    print(f"\nBilan {a} T{q} (vue mad, cumul, sans filtre) — construction du fait annuel "
          f"(1er appel) : {construction_ms:.0f} ms ; signature des données : "
          f"{signature_ms:.1f} ms/appel ; chargement des tables pour pandas : "
          f"{chargement_ms:.0f} ms\n")
    print("| axe | lignes | DuckDB avec cache, médiane (p90) | DuckDB sans cache, médiane "
          "| pandas, médiane | pandas ÷ DuckDB cache | pandas ÷ DuckDB sans cache | "
          "mêmes chiffres |")
    print("|---|---:|---:|---:|---:|---:|---:|:---:|")
    for par, r in resultats.items():
        print(f"| {par} | {r['lignes']} | {r['cache_median_ms']:.0f} ms ({r['cache_p90_ms']:.0f}) "
              f"| {r['sans_cache_median_ms']:.0f} ms | {r['pandas_median_ms']:.0f} ms "
              f"| ×{r['ratio_pandas_cache']:.0f} | ×{r['ratio_pandas_sans_cache']:.1f} "
              f"| {'oui' if r['memes_chiffres'] else 'NON'} |")
    pire = max(r["cache_median_ms"] for r in resultats.values())
    print(f"\nPire médiane avec cache : {pire:.0f} ms (cible ≤ {CIBLE_MS:.0f} ms) — "
          f"{'atteinte' if pire <= CIBLE_MS else 'NON atteinte'}.")
    (SORTIE / "bench_bilan.json").write_text(json.dumps({
        "machine": machine, "base": tailles, "annee": a, "trimestre": q,
        "construction_ms": construction_ms, "signature_ms": signature_ms,
        "chargement_pandas_ms": chargement_ms, "axes": resultats,
    }, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
