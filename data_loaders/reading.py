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
import re
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
TAILLE_LIGNE_MAX = 4 * 1024 * 1024      # a longer line is reported, not read (DuckDB's limit)
MAX_COLONNES = 1000                     # a wider "table" is a file read with the wrong separator
SEPARATEURS = {";": "point-virgule", ",": "virgule", "\t": "tabulation"}
# Characters that separate fields in some exports but that this reader does not accept.
AUTRES_SEPARATEURS = ("|", ":", "#", "/", "!", "^", "~")
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0"           # Excel 97-2003 .xls
_BOM_UTF8 = b"\xef\xbb\xbf"
_BOM_UTF16 = (b"\xff\xfe", b"\xfe\xff")

# Python's csv module refuses fields over 128 KiB by default: read them like DuckDB does
# (whole lines up to TAILLE_LIGNE_MAX), never crash on them.
csv.field_size_limit(max(csv.field_size_limit(), TAILLE_LIGNE_MAX))


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
    debut = data[:8192]
    if b"\x00" in debut:
        utf16 = _utf16_sans_bom(debut)
        if utf16:
            try:
                return data.decode(utf16), "UTF-16 (sans BOM)"
            except UnicodeDecodeError:
                pass
        raise FichierRejete([Erreur(None, None, None,
                                    "Le fichier semble binaire (octets nuls) : ce n'est pas un "
                                    "fichier texte CSV. Exportez les données en CSV ou en .xlsx.")])
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    _refuser_encodages_melanges(data)
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "ISO-8859-1"


def _utf16_sans_bom(debut: bytes) -> str | None:
    """UTF-16 text without its BOM has a null byte in every other byte (for Latin text)."""
    paires = debut[: len(debut) // 2 * 2]
    if len(paires) < 4:
        return None
    pairs, impairs = paires[0::2], paires[1::2]
    if impairs.count(0) >= 0.9 * len(impairs) and pairs.count(0) == 0:
        return "utf-16-le"
    if pairs.count(0) >= 0.9 * len(pairs) and impairs.count(0) == 0:
        return "utf-16-be"
    return None


def _refuser_encodages_melanges(data: bytes) -> None:
    """A file that is not UTF-8 but has UTF-8 lines was pasted together from two exports:
    reading it as Windows-1252 would silently turn the UTF-8 accents into « Ã© »."""
    en_utf8, autres = [], []
    for numero, ligne in enumerate(data.split(b"\n"), start=1):
        if ligne.isascii():
            continue
        try:
            ligne.decode("utf-8")
            en_utf8.append(numero)
        except UnicodeDecodeError:
            autres.append(numero)
    if en_utf8 and autres:
        premiere = autres[0]
        brut = data.split(b"\n", premiere)[premiere - 1].decode("cp1252", errors="replace")
        raise FichierRejete([Erreur(
            premiere, None, brut.strip("\r")[:200],
            f"Encodages mélangés : {_lignes(en_utf8)} en UTF-8, {_lignes(autres)} en "
            "Windows-1252 (accents codés autrement). Enregistrez le fichier avec un seul "
            "encodage, UTF-8 de préférence, puis importez-le à nouveau.")])


def _lignes(numeros: list[int]) -> str:
    """« la ligne 3 », « les lignes 2, 5, 7… » (the first five)."""
    if len(numeros) == 1:
        return f"la ligne {numeros[0]}"
    liste = ", ".join(map(str, numeros[:5])) + ("…" if len(numeros) > 5 else "")
    return f"les lignes {liste}"


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
    if "\r" in texte and "\n" not in texte:
        # Old Mac line endings (CR only): read as the lines they are.
        texte = texte.replace("\r", "\n")
        data, chemin = texte.encode("utf-8"), None
    texte_sans_fin = texte.rstrip("\r\n")
    fin_premiere = texte_sans_fin.find("\n")
    premiere = texte_sans_fin[:fin_premiere if fin_premiere >= 0 else None].rstrip("\r")
    if not premiere.strip():
        raise FichierRejete([Erreur(1, None, None,
                                    "La première ligne est vide : elle doit contenir les en-têtes "
                                    "de colonnes.")])
    if premiere.count('"') % 2:
        raise FichierRejete([Erreur(1, None, premiere[:200],
                                    "Guillemet non fermé dans la ligne d'en-têtes : chaque "
                                    "guillemet ouvrant doit avoir son guillemet fermant.")])
    sep = _separateur(premiere)
    try:
        entetes = [h.strip() for h in next(csv.reader([premiere], delimiter=sep))]
    except csv.Error:
        raise FichierRejete([Erreur(1, None, premiere[:200],
                                    "Ligne d'en-têtes illisible : vérifiez les guillemets et "
                                    "les fins de ligne.")]) from None
    _verifier_entetes(entetes, premiere)
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
    _refuser_colonnes_sans_entete(cur, lecture)
    _compter(cur, lecture)
    return lecture


def _verifier_entetes(entetes: list[str], premiere: str) -> None:
    """Refuse a header line that cannot be a table's: one column (unknown separator), or so
    many columns that the separator must be wrong."""
    if len(entetes) > MAX_COLONNES:
        raise FichierRejete([Erreur(1, None, premiere[:200],
                                    f"La ligne d'en-têtes compte {nombre(len(entetes))} colonnes "
                                    f"({nombre(MAX_COLONNES)} au plus) : vérifiez le séparateur.")])
    if len(entetes) == 1:
        autre = max(AUTRES_SEPARATEURS, key=premiere.count)
        indice = (f" ; le fichier semble séparé par « {autre} »" if premiere.count(autre) else "")
        raise FichierRejete([Erreur(1, None, premiere[:200],
                                    "Une seule colonne trouvée dans la ligne d'en-têtes : le "
                                    "séparateur doit être le point-virgule, la virgule ou la "
                                    f"tabulation{indice}. Enregistrez le fichier en CSV avec "
                                    "l'un de ces séparateurs.")])


def _lettre(indice: int) -> str:
    """Spreadsheet column letter of a 0-based column index (0 -> A, 26 -> AA)."""
    lettres = ""
    indice += 1
    while indice:
        indice, reste = divmod(indice - 1, 26)
        lettres = chr(65 + reste) + lettres
    return lettres


def _refuser_colonnes_sans_entete(cur, lecture: Lecture, fusions: str = "") -> None:
    """A column with values but no header would be silently left out: refuse the file."""
    for i, entete in enumerate(lecture.entetes):
        if entete:
            continue
        trouve = cur.execute(f"SELECT _ligne, c{i} FROM {lecture.table} WHERE c{i} IS NOT NULL "
                             f"AND trim(c{i}) <> '' ORDER BY _ligne LIMIT 1").fetchone()
        if trouve is None:
            continue
        ligne, valeur = trouve
        raise FichierRejete([Erreur(ligne, None, valeur[:200],
                                    f"La colonne {_lettre(i)} (n° {i + 1}) n'a pas d'en-tête "
                                    f"mais contient des valeurs (ligne {ligne} : « {valeur[:50]} »)"
                                    f"{fusions} : donnez-lui un en-tête ou supprimez-la.")])


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
                    max_line_size={TAILLE_LIGNE_MAX})""",
            [fichier, lecture.separateur],
        )
    except (duckdb.InvalidInputException, duckdb.ConversionException):
        # Whatever DuckDB cannot parse (DuckDB 2.0: InvalidInputException, "the CSV parser
        # state machine reached an invalid state", e.g. on mixed line endings), Python's reader
        # reads (or rejects in French). Out of memory, I/O and internal errors are not the
        # file's fault: they propagate rather than hide behind a slower reader.
        for reste in (f"{lecture.table}_brut", rejets, scans):
            cur.execute(f"DROP TABLE IF EXISTS {reste}")
        return False
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
    lignes, valeurs = [], [[] for _ in range(n)]
    try:
        next(reader)
        debut = reader.line_num + 1
        _lire_enregistrements(reader, debut, n, lecture, lignes, valeurs)
    except csv.Error as exc:
        message = ("Ligne trop longue pour être lue (plus de 4 Mo) : vérifiez le fichier."
                   if "field limit" in str(exc) else
                   "Ligne illisible (guillemets ou fins de ligne mal placés) : vérifiez le "
                   "fichier autour de cette ligne.")
        raise FichierRejete([Erreur(reader.line_num, None, None, message)]) from None
    _charger(cur, lecture.table, lignes, valeurs)


def _lire_enregistrements(reader, debut: int, n: int, lecture: Lecture, lignes: list[int],
                          valeurs: list[list]) -> None:
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
            erreur = _erreur_structure(ligne, len(champs), n, None, brut)
            if debut - 1 > ligne and any("\n" in c or "\r" in c for c in champs):
                # A quote left open swallowed the next lines: say which.
                erreur = Erreur(ligne, None, erreur.valeur,
                                f"Guillemet non fermé : les lignes {ligne} à {debut - 1} ont "
                                f"été lues comme un seul enregistrement de {len(champs)} "
                                f"champ{'s' if len(champs) > 1 else ''} au lieu de {n}. Fermez "
                                "le guillemet ou retirez-le.")
            lecture.erreurs.append(erreur)
            lecture.lignes_brutes[ligne] = brut
            continue
        lignes.append(ligne)
        for i, v in enumerate(champs):
            valeurs[i].append(v if v != "" else None)


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
    except Exception:  # openpyxl raises many kinds on a broken file
        raise FichierRejete([Erreur(None, None, None,
                                    "Classeur Excel illisible : ouvrez-le dans Excel et "
                                    "enregistrez-le à nouveau en .xlsx.")]) from None
    try:
        if feuille:
            if feuille not in classeur.sheetnames:
                raise FichierRejete([Erreur(None, None, feuille,
                                            f"Feuille « {feuille} » introuvable. Feuilles du "
                                            f"classeur : {', '.join(classeur.sheetnames)}.")])
            ws = classeur[feuille]
        else:
            ws = classeur.worksheets[0]
        nom_feuille = ws.title
        xml = _XmlFeuille(data, getattr(ws, "_worksheet_path", None))
        sans_valeur: list[tuple[str, str]] = []
        entetes: list[str] | None = None
        lignes: list[int] = []
        valeurs: list[list] = []
        vides = 0
        for numero, cellules in _rangees_lisibles(ws, xml, nom_feuille, sans_valeur):
            if entetes is None:
                if any(v is not None for v in cellules):
                    while cellules and cellules[-1] is None:
                        cellules.pop()
                    entetes = [(v or "").strip() for v in cellules]
                    valeurs = [[] for _ in entetes]
                    ligne_entetes = numero
                    fusions = xml.fusions(numero)
                    if fusions:
                        raise FichierRejete([Erreur(numero, None, ", ".join(fusions),
                                                    _message_fusions(numero, fusions))])
                continue
            if all(v is None for v in cellules):
                vides += 1
                continue
            lignes.append(numero)
            for i in range(len(entetes)):
                valeurs[i].append(cellules[i] if i < len(cellules) else None)
            # Values beyond the last header: say so rather than drop them.
            au_dela = [i for i, v in enumerate(cellules[len(entetes):], start=len(entetes))
                       if v is not None]
            if au_dela:
                i = au_dela[0]
                raise FichierRejete([Erreur(numero, None, cellules[i][:200],
                                            f"La colonne {_lettre(i)} n'a pas d'en-tête (ligne "
                                            f"{ligne_entetes}) mais contient des valeurs (cellule "
                                            f"{_lettre(i)}{numero} : « {cellules[i][:50]} ») : "
                                            "donnez-lui un en-tête ou supprimez-la.")])
    finally:
        classeur.close()
    if sans_valeur:
        cellules_txt = ", ".join(f"{ref} ({f[:40]})" for ref, f in sans_valeur[:5])
        plus = f" et {nombre(len(sans_valeur) - 5)} autre(s)" if len(sans_valeur) > 5 else ""
        raise FichierRejete([Erreur(None, None, sans_valeur[0][1][:200],
                                    f"Formules sans valeur calculée : {cellules_txt}{plus}. "
                                    "Ouvrez le classeur dans Excel et enregistrez-le (les "
                                    "valeurs seront calculées), ou remplacez les formules par "
                                    "leurs valeurs.")])
    if entetes is None:
        raise FichierRejete([Erreur(None, None, None,
                                    f"La feuille « {nom_feuille} » est vide : aucune ligne "
                                    "d'en-têtes ni de données.")])
    if not lignes:
        raise FichierRejete([Erreur(None, None, None,
                                    f"La feuille « {nom_feuille} » ne contient que la ligne "
                                    "d'en-têtes : aucune ligne de données.")])
    lecture = Lecture(table=table, entetes=entetes, format="Excel", feuille=nom_feuille)
    lecture.lignes_vides = vides
    _charger(cur, table, lignes, valeurs)
    _refuser_colonnes_sans_entete(cur, lecture)
    _compter(cur, lecture)
    return lecture


def _rangees_lisibles(ws, xml: "_XmlFeuille", nom_feuille: str, sans_valeur: list):
    """The rows of `_rangees`, one at a time (a sheet is never held whole in memory); whatever
    goes wrong while the sheet is walked (the formulas' pass included) becomes a French
    rejection. Errors raised by the caller between two rows are not caught here."""
    try:
        formules = xml.formules(nom_feuille) if xml.a_des_formules() else {}
        yield from _rangees(ws, formules, sans_valeur)
    except FichierRejete:
        raise
    except Exception:  # a sheet openpyxl cannot walk through (a damaged cell, bad XML…)
        raise FichierRejete([Erreur(None, None, None,
                                    f"Feuille « {nom_feuille} » illisible : ouvrez le "
                                    "classeur dans Excel et enregistrez-le à nouveau en "
                                    ".xlsx.")]) from None


def _rangees(ws, formules: dict, sans_valeur: list):
    """(row number, cells as text) of the sheet; formula cells without a computed value are
    collected in `sans_valeur` as (reference, formula)."""
    for numero, rangee in enumerate(ws.iter_rows(min_row=1), start=1):
        cellules = [_cellule(c.value, getattr(c, "number_format", None)) for c in rangee]
        if formules:
            for j, v in enumerate(cellules):
                if v is None and (numero, j) in formules:
                    sans_valeur.append((f"{_lettre(j)}{numero}", formules[(numero, j)]))
        yield numero, cellules


def _message_fusions(numero: int, fusions: list[str]) -> str:
    return (f"La ligne d'en-têtes (ligne {numero}) contient des cellules fusionnées "
            f"({', '.join(fusions[:5])}) : chaque colonne doit avoir son propre en-tête, sur une "
            "seule ligne. Supprimez les lignes de titre au-dessus des en-têtes et annulez la "
            "fusion des cellules.")


_FUSION = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]+)([0-9]+)(?::([A-Z]+)([0-9]+))?"')
_FORMULE = re.compile(rb"<(?:\w+:)?f[\s>/]")


class _XmlFeuille:
    """The raw XML of a worksheet, for what openpyxl's read-only mode does not give: merged
    cells, and whether some cells hold formulas. Streamed (never decompressed whole: a small
    hostile workbook can hold gigabytes of XML)."""

    def __init__(self, data: bytes, chemin: str | None):
        self.data, self.chemin = data, chemin

    def _chercher(self, motif: re.Pattern, premier: bool = False):
        """Matches of `motif` in the sheet's XML, read 1 MiB at a time."""
        import zipfile

        if not self.chemin:
            return
        try:
            with zipfile.ZipFile(io.BytesIO(self.data)) as z, z.open(self.chemin.lstrip("/")) as f:
                reste = b""
                while True:
                    bloc = f.read(1 << 20)
                    if not bloc:
                        return
                    tampon = reste + bloc
                    for m in motif.finditer(tampon):
                        if m.end() > len(reste):      # not already seen in the last block
                            yield m
                            if premier:
                                return
                    reste = tampon[-512:]
        except (KeyError, zipfile.BadZipFile, OSError, EOFError):
            return

    def fusions(self, numero: int) -> list[str]:
        """References of the merged ranges that cross row `numero` (e.g. "A1:H1")."""
        refs = []
        for m in self._chercher(_FUSION):
            col1, l1, col2, l2 = (g.decode() if g else None for g in m.groups())
            if col2 is None or (col1, l1) == (col2, l2):
                continue
            if int(l1) <= numero <= int(l2):
                refs.append(f"{col1}{l1}:{col2}{l2}")
        return refs

    def a_des_formules(self) -> bool:
        return next(self._chercher(_FORMULE, premier=True), None) is not None

    def formules(self, nom_feuille: str) -> dict[tuple[int, int], str]:
        """{(row, 0-based column): formula} of the sheet."""
        import openpyxl

        classeur = openpyxl.load_workbook(io.BytesIO(self.data), read_only=True, data_only=False)
        try:
            trouvees = {}
            for numero, rangee in enumerate(classeur[nom_feuille].iter_rows(min_row=1), start=1):
                for j, c in enumerate(rangee):
                    if getattr(c, "data_type", None) == "f":
                        trouvees[(numero, j)] = str(c.value)
            return trouvees
        finally:
            classeur.close()
