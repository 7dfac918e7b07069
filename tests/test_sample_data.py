"""The sample data: reproducible, committed exactly as generated, calibrated and valid.

The files are read with the standard library and openpyxl, each with its vendor's encoding,
separator and spellings — not with the importer — so that these tests do not depend on it.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sample_data.generate import generate  # noqa: E402

SAMPLE_DIR = ROOT / "sample_data"
SEED = 2024
OTHER_SEED = 7
EXTRACTION_END = date(2026, 9, 30)

# Social dwellings on 1 January 2025 per département (DREAL PACA, RPLS; shared/reference/SOURCE.md).
PARC_2025 = {"04": 7941, "05": 8026, "06": 65436, "13": 168339, "83": 60534, "84": 37334}
# Share of conventions signed in PACA in February 2024 (DOMAIN §4.6).
SIGNATURE_2024 = {"Action Logement": 0.60, "Commune": 0.14, "EPCI": 0.32, "autres": 0.35}
SIGNATURE_TOLERANCE = 0.03

CATEGORIES = {"Flux réservataire": "FLUX", "Non réservé": "NON_RESERVE",
              "Mutation interne": "MUTATION", "Relogement ANRU": "RELOGEMENT",
              "Première mise en location": "PREMIERE_LOCATION", "Stock": "STOCK"}
ISSUES = {"Bail signé": "BAIL_SIGNE", "Refus du demandeur": "REFUS_DEMANDEUR",
          "Refus CALEOL": "REFUS_CALEOL", "Sans candidat": "SANS_CANDIDAT", "En cours": "EN_COURS"}


# ------------------------------------------------------------------------------------------
# Generation: one test, so that `pytest -n 2` runs the generations in one worker only
# ------------------------------------------------------------------------------------------


def _generate_three_times(base: Path) -> tuple[list[Path], Path, Path]:
    """Seed 2024 in-process, seed 2024 again through the CLI in a new process (another hash
    seed), and seed 7; the two command-line runs go on in parallel with the in-process one."""
    first, same, other = base / "same_seed", base / "same_seed_cli", base / "other_seed"
    env = {**os.environ, "PYTHONHASHSEED": "random"}
    processes = [
        subprocess.Popen([sys.executable, "-m", "sample_data.generate", "--out", str(out),
                          "--seed", str(seed)], cwd=ROOT, env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for out, seed in ((same, SEED), (other, OTHER_SEED))
    ]
    written = generate(first, SEED)
    for process in processes:
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err.decode()
    return written, same, other


def _xlsx_values(path: Path) -> list[tuple]:
    wb = load_workbook(path, read_only=True)
    try:
        return [(ws.title, list(ws.iter_rows(values_only=True))) for ws in wb.worksheets]
    finally:
        wb.close()


def _same_content(a: Path, b: Path) -> bool:
    """Same bytes; for a workbook, same sheets and cell values (bytes are only a shortcut)."""
    if a.read_bytes() == b.read_bytes():
        return True
    return a.suffix == ".xlsx" and _xlsx_values(a) == _xlsx_values(b)


def test_generation_is_reproducible_and_committed_as_generated(tmp_path):
    written, same, other = _generate_three_times(tmp_path)

    # generate() returns every data file, in the manifest's import order, then the manifest.
    names = [p.name for p in written]
    assert names[-1] == "manifest.json"
    manifest = json.loads(written[-1].read_text(encoding="utf-8"))
    assert [entry["fichier"] for entry in manifest] == names[:-1]
    order = ["parc", "conventions", "mises_a_disposition", "documents_epci"]
    types = [entry["type"] for entry in manifest]
    assert types == sorted(types, key=order.index)
    assert all(("feuille" in e) == e["fichier"].endswith(".xlsx") for e in manifest)

    # Same seed, same CSV bytes and same workbook cells — even in another process.
    for path in written:
        assert _same_content(path, same / path.name), f"{path.name}: not reproducible"

    # Another seed, other data.
    for name in ("parc_2025.csv", "conventions_2024.csv", "mad_2025_logiciel_a.csv",
                 "mad_2025_logiciel_c.xlsx"):
        assert not _same_content(tmp_path / "same_seed" / name, other / name), name

    # The committed files are exactly a fresh generation: nobody edits them by hand.
    for path in written:
        committed = SAMPLE_DIR / path.name
        assert committed.exists(), f"{path.name} missing: run python -m sample_data.generate"
        assert _same_content(path, committed), (
            f"{path.name} differs from a fresh generation: regenerate, do not edit by hand")


def test_files_stay_small():
    for entry in _manifest():
        assert (SAMPLE_DIR / entry["fichier"]).stat().st_size < 5_000_000, entry["fichier"]


# ------------------------------------------------------------------------------------------
# Reading the committed files with the standard library
# ------------------------------------------------------------------------------------------


def _manifest() -> list[dict]:
    return json.loads((SAMPLE_DIR / "manifest.json").read_text(encoding="utf-8"))


def _csv_rows(name: str, encoding: str, delimiter: str = ";") -> list[dict[str, str]]:
    text = (SAMPLE_DIR / name).read_bytes().decode(encoding)
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))


def _dmy(text: str) -> date | None:
    return datetime.strptime(text, "%d/%m/%Y").date() if text else None


def _iso(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def _as_date(value) -> date | None:
    return value.date() if isinstance(value, datetime) else value


@pytest.fixture(scope="module")
def communes() -> dict[str, str]:
    rows = _csv_rows("reference/paca_communes.csv", "utf-8")
    return {r["code_insee"]: r["departement"] for r in rows}


@pytest.fixture(scope="module")
def mad() -> dict[int, list[dict]]:
    """Every MAD of the three vendors, as canonical codes, per year."""
    result: dict[int, list[dict]] = defaultdict(list)
    for year in (2024, 2025, 2026):
        for r in _csv_rows(f"mad_{year}_logiciel_a.csv", "cp1252"):
            result[year].append({
                "bailleur": r["Code bailleur"], "reference": r["N° de référence"],
                "date": _dmy(r["Date MAD"]), "insee": r["Code INSEE"],
                "categorie": CATEGORIES[r["Catégorie"]], "reservataire": r["Contingent"],
                "issue": ISSUES[r["Issue"]], "date_bail": _dmy(r["Date du bail"]),
                "rpls": r["N° RPLS"]})
        for r in _csv_rows(f"mad_{year}_logiciel_b.csv", "utf-8", delimiter=","):
            result[year].append({
                "bailleur": r["bailleur_code"], "reference": r["reference"],
                "date": _iso(r["date_mise_a_disposition"]), "insee": r["code_insee"],
                "categorie": r["categorie"], "reservataire": r["reservataire_code"],
                "issue": r["issue"], "date_bail": _iso(r["date_bail"]), "rpls": r["rpls"]})
        wb = load_workbook(SAMPLE_DIR / f"mad_{year}_logiciel_c.xlsx", read_only=True)
        rows = wb["Mises à disposition"].iter_rows(values_only=True)
        header = next(rows)
        for values in rows:
            r = dict(zip(header, values))
            result[year].append({
                "bailleur": r["Bailleur"], "reference": r["Référence"],
                "date": _as_date(r["Date de mise à disposition"]),
                "insee": r["Commune (code INSEE)"], "categorie": CATEGORIES[r["Catégorie"]],
                "reservataire": r["Réservataire"] or "", "issue": ISSUES[r["Issue"]],
                "date_bail": _as_date(r["Date de bail"]), "rpls": r["RPLS"] or ""})
        wb.close()
    return result


def test_parc_2025_matches_the_rpls_figures(communes):
    sums: Counter = Counter()
    for r in _csv_rows("parc_2025.csv", "utf-8-sig"):
        sums[communes[r["Code INSEE"]]] += int(r["Parc total"])
    assert dict(sums) == PARC_2025


def test_parc_2024_and_2026_differ_slightly(communes):
    for year in (2024, 2026):
        sums: Counter = Counter()
        for r in _csv_rows(f"parc_{year}.csv", "utf-8-sig"):
            sums[communes[r["Code INSEE"]]] += int(r["Parc total"])
        for dep, total in PARC_2025.items():
            assert 0 < abs(sums[dep] - total) / total <= 0.03, (year, dep)


def test_parc_rows_are_valid(communes):
    for year in (2024, 2025, 2026):
        for r in _csv_rows(f"parc_{year}.csv", "utf-8-sig"):
            assert r["Code INSEE"] in communes and r["Année"] == str(year)
            assert 0 <= int(r["Logements exclus"]) <= int(r["Parc total"])
            assert bool(r["Libérations"]) != bool(r["Taux de rotation"])


def test_every_code_insee_is_in_the_reference(communes, mad):
    for year, rows in mad.items():
        unknown = {m["insee"] for m in rows} - communes.keys()
        assert not unknown, (year, unknown)


def test_references_are_unique_per_bailleur(mad):
    seen = Counter((m["bailleur"], m["reference"]) for rows in mad.values() for m in rows)
    assert max(seen.values()) == 1


def test_date_bail_follows_the_mad_and_only_for_signed_leases(mad):
    for rows in mad.values():
        for m in rows:
            assert (m["issue"] == "BAIL_SIGNE") == (m["date_bail"] is not None), m["reference"]
            if m["date_bail"]:
                assert 0 <= (m["date_bail"] - m["date"]).days <= 60, m["reference"]


def test_flux_mad_name_a_reservataire(mad):
    for rows in mad.values():
        for m in rows:
            assert (m["categorie"] == "FLUX") == bool(m["reservataire"]), m["reference"]
            assert m["rpls"] == "" or len(m["rpls"]) == 10


def test_about_22000_mad_in_2025(mad):
    assert 20_000 <= len(mad[2025]) <= 24_000


def test_nothing_after_the_extraction_date(mad):
    for year, rows in mad.items():
        assert all(m["date"].year == year for m in rows)
    assert max(m["date"] for m in mad[2026]) <= EXTRACTION_END
    assert max(m["date_bail"] for m in mad[2026] if m["date_bail"]) <= EXTRACTION_END


def test_signature_rates_2024_match_paca_february_2024():
    signed: dict[str, list[bool]] = defaultdict(list)
    for r in _csv_rows("conventions_2024.csv", "cp1252"):
        kind = r["Type de réservataire"]
        group = kind if kind in ("Action Logement", "Commune", "EPCI") else "autres"
        signed[group].append(r["Statut"] == "Signée")
    for group, target in SIGNATURE_2024.items():
        rate = sum(signed[group]) / len(signed[group])
        assert abs(rate - target) <= SIGNATURE_TOLERANCE, (group, rate)


def test_conventions_are_valid_except_the_documented_anomaly(communes):
    undated_signed = []
    for year in (2024, 2025, 2026):
        for r in _csv_rows(f"conventions_{year}.csv", "cp1252"):
            if r["Statut"] == "Signée" and not r["Date de signature"]:
                undated_signed.append((year, r["Code bailleur"], r["Code réservataire"]))
            if r["Statut"] != "Signée":
                assert r["Motif de non-signature"] and not r["Date de signature"]
            if r["Méthode"] == "Assiette":
                assert 0 <= float(r["Taux (%)"].replace(",", ".")) <= 100
            else:
                assert float(r["Droits annuels"].replace(",", ".")) >= 0
            if r["Type de périmètre"] == "Commune":
                assert communes[r["Code périmètre"]] == r["Département"]
    assert len(undated_signed) == 1 and undated_signed[0][0] == 2025   # README: anomaly 3


def test_the_documented_anomalies_are_there(mad):
    """README.md lists them; the controls of DOMAIN §4.7 must have something to find."""
    for year in (2024, 2025, 2026):
        taux: Counter = Counter()
        etat: Counter = Counter()
        for r in _csv_rows(f"conventions_{year}.csv", "cp1252"):
            key = (r["Code bailleur"], r["Département"])
            taux[key] += float(r["Taux (%)"].replace(",", ".") or 0)
            if r["Type de réservataire"] in ("Etat", "Etat agents"):
                etat[key] += float(r["Taux (%)"].replace(",", "."))
        over_100 = [k for k, v in taux.items() if v > 100]
        over_30 = [k for k, v in etat.items() if v > 30]
        assert (len(over_100), len(over_30)) == ((1, 1) if year == 2025 else (0, 0)), year
    convention_codes = {r["Code réservataire"] for r in _csv_rows("conventions_2025.csv", "cp1252")}
    assert any(m["reservataire"] and m["reservataire"] not in convention_codes for m in mad[2025])
    reporting_t3 = {m["bailleur"] for m in mad[2026] if m["date"] >= date(2026, 7, 1)}
    assert {m["bailleur"] for m in mad[2026]} - reporting_t3 == {"OLS16"}
