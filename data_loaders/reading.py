"""Reading a CSV or Excel file into a DuckDB temporary table of text cells, with line numbers.

The result is a table ``<nom>`` with a column ``_ligne`` (the line of the file, header = line 1;
for Excel, the row of the sheet) and one VARCHAR column ``c0``, ``c1``… per column of the file,
cells as written (empty cells are NULL). Nothing is interpreted here: types are normalisation's
business.

This module is the entry point (`lire`: the file's size checked, then handed to the reader its
first bytes call for) and re-exports what callers use of the readers. The readers:
- `data_loaders.lecture_csv`: CSV. The encoding (UTF-8, UTF-8 with BOM, UTF-16 with BOM,
  Windows-1252) and the separator (``;`` ``,`` tab) are detected. DuckDB's CSV reader does the
  parsing (it cannot read Windows-1252, so such files are decoded in Python and handed over in
  UTF-8). Lines with a wrong number of fields are reported as errors with their line number,
  never dropped. When the file has quoted line breaks or blank lines, physical line numbers
  cannot be derived from DuckDB's record order, and Python's csv module reads the file instead.
- `data_loaders.lecture_excel`: .xlsx workbooks. In a workbook whose first sheet does not hold
  the dataset's columns (a « Notice »), the sheet that does is read.
- `data_loaders.lecture_commune`: what both share (`Lecture`, the common limits, the header
  row, the total lines, the last steps).

Files as software exports them: the header row is looked for in the first `LIGNES_ENTETE_MAX`
lines, below title and blank lines (`choisir_entetes`); line numbers stay the file's own. Total
and count lines at the end of the data (« Total », « Nombre de lignes : 532 », sums under a
couple of columns) are left out and counted (`Lecture.lignes_totaux`).

Bounded: at most `LIGNES_MAX` data lines; a workbook is checked before it is opened (each
part's decompressed size: `TAILLE_DECOMPRESSEE_MAX` for a sheet, `TAILLE_PARTIE_MAX` for the
others, shared strings included, which openpyxl holds whole) and its sheet before it is walked
(declared dimension, then its rows counted in one streamed pass of the XML).

The limits are re-exported here to be read; the readers use their own imports of them, so a
test lowering one patches the reader's module (``lecture_csv.LIGNES_MAX``), not this one.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import duckdb

from data_loaders.errors import Erreur, FichierRejete
from data_loaders.lecture_commune import LIGNES_MAX, Lecture, choisir_entetes, est_total
from data_loaders.lecture_csv import _decoder, _lire_csv, _separateur
from data_loaders.lecture_excel import (
    TAILLE_DECOMPRESSEE_MAX,
    TAILLE_PARTIE_MAX,
    _est_classeur,
    _lire_excel,
)
from data_loaders.specs import Jeu

__all__ = [
    "LIGNES_MAX", "TAILLE_DECOMPRESSEE_MAX", "TAILLE_MAX_OCTETS", "TAILLE_PARTIE_MAX", "Lecture",
    "_decoder", "_separateur", "choisir_entetes", "est_total", "lire",
]

TAILLE_MAX_OCTETS = 200 * 1024 * 1024   # same as server.maxUploadSize in .streamlit/config.toml
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0"           # Excel 97-2003 .xls


def _octets(source: str | os.PathLike | bytes) -> bytes:
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
    else:
        path = Path(source)
        if not path.exists():
            raise FichierRejete([Erreur(None, None, str(path), "Fichier introuvable.")])
        if path.stat().st_size > TAILLE_MAX_OCTETS:
            raise FichierRejete([_trop_gros(path.stat().st_size)])
        data = path.read_bytes()
    if len(data) > TAILLE_MAX_OCTETS:
        raise FichierRejete([_trop_gros(len(data))])
    return data


def _trop_gros(taille: int) -> Erreur:
    return Erreur(None, None, f"{taille / 1024 / 1024:.0f} Mo".replace(".", ","),
                  f"Fichier trop volumineux : la limite est de "
                  f"{TAILLE_MAX_OCTETS // 1024 // 1024} Mo. Découpez-le (par année par exemple).")


def lire(
    cur: duckdb.DuckDBPyConnection,
    source: str | os.PathLike | bytes,
    nom_fichier: str,
    feuille: str | None = None,
    *,
    jeu: Jeu | None = None,
) -> Lecture:
    """Read the file into a temporary table of ``cur``; raise FichierRejete when unreadable.

    ``jeu``: the dataset expected, when known: its columns help find the header row below
    title lines, and the sheet of a workbook when ``feuille`` is not given."""
    data = _octets(source)
    table = f"lu_{uuid.uuid4().hex[:12]}"
    extension = Path(nom_fichier).suffix.lower()
    if not data.strip():
        raise FichierRejete([Erreur(None, None, None, "Le fichier est vide.")])
    if data.startswith(_OLE):
        raise FichierRejete([Erreur(None, None, None,
                                    "Format Excel 97-2003 (.xls) non pris en charge : enregistrez "
                                    "le classeur au format .xlsx ou CSV.")])
    if data.startswith(_ZIP):
        if extension not in (".xlsx", ".xlsm"):
            # Perhaps an .xlsx renamed: accept it if it is one, say so otherwise.
            if not _est_classeur(data):
                raise FichierRejete([Erreur(None, None, None,
                                            "Le fichier est une archive ZIP, pas un fichier CSV "
                                            "ni un classeur Excel.")])
        return _lire_excel(cur, data, table, feuille, jeu)
    if extension in (".xlsx", ".xlsm"):
        raise FichierRejete([Erreur(None, None, None,
                                    "Le fichier porte l'extension .xlsx mais n'est pas un "
                                    "classeur Excel valide.")])
    chemin = None if isinstance(source, (bytes, bytearray)) else Path(source)
    return _lire_csv(cur, data, table, chemin, jeu)
