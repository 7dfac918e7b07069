"""Benchmark: importing a 500 000-row mises_a_disposition CSV, against a bare DuckDB read,
both as whole processes.

    python benchmarks/bench_import.py [--lignes 500000] [--repetitions 3]

The file is generated (seeded, in DuckDB) in the shape bailleurs send: `;`, French headers and
labels, dates dd/mm/yyyy, UTF-8, réservataires written as codes and as labels (« Préfecture 13 -
contingent prioritaire », « Action Logement », « Ville de Marseille »: resolved to their
identity on the way). Both timings are whole processes, taken in the same run, on the same
file, in alternation: `python -m dashboard import mises_a_disposition FILE --db NEW_BASE`
(start, reading, validation, resolution, writing) against `python -c` of DuckDB's
`CREATE TABLE AS SELECT * FROM read_csv(file)` into a fresh database file (type sniffing, no
validation). The figure that matters is the ratio (target ≤ 2).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashboard.reference import load_reference  # noqa: E402
from dashboard.store import connect  # noqa: E402

SORTIE = Path(__file__).resolve().parent / "out"


def generer_csv(chemin: Path, lignes: int, graine: int = 7) -> None:
    """Write a valid MAD export of `lignes` rows over the PACA communes (vectorised)."""
    con = duckdb.connect()
    load_communes = Path(__file__).resolve().parent.parent / "sample_data/reference/paca_communes.csv"
    con.execute(f"SELECT setseed({graine / 100})")
    con.execute(
        "CREATE TABLE communes AS SELECT row_number() OVER () - 1 AS i, code_insee "
        "FROM read_csv(?, delim=';', header=true, all_varchar=true)", [str(load_communes)])
    n_communes = con.execute("SELECT count(*) FROM communes").fetchone()[0]
    con.execute(f"""
        COPY (
          WITH base AS (
            SELECT r AS n,
                   'OLS' || lpad(((r % 30) + 1)::VARCHAR, 2, '0') AS bailleur,
                   DATE '2023-01-01' + ((r * 7919) % 1000)::INTEGER AS date_mad,
                   (r * 104729) % {n_communes} AS ic,
                   random() AS u1, random() AS u2, random() AS u3
            FROM range({lignes}) t(r))
          SELECT b.bailleur AS "Code bailleur",
                 b.bailleur || '-' || lpad(b.n::VARCHAR, 7, '0') AS "N° de référence",
                 strftime(b.date_mad, '%d/%m/%Y') AS "Date MAD",
                 c.code_insee AS "Code INSEE",
                 CASE WHEN u1 < 0.70 THEN 'Flux réservataire' WHEN u1 < 0.85 THEN 'Non réservé'
                      WHEN u1 < 0.92 THEN 'Mutation interne' ELSE 'Relogement ANRU' END
                      AS "Catégorie",
                 CASE WHEN u1 < 0.70 THEN (['ALS', 'ETAT-13', 'CD-13', 'ETAT-AG-13',
                      'Préfecture 13 - contingent prioritaire', 'Action Logement',
                      'Ville de Marseille'])[1 + (b.n % 7)::INTEGER] END
                      AS "Contingent",
                 lpad(((b.n * 31337) % 9999999999)::VARCHAR, 10, '0') AS "N° RPLS",
                 CASE WHEN u2 < 0.35 THEN 'Oui' ELSE 'Non' END AS "QPV",
                 'T' || (1 + (b.n % 6))::VARCHAR AS "Typologie",
                 (['PLA-I', 'PLUS', 'PLUS', 'PLS'])[1 + (b.n % 4)::INTEGER] AS "Financement",
                 (1950 + b.n % 75)::VARCHAR AS "Année de construction",
                 CASE WHEN u3 < 0.7 THEN 'Bail signé' WHEN u3 < 0.85 THEN 'Refus du demandeur'
                      WHEN u3 < 0.9 THEN 'Sans candidat' ELSE 'En cours' END AS "Issue",
                 CASE WHEN u3 < 0.7 THEN strftime(b.date_mad + 20, '%d/%m/%Y') END AS "Date du bail",
                 CASE WHEN u2 < 0.1 THEN 'Oui' ELSE 'Non' END AS "Candidat bailleur",
                 CASE WHEN u2 < 0.3 THEN 'Oui' ELSE 'Non' END AS "Public prioritaire"
          FROM base b JOIN communes c ON c.i = b.ic
          ORDER BY b.n
        ) TO '{chemin}' (HEADER, DELIMITER ';')""")
    con.close()


RACINE = Path(__file__).resolve().parent.parent
BRUT = ("import sys, duckdb; c = duckdb.connect(sys.argv[2]); "
        "c.execute('CREATE TABLE t AS SELECT * FROM read_csv(?)', [sys.argv[1]]); c.close()")


def _processus(commande: list[str]) -> float:
    debut = time.perf_counter()
    p = subprocess.run(commande, cwd=RACINE, capture_output=True, text=True)
    duree = time.perf_counter() - debut
    if p.returncode != 0:
        raise SystemExit(f"échec de {' '.join(commande[:4])}… : {p.stdout}{p.stderr}")
    return duree


def lecture_brute(fichier: Path, dossier: Path, k: int) -> float:
    return _processus([sys.executable, "-c", BRUT, str(fichier),
                       str(dossier / f"brut_{k}.duckdb")])


def import_valide(fichier: Path, dossier: Path, modele: Path, k: int) -> tuple[float, int]:
    base = dossier / f"import_{k}.duckdb"
    shutil.copyfile(modele, base)            # schema and reference ready, as after `init`
    duree = _processus([sys.executable, "-m", "dashboard", "import", "mises_a_disposition",
                        str(fichier), "--db", str(base), "--json"])
    con = duckdb.connect(str(base), read_only=True)
    n, resolues = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE reservataire_valeur <> reservataire_code) "
        "FROM mises_a_disposition").fetchone()
    con.close()
    return duree, n, resolues


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lignes", type=int, default=500_000)
    parser.add_argument("--repetitions", type=int, default=3)
    args = parser.parse_args()
    SORTIE.mkdir(exist_ok=True)
    fichier = SORTIE / f"mad_{args.lignes}_libelles.csv"
    if not fichier.exists():
        generer_csv(fichier, args.lignes)
    taille = fichier.stat().st_size / 1024 / 1024
    print(f"Fichier : {fichier.name}, {args.lignes} lignes, {taille:.1f} Mo")
    brut, valide = [], []
    with tempfile.TemporaryDirectory(dir=SORTIE) as dossier:
        modele = Path(dossier) / "modele.duckdb"
        con = connect(modele)
        load_reference(con)
        con.close()
        for k in range(args.repetitions):
            brut.append(lecture_brute(fichier, Path(dossier), k))
            duree, n, resolues = import_valide(fichier, Path(dossier), modele, k)
            valide.append(duree)
    mb, mv = statistics.median(brut), statistics.median(valide)
    print(f"read_csv brut, processus entier (médiane de {args.repetitions}) : {mb:.2f} s "
          f"{[round(x, 2) for x in brut]}")
    print(f"python -m dashboard import, processus entier (médiane de {args.repetitions}) : "
          f"{mv:.2f} s {[round(x, 2) for x in valide]} ({n} lignes importées, dont {resolues} "
          "réservataires écrits autrement que leur code)")
    print(f"ratio import / lecture brute : {mv / mb:.2f} (objectif ≤ 2)")


if __name__ == "__main__":
    main()
