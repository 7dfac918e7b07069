"""Reading a CSV or Excel file into a DuckDB temporary table of text cells, with line numbers.

The result is a table ``<nom>`` with a column ``_ligne`` (the line of the file, header = line 1;
for Excel, the row of the sheet) and one VARCHAR column ``c0``, ``c1``… per column of the file,
cells as written (empty cells are NULL). Nothing is interpreted here: types are normalisation's
business.

CSV: the encoding (UTF-8, UTF-8 with BOM, UTF-16 with BOM, Windows-1252) and the separator
(``;`` ``,`` tab) are detected. DuckDB's CSV reader does the parsing (it cannot read
Windows-1252, so such files are decoded in Python and handed over in UTF-8). Lines with a wrong
number of fields are reported as errors with their line number, never dropped. When the file has
quoted line breaks or blank lines, physical line numbers cannot be derived from DuckDB's record
order, and Python's csv module reads the file instead.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import duckdb
import pandas as pd

from dashboard.formatting import nombre
from data_loaders.errors import Erreur, FichierRejete

TAILLE_MAX_OCTETS = 200 * 1024 * 1024   # same as server.maxUploadSize in .streamlit/config.toml
SEPARATEURS = {";": "point-virgule", ",": "virgule", "\t": "tabulation"}
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0"           # Excel 97-2003 .xls
_BOM_UTF8 = b"\xef\xbb\xbf"
_BOM_UTF16 = (b"\xff\xfe", b"\xfe\xff")


@dataclass
class Lecture:
    """What was read, and how (shown to the user before the import)."""

    table: str                               # temp table with _ligne, c0..cN
    entetes: list[str]
    format: str                              # "CSV" or "Excel"
    encodage: str | None = None
    separateur: str | None = None
    feuille: str | None = None
    lignes_lues: int = 0                     # data lines read (header and blank lines excluded)
    lignes_vides: int = 0                    # lines with no value at all, not imported
    erreurs: list[Erreur] = field(default_factory=list)       # structure errors (field count)
    lignes_brutes: dict[int, str] = field(default_factory=dict)  # raw text of those lines

    @property
    def separateur_libelle(self) -> str | None:
        return SEPARATEURS.get(self.separateur, self.separateur) if self.separateur else None

    def description(self) -> list[tuple[str, str]]:
        """How the file was read, as (French label, value) pairs for people."""
        details = [("Format", self.format)]
        if self.encodage:
            details.append(("Encodage", self.encodage))
        if self.separateur:
            details.append(("Séparateur", self.separateur_libelle))
        if self.feuille:
            details.append(("Feuille", f"« {self.feuille} »"))
        details.append(("Lignes lues", nombre(self.lignes_lues)))
        if self.lignes_vides:
            details.append(("Lignes vides ignorées", nombre(self.lignes_vides)))
        return details


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
) -> Lecture:
    """Read the file into a temporary table of ``cur``; raise FichierRejete when unreadable."""
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
        return _lire_excel(cur, data, table, feuille)
    if extension in (".xlsx", ".xlsm"):
        raise FichierRejete([Erreur(None, None, None,
                                    "Le fichier porte l'extension .xlsx mais n'est pas un "
                                    "classeur Excel valide.")])
    chemin = None if isinstance(source, (bytes, bytearray)) else Path(source)
    return _lire_csv(cur, data, table, chemin)


# ---------------------------------------------------------------------------------------- CSV

def _decoder(data: bytes) -> tuple[str, str]:
    """Return (text, encoding label)."""
    if data.startswith(_BOM_UTF8):
        try:
            return data[3:].decode("utf-8"), "UTF-8 avec BOM"
        except UnicodeDecodeError:
            pass
    if data.startswith(_BOM_UTF16):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:8192]:
        raise FichierRejete([Erreur(None, None, None,
                                    "Le fichier semble binaire (octets nuls) : ce n'est pas un "
                                    "fichier texte CSV. Exportez les données en CSV ou en .xlsx.")])
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "ISO-8859-1"


def _separateur(premiere_ligne: str) -> str:
    comptes = {sep: 0 for sep in SEPARATEURS}
    dans_guillemets = False
    for ch in premiere_ligne:
        if ch == '"':
            dans_guillemets = not dans_guillemets
        elif not dans_guillemets and ch in comptes:
            comptes[ch] += 1
    meilleur = max(comptes, key=lambda s: (comptes[s], s == ";"))
    return meilleur if comptes[meilleur] else ";"


def _lire_csv(cur: duckdb.DuckDBPyConnection, data: bytes, table: str,
              chemin: Path | None = None) -> Lecture:
    texte, encodage = _decoder(data)
    texte_sans_fin = texte.rstrip("\r\n")
    fin_premiere = texte_sans_fin.find("\n")
    premiere = texte_sans_fin[:fin_premiere if fin_premiere >= 0 else None].rstrip("\r")
    if not premiere.strip():
        raise FichierRejete([Erreur(1, None, None,
                                    "La première ligne est vide : elle doit contenir les en-têtes "
                                    "de colonnes.")])
    sep = _separateur(premiere)
    entetes = [h.strip() for h in next(csv.reader([premiere], delimiter=sep))]
    lecture = Lecture(table=table, entetes=entetes, format="CSV", encodage=encodage,
                      separateur=sep)
    if "\n" not in texte_sans_fin:
        raise FichierRejete([Erreur(None, None, None,
                                    "Le fichier ne contient que la ligne d'en-têtes : aucune ligne "
                                    "de données.")])
    lignes_physiques = texte_sans_fin.count("\n") + 1
    regulier = "\n\n" not in texte_sans_fin and "\n\r\n" not in texte_sans_fin
    if regulier and not _lire_csv_duckdb(cur, data, texte, encodage, lecture, lignes_physiques,
                                         chemin):
        regulier = False
    if not regulier:
        _lire_csv_python(cur, texte_sans_fin, lecture)
    _compter(cur, lecture)
    return lecture


def _lire_csv_duckdb(cur, data: bytes, texte: str, encodage: str, lecture: Lecture,
                     lignes_physiques: int, chemin: Path | None) -> bool:
    """Parse with DuckDB; False when line numbers cannot be trusted (quoted line breaks)."""
    n = len(lecture.entetes)
    colonnes = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(n))
    rejets, scans = f"rej_{lecture.table}", f"scan_{lecture.table}"
    tmp = None
    if chemin is not None and encodage in ("UTF-8", "UTF-8 avec BOM"):
        fichier = str(chemin)          # DuckDB reads UTF-8 (and skips a BOM) itself
    else:
        fd, tmp = tempfile.mkstemp(suffix=".csv", prefix="flux_import_")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data if encodage == "UTF-8" else texte.encode("utf-8"))
        fichier = tmp
    try:
        cur.execute(
            f"""CREATE TEMP TABLE {lecture.table}_brut AS
                SELECT * FROM read_csv(?, delim=?, quote='"', escape='"', header=true,
                    auto_detect=false, columns={{{colonnes}}}, store_rejects=true,
                    rejects_table='{rejets}', rejects_scan='{scans}',
                    max_line_size=4194304)""",
            [fichier, lecture.separateur],
        )
    finally:
        if tmp:
            os.unlink(tmp)
    lus = cur.execute(f"SELECT count(*) FROM {lecture.table}_brut").fetchone()[0]
    rejets_lignes = cur.execute(
        f"SELECT line, any_value(error_type), any_value(csv_line), count(*) FROM {rejets} GROUP BY line"
    ).fetchall()
    if lus + len(rejets_lignes) + 1 != lignes_physiques:
        cur.execute(f"DROP TABLE {lecture.table}_brut")
        cur.execute(f"DROP TABLE {rejets}")
        cur.execute(f"DROP TABLE {scans}")
        return False
    for ligne, type_erreur, brut, _ in rejets_lignes:
        brut = (brut or "").strip("\r\n")
        if not brut.strip():        # a line of blanks holds nothing: skipped, counted
            lecture.lignes_vides += 1
            continue
        nb = len(next(csv.reader([brut], delimiter=lecture.separateur), []))
        lecture.erreurs.append(_erreur_structure(ligne, nb, n, type_erreur, brut))
        lecture.lignes_brutes[ligne] = brut
    cols = ", ".join(f"b.c{i}" for i in range(n))
    if rejets_lignes:
        cur.execute(
            f"""CREATE TEMP TABLE {lecture.table} AS
                WITH lignes AS (
                    SELECT l, row_number() OVER (ORDER BY l) - 1 AS k
                    FROM range(2, ?) t(l) WHERE l NOT IN (SELECT line FROM {rejets}))
                SELECT lignes.l::INTEGER AS _ligne, {cols}
                FROM {lecture.table}_brut b JOIN lignes ON lignes.k = b.rowid
                ORDER BY _ligne""",
            [lignes_physiques + 1],
        )
        cur.execute(f"DROP TABLE {lecture.table}_brut")
    else:
        # Every physical line is a record: the line is the record's position + 2. A view
        # spares a copy of the whole file.
        cur.execute(
            f"""CREATE TEMP VIEW {lecture.table} AS
                SELECT (b.rowid + 2)::INTEGER AS _ligne, {cols} FROM {lecture.table}_brut b"""
        )
    cur.execute(f"DROP TABLE {rejets}")
    cur.execute(f"DROP TABLE {scans}")
    return True


def _lire_csv_python(cur, texte: str, lecture: Lecture) -> None:
    """Exact line numbers for files with quoted line breaks or blank lines."""
    n = len(lecture.entetes)
    reader = csv.reader(io.StringIO(texte, newline=""), delimiter=lecture.separateur)
    next(reader)
    debut = reader.line_num + 1
    lignes, valeurs = [], [[] for _ in range(n)]
    for champs in reader:
        ligne = debut
        debut = reader.line_num + 1
        if not any(c.strip() for c in champs):
            lecture.lignes_vides += 1
            continue
        if len(champs) > n and not any(c.strip() for c in champs[n:]):
            champs = champs[:n]     # trailing empty fields carry nothing (as DuckDB reads them)
        if len(champs) != n:
            brut = _ligne_csv(champs, lecture.separateur)
            lecture.erreurs.append(_erreur_structure(ligne, len(champs), n, None, brut))
            lecture.lignes_brutes[ligne] = brut
            continue
        lignes.append(ligne)
        for i, v in enumerate(champs):
            valeurs[i].append(v if v != "" else None)
    _charger(cur, lecture.table, lignes, valeurs)


def _ligne_csv(champs: list[str], sep: str) -> str:
    """The fields written back as one CSV line, quoted where needed."""
    tampon = io.StringIO()
    csv.writer(tampon, delimiter=sep, lineterminator="").writerow(champs)
    return tampon.getvalue()


def _erreur_structure(ligne: int, trouves: int, attendus: int, type_erreur: str | None,
                      brut: str) -> Erreur:
    if type_erreur and "LINE SIZE" in type_erreur:
        message = "Ligne trop longue pour être lue (plus de 4 Mo) : vérifiez le fichier."
    elif trouves == attendus and type_erreur and "UNQUOTED" in type_erreur:
        message = "Guillemets mal fermés dans la ligne."
    else:
        message = (f"La ligne compte {trouves} champ{'s' if trouves > 1 else ''} au lieu de "
                   f"{attendus} (comme la ligne d'en-têtes) : vérifiez le séparateur et les "
                   "guillemets.")
    return Erreur(ligne, None, brut[:200], message)


def _charger(cur, table: str, lignes: list[int], valeurs: list[list]) -> None:
    frame = pd.DataFrame({"_ligne": pd.Series(lignes, dtype="int64")}
                         | {f"c{i}": pd.Series(v, dtype="object") for i, v in enumerate(valeurs)})
    vue = f"df_{table}"
    cur.register(vue, frame)
    try:
        casts = ", ".join(f"c{i}::VARCHAR AS c{i}" for i in range(len(valeurs)))
        cur.execute(f"CREATE TEMP TABLE {table} AS SELECT _ligne::INTEGER AS _ligne"
                    f"{', ' if casts else ''}{casts} FROM {vue}")
    finally:
        cur.unregister(vue)


def _compter(cur, lecture: Lecture) -> None:
    """Drop lines with no value at all (counted and reported), count the data lines."""
    n = len(lecture.entetes)
    if n:
        # The CSV reader gives NULL for an empty field: a line of separators only is all NULL.
        vide = " AND ".join(f"c{i} IS NULL" for i in range(n))
        vides = cur.execute(f"SELECT count(*) FROM {lecture.table} WHERE {vide}").fetchone()[0]
        if vides:
            cur.execute(f"CREATE TEMP TABLE {lecture.table}_plein AS "
                        f"SELECT * FROM {lecture.table} WHERE NOT ({vide})")
            lecture.table = f"{lecture.table}_plein"
            lecture.lignes_vides += vides
    lecture.lignes_lues = (cur.execute(f"SELECT count(*) FROM {lecture.table}").fetchone()[0]
                           + len(lecture.erreurs))
    if lecture.lignes_lues == 0:
        raise FichierRejete([Erreur(None, None, None,
                                    "Le fichier ne contient aucune ligne de données sous la "
                                    "ligne d'en-têtes.")])


# -------------------------------------------------------------------------------------- Excel

def _est_classeur(data: bytes) -> bool:
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return "xl/workbook.xml" in z.namelist()
    except zipfile.BadZipFile:
        return False


def _cellule(valeur, format_nombre: str | None) -> str | None:
    if valeur is None:
        return None
    if isinstance(valeur, bool):
        return "true" if valeur else "false"
    if isinstance(valeur, datetime):
        if valeur.time() == time(0, 0):
            return valeur.date().isoformat()
        return valeur.isoformat(sep=" ")
    if isinstance(valeur, date):
        return valeur.isoformat()
    if isinstance(valeur, (int, float)):
        if format_nombre and "%" in format_nombre:
            valeur = valeur * 100
            valeur = round(valeur, 10)
        if isinstance(valeur, float) and valeur.is_integer():
            return str(int(valeur))
        return repr(valeur) if isinstance(valeur, float) else str(valeur)
    texte = str(valeur)
    return texte if texte.strip() else None


def _lire_excel(cur, data: bytes, table: str, feuille: str | None) -> Lecture:
    import openpyxl

    try:
        classeur = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a broken file
        raise FichierRejete([Erreur(None, None, None,
                                    f"Classeur Excel illisible ({type(exc).__name__}) : "
                                    "ouvrez-le dans Excel et enregistrez-le à nouveau en .xlsx.")])
    try:
        if feuille:
            if feuille not in classeur.sheetnames:
                raise FichierRejete([Erreur(None, None, feuille,
                                            f"Feuille « {feuille} » introuvable. Feuilles du "
                                            f"classeur : {', '.join(classeur.sheetnames)}.")])
            ws = classeur[feuille]
        else:
            ws = classeur.worksheets[0]
        entetes: list[str] | None = None
        lignes: list[int] = []
        valeurs: list[list] = []
        vides = 0
        for numero, rangee in enumerate(ws.iter_rows(min_row=1), start=1):
            cellules = [_cellule(c.value, getattr(c, "number_format", None)) for c in rangee]
            if entetes is None:
                if any(v is not None for v in cellules):
                    while cellules and cellules[-1] is None:
                        cellules.pop()
                    entetes = [(v or "").strip() for v in cellules]
                    valeurs = [[] for _ in entetes]
                continue
            if all(v is None for v in cellules):
                vides += 1
                continue
            lignes.append(numero)
            for i in range(len(entetes)):
                valeurs[i].append(cellules[i] if i < len(cellules) else None)
            # Values beyond the last header: say so rather than drop them.
            if any(v is not None for v in cellules[len(entetes):]):
                raise FichierRejete([Erreur(numero, None, None,
                                            "Des valeurs se trouvent dans des colonnes sans "
                                            "en-tête : nommez ces colonnes ou supprimez-les.")])
        nom_feuille = ws.title
    finally:
        classeur.close()
    if entetes is None:
        raise FichierRejete([Erreur(None, None, None,
                                    f"La feuille « {nom_feuille if 'nom_feuille' in dir() else ''} » "
                                    "est vide : aucune ligne d'en-têtes ni de données.")])
    if not lignes:
        raise FichierRejete([Erreur(None, None, None,
                                    f"La feuille « {nom_feuille} » ne contient que la ligne "
                                    "d'en-têtes : aucune ligne de données.")])
    lecture = Lecture(table=table, entetes=entetes, format="Excel", feuille=nom_feuille)
    lecture.lignes_vides = vides
    _charger(cur, table, lignes, valeurs)
    _compter(cur, lecture)
    return lecture
