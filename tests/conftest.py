"""Shared fixtures and helpers for the import pipeline tests (data_loaders, CLI data commands).

- ``base``: a DuckDB store in a temporary file, opened with ``dashboard.store.connect``, with
  the PACA reference loaded by ``load_reference`` (946 communes, 52 EPCI). To keep the suite
  fast the store is built once per session and its file copied for each test.
- ``fichiers``: writes test files (CSV in any encoding / separator / line ending, raw bytes,
  .xlsx workbooks, JSON mapping files) into the test's temporary directory.
- ``instantane(con)``: the full content of every table, sorted, to compare contents (not counts).
- Row builders (``mad``, ``convention``, ``parc``, ``document``) with valid defaults, so that a
  test only writes the cells it is about. Every expected value in the tests is written by hand.

The pipeline's "today" is pinned with ``AUJOURDHUI`` (2026-11-22) for in-process imports: MAD
dated after today are rejected by design, so fixtures use 2024/2025 dates.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dashboard.reference import load_reference  # noqa: E402
from dashboard.store import connect  # noqa: E402
from data_loaders import importer as _importer  # noqa: E402

AUJOURDHUI = date(2026, 11, 22)

# Every table of the schema (DOMAIN §3 datasets, reference, journal, quarantine, archive).
TABLES = (
    "communes", "epci", "conventions", "parc", "mises_a_disposition", "documents_epci",
    "journal_imports", "journal_annulations", "quarantaine", "remplacements",
    "archive_communes", "archive_epci", "archive_conventions", "archive_parc",
    "archive_mises_a_disposition", "archive_documents_epci",
    "reservataires", "correspondances", "journal_correspondances", "profils_entetes",
)

# ------------------------------------------------------------------------------- the store


@pytest.fixture(scope="session")
def modele_base(tmp_path_factory) -> Path:
    """A closed store file built once per session: `connect` (schema migrated) then
    `load_reference` (946 PACA communes, 52 EPCI)."""
    chemin = tmp_path_factory.mktemp("modele") / "modele.duckdb"
    con = connect(chemin)
    assert load_reference(con) == (946, 52)
    con.close()
    return chemin


@pytest.fixture(scope="session")
def base_exemple(tmp_path_factory) -> Path:
    """The sample database (sample_data/, every file of its manifest imported), built once per
    test process. Read it; to write or to serve it, take `exemple` (a private copy)."""
    from dashboard.initialisation import initialiser

    chemin = tmp_path_factory.mktemp("exemple") / "exemple.duckdb"
    con, _ = initialiser(chemin, exemple=True)
    con.close()
    return chemin


@pytest.fixture
def exemple(base_exemple, tmp_path, monkeypatch) -> Path:
    """A private copy of the sample database for one test, named by FLUX_DB (the pages open it)."""
    chemin = tmp_path / "flux.duckdb"
    shutil.copyfile(base_exemple, chemin)
    monkeypatch.setenv("FLUX_DB", str(chemin))
    return chemin


def nouvelle_base(chemin: Path, modele: Path):
    """Open a store at `chemin`, a copy of the session's model (schema migrated with
    `connect`, PACA reference loaded with `load_reference`), through `connect` again."""
    shutil.copyfile(modele, chemin)
    con = connect(chemin)
    assert con.execute("SELECT count(*) FROM communes").fetchone() == (946,)
    return con


@pytest.fixture
def base(tmp_path, modele_base):
    """A file-backed store with the PACA reference territories (946 communes, 52 EPCI)."""
    con = nouvelle_base(tmp_path / "flux.duckdb", modele_base)
    yield con
    con.close()


def instantane(con) -> dict[str, list[tuple]]:
    """The full content of every table of the store, rows sorted."""
    noms = {r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = 'main' AND table_type = 'BASE TABLE'").fetchall()}
    manquantes = set(TABLES) - noms
    assert not manquantes, f"tables absentes du schéma : {manquantes}"
    return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in sorted(noms)}


def page_app(chemin: str, delai: float = 120, app_d_abord: bool = False,
             **parametres) -> AppTest:
    """AppTest of app.py on page ``chemin`` (``pages/bilan.py``) with these query parameters,
    run without exception. ``app_d_abord``: run app.py once before switching (the pages'
    url_path are known once it has run)."""
    at = AppTest.from_file("../app.py", default_timeout=delai)
    at.query_params.update(parametres)
    if app_d_abord:
        at.run()
    at.switch_page(chemin).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def importer(con, type_donnees, source, **kw):
    """The pipeline's `importer` with today pinned to AUJOURDHUI (unless given)."""
    kw.setdefault("aujourd_hui", AUJOURDHUI)
    return _importer(con, type_donnees, source, **kw)


def erreurs(rapport) -> list[tuple]:
    """(ligne, colonne, valeur) of each error of a report, in the report's order."""
    return [(e.ligne, e.colonne, e.valeur) for e in rapport.erreurs]


def erreur(rapport, ligne, colonne):
    """The one error of `rapport` at (ligne, colonne)."""
    trouvees = [e for e in rapport.erreurs if e.ligne == ligne and e.colonne == colonne]
    assert len(trouvees) == 1, (ligne, colonne, rapport.erreurs)
    return trouvees[0]


# ------------------------------------------------------------------------------- the files


def texte_csv(lignes: list[list], sep: str = ";", fin: str = "\n") -> str:
    """CSV text of `lignes` (first one = headers), quoting only when needed."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=sep, lineterminator=fin, quoting=csv.QUOTE_MINIMAL)
    for ligne in lignes:
        writer.writerow(["" if v is None else v for v in ligne])
    return buf.getvalue()


class Fichiers:
    """Writes test files into a directory."""

    def __init__(self, dossier: Path):
        self.dossier = dossier
        self._n = 0

    def _chemin(self, nom: str | None, suffixe: str) -> Path:
        self._n += 1
        return self.dossier / (nom or f"fichier_{self._n}{suffixe}")

    def csv(self, lignes: list[list], nom: str | None = None, sep: str = ";",
            encodage: str = "utf-8", fin: str = "\n") -> Path:
        chemin = self._chemin(nom, ".csv")
        chemin.write_bytes(texte_csv(lignes, sep, fin).encode(encodage))
        return chemin

    def texte(self, texte: str, nom: str | None = None, encodage: str = "utf-8") -> Path:
        chemin = self._chemin(nom, ".csv")
        chemin.write_bytes(texte.encode(encodage))
        return chemin

    def octets(self, data: bytes, nom: str | None = None) -> Path:
        chemin = self._chemin(nom, ".csv")
        chemin.write_bytes(data)
        return chemin

    def json(self, objet, nom: str | None = None) -> Path:
        chemin = self._chemin(nom, ".json")
        chemin.write_text(json.dumps(objet, ensure_ascii=False), encoding="utf-8")
        return chemin

    def xlsx(self, feuilles: dict[str, list[list]], nom: str | None = None,
             formats: dict[tuple[str, str], str] | None = None) -> Path:
        """A workbook: {sheet name: rows}, in order; `formats` {(sheet, "B2"): number format}."""
        from openpyxl import Workbook

        classeur = Workbook()
        classeur.remove(classeur.active)
        for titre, rangees in feuilles.items():
            ws = classeur.create_sheet(titre)
            for rangee in rangees:
                ws.append(rangee)
        for (titre, cellule), fmt in (formats or {}).items():
            classeur[titre][cellule].number_format = fmt
        chemin = self._chemin(nom, ".xlsx")
        classeur.save(chemin)
        return chemin


@pytest.fixture
def fichiers(tmp_path) -> Fichiers:
    dossier = tmp_path / "fichiers"
    dossier.mkdir()
    return Fichiers(dossier)


# ------------------------------------------------------------------------- row builders

MAD_COLONNES = [
    "bailleur_code", "reference", "date_mise_a_disposition", "code_insee", "categorie",
    "reservataire_code", "rpls", "qpv", "typologie", "financement", "annee_construction",
    "issue", "date_bail", "candidat_bailleur", "public_prioritaire",
]
CONVENTION_COLONNES = [
    "bailleur_code", "bailleur_nom", "reservataire_code", "reservataire_nom", "type_reservataire",
    "departement", "perimetre_type", "perimetre_code", "annee", "statut", "date_signature",
    "motif_non_signature", "methode", "taux_flux", "droits_annuels", "mode_gestion",
]
PARC_COLONNES = [
    "bailleur_code", "code_insee", "annee", "parc_total", "logements_exclus", "liberations",
    "taux_rotation", "mutations_prevues", "relogements_prevus",
]
DOCUMENT_COLONNES = ["epci_siren", "document", "statut", "date_document"]
# The columns of each dataset, as the test files write them.
COLONNES = {"mises_a_disposition": MAD_COLONNES, "conventions": CONVENTION_COLONNES,
            "parc": PARC_COLONNES, "documents_epci": DOCUMENT_COLONNES}


def mad(**valeurs) -> dict:
    """A valid MAD row (OLS1, R1, 15/03/2025, Marseille, FLUX for ETAT-13, en cours)."""
    return {"bailleur_code": "OLS1", "reference": "R1", "date_mise_a_disposition": "15/03/2025",
            "code_insee": "13055", "categorie": "FLUX", "reservataire_code": "ETAT-13"} | valeurs


def convention(**valeurs) -> dict:
    """A valid convention row (OLS1 × ETAT-13, département 13, 2025, signée, assiette 30 %)."""
    return {"bailleur_code": "OLS1", "reservataire_code": "ETAT-13", "type_reservataire": "ETAT",
            "departement": "13", "annee": "2025", "statut": "SIGNEE",
            "date_signature": "15/01/2025", "taux_flux": "30"} | valeurs


def parc(**valeurs) -> dict:
    """A valid parc row (OLS1, Marseille, 2025, 100 logements, 10 libérations)."""
    return {"bailleur_code": "OLS1", "code_insee": "13055", "annee": "2025", "parc_total": "100",
            "liberations": "10"} | valeurs


def document(**valeurs) -> dict:
    """A valid documents_epci row (Métropole Aix-Marseille-Provence, CIL adopted)."""
    return {"epci_siren": "200054807", "document": "CIL", "statut": "ADOPTE",
            "date_document": "15/06/2024"} | valeurs


def tableau(colonnes: list[str], *rangees: dict) -> list[list]:
    """Header + rows, the cells of each row in the order of `colonnes` ("" when absent)."""
    return [list(colonnes)] + [[r.get(c, "") for c in colonnes] for r in rangees]


def dt(annee: int, mois: int, jour: int, h: int = 0, m: int = 0) -> datetime:
    return datetime(annee, mois, jour, h, m)


# ------------------------------------------------------------------------------ the browser


@pytest.fixture
def jamais_de_telechargement(monkeypatch):
    """Fail the test if anything asks kaleido / choreographer to download a browser."""
    import choreographer.cli
    import kaleido

    def interdit(*args, **kwargs):
        raise AssertionError("tentative de téléchargement d'un navigateur")

    for module in (kaleido, choreographer.cli):
        for nom in ("get_chrome", "get_chrome_sync"):
            if hasattr(module, nom):
                monkeypatch.setattr(module, nom, interdit)
    from dashboard.exports import images

    for variable in images.VARIABLES_CHROMIUM:
        monkeypatch.delenv(variable, raising=False)


@pytest.fixture(scope="session")
def navigateur():
    """Debian's Chromium through Playwright, once per test process (every browser test module
    shares it: two Playwright instances in one thread clash)."""
    from playwright.sync_api import sync_playwright
    from test_navigateur import ARGUMENTS_CHROMIUM, CHROMIUM

    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} est absent : lancez les tests par `bash scripts/tests.sh`, qui "
                    "installe chromium et chromium-driver (paquets Debian).")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGUMENTS_CHROMIUM)
        try:
            yield chromium
        finally:
            chromium.close()
