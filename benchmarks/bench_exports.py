"""How long the exports take, next to a reference measured in the same run.

    python3 benchmarks/bench_exports.py [--db PATH] [--annee 2025] [--repetitions 3]

On the sample database (created in a temporary folder when --db is not given), prints for each
export its median time and its ratio to the reference: one engine bilan of the year at T4 by
bailleur (`metrics.bilan`, fact table already cached), measured in the same run. The zip of all
the yearly bilans is also split into its two steps: reading every réservataire's figures in one
pass (`lire_donnees`) and writing the workbooks; the PDF report into its layout (Python) and the
rest (Chromium started, charts drawn, tables cut, printed). Figures kept in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from datetime import date  # noqa: E402

from benchmarks.machine import machine  # noqa: E402
from dashboard import metrics  # noqa: E402
from dashboard.exports import bilan_annuel, images, impression, pdf, trimestriel  # noqa: E402
from dashboard.initialisation import initialiser, ouvrir  # noqa: E402
from dashboard.metrics import bilan_annuel as metrics_annuel  # noqa: E402
from dashboard.metrics import orientation  # noqa: E402


def _mediane(fonction, repetitions: int) -> float:
    durees = []
    for _ in range(repetitions):
        debut = time.perf_counter()
        fonction()
        durees.append(time.perf_counter() - debut)
    return statistics.median(durees)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db")
    parser.add_argument("--annee", type=int, default=2025)
    parser.add_argument("--repetitions", type=int, default=3)
    args = parser.parse_args()
    if args.db:
        con = ouvrir(args.db)
    else:
        chemin = Path(tempfile.mkdtemp()) / "exemple.duckdb"
        con, _ = initialiser(chemin, exemple=True)
    a, n = args.annee, args.repetitions
    print(machine("duckdb", "pandas", "openpyxl", "plotly", "choreographer"))
    print(f"Chromium : {images.chemin_chromium()}")
    metrics.bilan(con, a, 4, "bailleur")                      # warm the fact table
    reference = _mediane(lambda: metrics.bilan(con, a, 4, "bailleur"), n)
    premier = str(bilan_annuel_reservataire(con, a))
    n_reservataires = len(metrics_annuel.reservataires(con, a))
    mesures = {
        f"bilan annuel .xlsx ({premier})": lambda: bilan_annuel.classeur(con, a, premier),
        f"bilan annuel .zip (tous : {n_reservataires})": lambda: bilan_annuel.archive(con, a,
                                                                                      None),
        "  dont lecture des chiffres (une passe)": lambda: bilan_annuel.lire_donnees(con, a),
        "bilan trimestriel .xlsx (T4)": lambda: trimestriel.classeur(con, a, 4),
        "bilan trimestriel .html (T4)": lambda: trimestriel.rapport_html(con, a, 4),
        "bilan trimestriel .pdf (T4)": lambda: pdf.rapport_pdf(con, a, 4),
        "  dont mise en page (rapport_impression)": lambda: impression.rapport_impression(
            con, a, 4),
        "orienter (OLS01, 13055, 30/06)": lambda: orientation.orienter(
            con, "OLS01", "13055", date(a, 6, 30)),
    }
    print(f"référence : metrics.bilan({a}, T4, bailleur) = {reference * 1000:.0f} ms")
    for nom, fonction in mesures.items():
        duree = _mediane(fonction, n)
        print(f"{nom:45s} {duree:7.2f} s   {duree / reference:7.0f} × la référence")
    reference_fin = _mediane(lambda: metrics.bilan(con, a, 4, "bailleur"), n)
    print(f"référence en fin de passage : {reference_fin * 1000:.0f} ms")


def bilan_annuel_reservataire(con, annee: int) -> str:
    return metrics.bilan(con, annee, 4, "reservataire").sort_values(
        "droits_annuels", ascending=False)["cle"].iloc[0]


if __name__ == "__main__":
    main()
