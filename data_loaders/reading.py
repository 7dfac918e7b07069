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

Files as software exports them: the header row is looked for in the first `LIGNES_ENTETE_MAX`
lines, below title and blank lines (`choisir_entetes`); line numbers stay the file's own. Total
and count lines at the end of the data (« Total », « Nombre de lignes : 532 », sums under a
couple of columns) are left out and counted (`Lecture.lignes_totaux`). In a workbook whose first
sheet does not hold the dataset's columns (a « Notice »), the sheet that does is read.

Bounded: at most `LIGNES_MAX` data lines; a workbook is checked before it is opened (each
part's decompressed size: `TAILLE_DECOMPRESSEE_MAX` for a sheet, `TAILLE_PARTIE_MAX` for the
others, shared strings included, which openpyxl holds whole) and its sheet before it is walked
(declared dimension, then its rows counted in one streamed pass of the XML).
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
import unicodedata
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import duckdb

from dashboard.nombres import nombre
from data_loaders.errors import Erreur, FichierRejete
from data_loaders.headers import reconnaissance
from data_loaders.specs import Jeu

TAILLE_MAX_OCTETS = 200 * 1024 * 1024   # same as server.maxUploadSize in .streamlit/config.toml
TAILLE_LIGNE_MAX = 4 * 1024 * 1024      # a longer line is reported, not read (DuckDB's limit)
MAX_COLONNES = 1000                     # a wider "table" is a file read with the wrong separator
# About what 200 MB of CSV hold (100 bytes a line): more data lines are refused, CSV or Excel.
LIGNES_MAX = 2_000_000
LIGNES_ENTETE_MAX = 30                  # the header row is looked for in these first lines
# A workbook's parts once decompressed: a sheet's XML (streamed), and any other part (the
# shared strings are held whole in memory by openpyxl).
TAILLE_DECOMPRESSEE_MAX = 1024 ** 3
TAILLE_PARTIE_MAX = 256 * 1024 ** 2
TOTAUX_MAX = 100                        # trailing total lines looked at, at most
LIGNES_LARGES_MAX = 100                 # sheet rows wider than MAX_COLONNES tolerated
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
    lignes_lues: int = 0                     # data lines read (header, blank, total excluded)
    lignes_vides: int = 0                    # lines with no value at all, not imported
    erreurs: list[Erreur] = field(default_factory=list)       # structure errors (field count)
    lignes_brutes: dict[int, str] = field(default_factory=dict)  # raw text of those lines
    ligne_entetes: int = 1                   # line (sheet row) of the header row in the file
    lignes_titre: int = 0                    # lines above it (titles, blank lines), not read
    titres: list[str] = field(default_factory=list)           # text of those title lines
    lignes_totaux: int = 0                   # total/count lines at the end, left out
    numeros_totaux: list[int] = field(default_factory=list)   # their line numbers
    # Sheets passed over (before the one read) because they do not hold the dataset's columns.
    feuilles_ignorees: list[str] = field(default_factory=list)

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
            feuille = f"« {self.feuille} »"
            if self.feuilles_ignorees:
                autres = ", ".join(f"« {f} »" for f in self.feuilles_ignorees)
                feuille += (f" ({autres} ignorée{'s' if len(self.feuilles_ignorees) > 1 else ''}"
                            " : sans les colonnes attendues)")
            details.append(("Feuille", feuille))
        if self.lignes_titre:
            details.append(("Ligne des en-têtes", f"ligne {self.ligne_entetes}"))
            details.append(("Lignes de titre ignorées", nombre(self.lignes_titre)))
        details.append(("Lignes lues", nombre(self.lignes_lues)))
        if self.lignes_vides:
            details.append(("Lignes vides ignorées", nombre(self.lignes_vides)))
        if self.lignes_totaux:
            details.append(("Lignes de total ignorées",
                            f"{nombre(self.lignes_totaux)} ({_numeros(self.numeros_totaux)})"))
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


def _numeros(numeros: list[int]) -> str:
    """« ligne 3 », « lignes 2, 5, 7… » (the first five)."""
    return _lignes(numeros).removeprefix("la ").removeprefix("les ")


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
              chemin: Path | None = None, jeu: Jeu | None = None) -> Lecture:
    texte, encodage = _decoder(data)
    if "\r" in texte and "\n" not in texte:
        # Old Mac line endings (CR only): read as the lines they are.
        texte = texte.replace("\r", "\n")
        data, chemin = texte.encode("utf-8"), None
    # the text's end without its final line breaks (an offset: no copy of a 50 MB text)
    fin = len(texte)
    while fin and texte[fin - 1] in "\r\n":
        fin -= 1
    debuts = _debuts_de_lignes(texte, LIGNES_ENTETE_MAX, fin)
    premieres = [_ligne_a(texte, d, fin) for d in debuts]
    rangees = [_cellules_csv(ligne) for ligne in premieres]
    k = choisir_entetes(rangees, jeu)
    if k is None:
        if len(premieres) < LIGNES_ENTETE_MAX:
            raise FichierRejete([Erreur(1, None, None,
                                        "La première ligne est vide : elle doit contenir les "
                                        "en-têtes de colonnes.")])
        raise FichierRejete([Erreur(None, None, None,
                                    f"Les {LIGNES_ENTETE_MAX} premières lignes sont vides : la "
                                    "ligne d'en-têtes doit se trouver en haut du fichier.")])
    ligne_entetes = k + 1
    premiere = premieres[k]
    if premiere.count('"') % 2:
        raise FichierRejete([Erreur(ligne_entetes, None, premiere[:200],
                                    "Guillemet non fermé dans la ligne d'en-têtes : chaque "
                                    "guillemet ouvrant doit avoir son guillemet fermant.")])
    sep = _separateur(premiere)
    try:
        entetes = [h.strip() for h in next(csv.reader([premiere], delimiter=sep))]
    except csv.Error:
        raise FichierRejete([Erreur(ligne_entetes, None, premiere[:200],
                                    "Ligne d'en-têtes illisible : vérifiez les guillemets et "
                                    "les fins de ligne.")]) from None
    _verifier_entetes(entetes, premiere, ligne_entetes)
    lecture = Lecture(table=table, entetes=entetes, format="CSV", encodage=encodage,
                      separateur=sep, ligne_entetes=ligne_entetes, lignes_titre=k,
                      titres=_titres(rangees[:k]))
    fin_entetes = texte.find("\n", debuts[k], fin)
    if fin_entetes < 0:
        raise FichierRejete([Erreur(None, None, None,
                                    "Le fichier ne contient que la ligne d'en-têtes : aucune ligne "
                                    "de données.")])
    lignes_apres = texte.count("\n", fin_entetes, fin)
    if lignes_apres > LIGNES_MAX:
        raise FichierRejete([Erreur(None, None, nombre(lignes_apres),
                                    f"Fichier trop long : {nombre(lignes_apres)} lignes sous la "
                                    "ligne d'en-têtes, au-delà de la limite de "
                                    f"{nombre(LIGNES_MAX)} lignes de données. Découpez-le (par "
                                    "année par exemple) et importez chaque partie.")])
    lignes_physiques = ligne_entetes + lignes_apres
    # DuckDB's reader first; it skips blank lines and joins quoted line breaks, which its count
    # of records then says (line numbers could not be trusted): Python's reader reads those.
    if not _lire_csv_duckdb(cur, data, texte, encodage, lecture, lignes_physiques, chemin):
        _lire_csv_python(cur, texte[debuts[k]:fin], lecture)
    _retirer_totaux_csv(cur, lecture)
    _refuser_colonnes_sans_entete(cur, lecture)
    _compter(cur, lecture)
    return lecture


def _debuts_de_lignes(texte: str, combien: int, fin: int | None = None) -> list[int]:
    """Offsets of the first `combien` lines of `texte[:fin]` (never splits the whole text)."""
    debuts, position = [0], 0
    while len(debuts) < combien:
        position = texte.find("\n", position, fin)
        if position < 0:
            break
        position += 1
        debuts.append(position)
    return debuts


def _ligne_a(texte: str, debut: int, fin: int | None = None) -> str:
    """The line starting at ``debut`` of ``texte[:fin]``, without its line break."""
    bout = texte.find("\n", debut, fin)
    return texte[debut:bout if bout >= 0 else fin].rstrip("\r")


def _cellules_csv(ligne: str) -> list[str | None]:
    """The cells of one line, split on its own most frequent separator."""
    if not ligne.strip():
        return []
    try:
        cellules = next(csv.reader([ligne], delimiter=_separateur(ligne)), [])
    except csv.Error:
        cellules = [ligne]
    return [c if c.strip() else None for c in cellules]


def _titres(rangees: list[list]) -> list[str]:
    """The text of the title lines above the header (the first three, cut)."""
    titres = []
    for cellules in rangees:
        texte = " ".join(str(c).strip() for c in cellules if c is not None and str(c).strip())
        if texte:
            titres.append(texte[:100])
    return titres[:3]


# --------------------------------------------------------------------- the header row

_DATE = re.compile(r"^\s*\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}([ T]\d{1,2}:\d{2}(:\d{2})?)?\s*$")
_LETTRE = re.compile(r"[^\W\d_]")


def _cellule_d_entete(valeur) -> bool:
    """A header cell holds a word: a letter, and is not a date."""
    texte = str(valeur)
    return bool(_LETTRE.search(texte)) and not _DATE.match(texte)


def choisir_entetes(rangees: list[list], jeu: Jeu | None = None) -> int | None:
    """Index, in the first rows of a file (their cells, None when empty), of the header row;
    None when they are all empty.

    A candidate header row has at least two non-empty cells, each a word (no number, no date:
    data rows always hold some). The first non-empty row stays the header unless
    - the dataset is known and a candidate fits more of its columns (`reconnaissance`: required
      ones first, at least two in all) — the first such candidate;
    - or every non-empty row above the first candidate holds one cell at most (titles).
    Title rows are thus skipped, while a broken header row (one column: wrong separator,
    unclosed quote; merged cells) is still the one the errors speak of."""
    pleines = [[c for c in r if c is not None and str(c).strip()] for r in rangees]
    remplies = [i for i, p in enumerate(pleines) if p]
    if not remplies:
        return None
    premier = remplies[0]
    candidats = [i for i in remplies
                 if len(pleines[i]) >= 2 and all(_cellule_d_entete(c) for c in pleines[i])]
    if jeu is not None and candidats:
        scores = {i: reconnaissance(jeu, rangees[i]) for i in {premier, *candidats}}
        meilleur = max(candidats, key=lambda i: (scores[i], -i))
        if scores[meilleur] > scores[premier] and scores[meilleur][1] >= 2:
            return meilleur
    if candidats and all(len(pleines[i]) <= 1 for i in remplies if i < candidats[0]):
        return candidats[0]
    return premier


# ----------------------------------------------------------------- total lines at the end

_TOTAL = re.compile(r"^(sous[\s_-]*)?(totaux|totale?s?)\b|^(nombre|nb|nbre|count|somme|"
                    r"cumul)\b")
_NOMBRE = re.compile(r"^[+-]?\d[\d\s\u00a0\u202f]*([.,]\d+)?\s*%?$")


def _plier(texte: str) -> str:
    decompose = unicodedata.normalize("NFKD", texte)
    return "".join(c for c in decompose if not unicodedata.combining(c)).lower().strip()


def est_total(cellules: list, nb_colonnes: int) -> bool:
    """A total or count line: its first value starts with « Total », « Sous-total »,
    « Nombre », « Nb », « Count », « Somme » or « Cumul »; or it holds only numbers, under a
    couple of columns (a quarter of the columns at most, two at least), the first (identifying)
    column empty."""
    pleines = [str(c).strip() for c in cellules if c is not None and str(c).strip()]
    if not pleines:
        return False
    if _TOTAL.match(_plier(pleines[0])):
        return True
    premiere = cellules[0] if cellules else None
    return ((premiere is None or not str(premiere).strip())
            and len(pleines) <= max(2, nb_colonnes // 4)
            and all(_NOMBRE.match(c) for c in pleines))


def _totaux_en_fin(derniers: list[tuple[int, list]], nb_colonnes: int) -> list[int]:
    """Line numbers of the total lines that end the data: walking up from the last non-empty
    line, as long as lines are totals. `derniers`: (line, cells) of the last lines."""
    totaux = []
    for ligne, cellules in sorted(derniers, key=lambda x: x[0], reverse=True):
        if not any(c is not None and str(c).strip() for c in cellules):
            continue
        if not est_total(cellules, nb_colonnes):
            break
        totaux.append(ligne)
    return sorted(totaux)


def _retirer_totaux_csv(cur, lecture: Lecture) -> None:
    """Leave out the total lines at the end of a CSV (data rows or lines with a wrong field
    count, as a « Nombre de lignes : 532 » line has)."""
    n = len(lecture.entetes)
    derniers = [(r[0], list(r[1:])) for r in cur.execute(
        # the last line numbers first (one narrow column sorted), then those lines whole
        f"SELECT * FROM {lecture.table} WHERE _ligne >= (SELECT min(_ligne) FROM (SELECT _ligne "
        f"FROM {lecture.table} ORDER BY _ligne DESC LIMIT {TOTAUX_MAX})) "
        "ORDER BY _ligne DESC").fetchall()]
    for ligne in sorted(lecture.lignes_brutes, reverse=True)[:TOTAUX_MAX]:
        brut = lecture.lignes_brutes[ligne]
        try:
            cellules = next(csv.reader([brut], delimiter=lecture.separateur), [])
        except csv.Error:
            cellules = [brut]
        derniers.append((ligne, cellules))
    derniers = sorted(derniers, key=lambda x: x[0], reverse=True)[:TOTAUX_MAX]
    totaux = _totaux_en_fin(derniers, n)
    if not totaux:
        return
    retires = set(totaux)
    lecture.erreurs = [e for e in lecture.erreurs if e.ligne not in retires]
    for ligne in retires:
        lecture.lignes_brutes.pop(ligne, None)
    cur.execute(f"CREATE TEMP VIEW {lecture.table}_net AS SELECT * FROM {lecture.table} "
                f"WHERE _ligne NOT IN ({', '.join(map(str, totaux))})")
    lecture.table = f"{lecture.table}_net"
    lecture.lignes_totaux, lecture.numeros_totaux = len(totaux), totaux


def _verifier_entetes(entetes: list[str], premiere: str, ligne: int = 1) -> None:
    """Refuse a header line that cannot be a table's: one column (unknown separator), or so
    many columns that the separator must be wrong."""
    if len(entetes) > MAX_COLONNES:
        raise FichierRejete([Erreur(ligne, None, premiere[:200],
                                    f"La ligne d'en-têtes compte {nombre(len(entetes))} colonnes "
                                    f"({nombre(MAX_COLONNES)} au plus) : vérifiez le séparateur.")])
    if len(entetes) == 1:
        autre = max(AUTRES_SEPARATEURS, key=premiere.count)
        indice = (f" ; le fichier semble séparé par « {autre} »" if premiere.count(autre) else "")
        raise FichierRejete([Erreur(ligne, None, premiere[:200],
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
                    skip={lecture.lignes_titre},
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
    if lus + len(rejets_lignes) + lecture.ligne_entetes != lignes_physiques:
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
                    FROM range(?, ?) t(l) WHERE l NOT IN (SELECT line FROM {rejets}))
                SELECT lignes.l::INTEGER AS _ligne, {cols}
                FROM {lecture.table}_brut b JOIN lignes ON lignes.k = b.rowid
                ORDER BY _ligne""",
            [lecture.ligne_entetes + 1, lignes_physiques + 1],
        )
        cur.execute(f"DROP TABLE {lecture.table}_brut")
    else:
        # Every physical line below the header is a record: the line is the record's position
        # + the header's line + 1. A view spares a copy of the whole file.
        cur.execute(
            f"""CREATE TEMP VIEW {lecture.table} AS
                SELECT (b.rowid + {lecture.ligne_entetes + 1})::INTEGER AS _ligne, {cols}
                FROM {lecture.table}_brut b"""
        )
    cur.execute(f"DROP TABLE {rejets}")
    cur.execute(f"DROP TABLE {scans}")
    return True


def _lire_csv_python(cur, texte: str, lecture: Lecture) -> None:
    """Exact line numbers for files with quoted line breaks or blank lines. `texte` starts at
    the header line (line `lecture.ligne_entetes` of the file)."""
    n = len(lecture.entetes)
    decalage = lecture.lignes_titre
    reader = csv.reader(io.StringIO(texte, newline=""), delimiter=lecture.separateur)
    lignes, valeurs = [], [[] for _ in range(n)]
    try:
        next(reader)
        debut = reader.line_num + 1 + decalage
        _lire_enregistrements(reader, debut, n, lecture, lignes, valeurs, decalage)
    except csv.Error as exc:
        message = ("Ligne trop longue pour être lue (plus de 4 Mo) : vérifiez le fichier."
                   if "field limit" in str(exc) else
                   "Ligne illisible (guillemets ou fins de ligne mal placés) : vérifiez le "
                   "fichier autour de cette ligne.")
        raise FichierRejete([Erreur(reader.line_num + decalage, None, None, message)]) from None
    _charger(cur, lecture.table, lignes, valeurs)


def _lire_enregistrements(reader, debut: int, n: int, lecture: Lecture, lignes: list[int],
                          valeurs: list[list], decalage: int = 0) -> None:
    for champs in reader:
        ligne = debut
        debut = reader.line_num + 1 + decalage
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
    import pandas as pd  # only this slower reader needs it: an import does not pay at start

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


def _lire_excel(cur, data: bytes, table: str, feuille: str | None,
                jeu: Jeu | None = None) -> Lecture:
    import openpyxl

    survols = _verifier_parties(data)
    try:
        classeur = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a broken file
        raise FichierRejete([Erreur(None, None, None,
                                    "Classeur Excel illisible : ouvrez-le dans Excel et "
                                    "enregistrez-le à nouveau en .xlsx.")]) from None
    try:
        ignorees: list[str] = []
        if feuille:
            if feuille not in classeur.sheetnames:
                raise FichierRejete([Erreur(None, None, feuille,
                                            f"Feuille « {feuille} » introuvable. Feuilles du "
                                            f"classeur : {', '.join(classeur.sheetnames)}.")])
            ws = classeur[feuille]
        else:
            ws, ignorees = _choisir_feuille(classeur, jeu)
        nom_feuille = ws.title
        _verifier_dimension(ws, nom_feuille)
        # Rows as wide as their own cells, not as the declared dimension (which may be wrong,
        # or hostile: A1:XFD1048576), and no padding rows after the last one.
        ws.reset_dimensions()
        chemin_xml = getattr(ws, "_worksheet_path", None)
        xml = _XmlFeuille(data, chemin_xml)
        xml.survoler(nom_feuille, survols.get((chemin_xml or "").lstrip("/")))
        sans_valeur: list[tuple[str, str]] = []
        rangees = _rangees_lisibles(ws, xml, nom_feuille, sans_valeur)
        tete: list[tuple[int, list]] = []
        for numero, cellules in rangees:
            if not tete and all(v is None for v in cellules):
                continue        # empty rows above the first value: above the header
            tete.append((numero, cellules))
            if len(tete) >= LIGNES_ENTETE_MAX:
                break
        k = choisir_entetes([c for _, c in tete], jeu)
        if k is None:
            entetes = None
        else:
            ligne_entetes, cellules = tete[k]
            cellules = list(cellules)
            while cellules and cellules[-1] is None:
                cellules.pop()
            entetes = [(v or "").strip() for v in cellules]
            if len(entetes) > MAX_COLONNES:
                raise FichierRejete([Erreur(ligne_entetes, None, None,
                                            f"La ligne d'en-têtes compte plus de "
                                            f"{nombre(MAX_COLONNES)} colonnes : supprimez les "
                                            "colonnes inutiles.")])
            fusions = xml.fusions(ligne_entetes)
            if fusions:
                raise FichierRejete([Erreur(ligne_entetes, None, ", ".join(fusions),
                                            _message_fusions(ligne_entetes, fusions))])
            lecture = Lecture(table=table, entetes=entetes, format="Excel", feuille=nom_feuille,
                              ligne_entetes=ligne_entetes, lignes_titre=ligne_entetes - 1,
                              titres=_titres([c for _, c in tete[:k]]),
                              feuilles_ignorees=ignorees)
            lignes, valeurs, au_dela, derniers = _donnees_excel(
                lecture, nom_feuille, [*tete[k + 1:]], rangees)
    finally:
        classeur.close()
    if sans_valeur:
        cellules_txt = ", ".join(f"{ref} ({f[:40]})" for ref, f in sans_valeur[:5])
        plus = f" et {nombre(len(sans_valeur) - 5)} autre(s)" if len(sans_valeur) > 5 else ""
        if entetes is None or not au_dela:
            raise FichierRejete([Erreur(None, None, sans_valeur[0][1][:200],
                                        f"Formules sans valeur calculée : {cellules_txt}{plus}. "
                                        "Ouvrez le classeur dans Excel et enregistrez-le (les "
                                        "valeurs seront calculées), ou remplacez les formules "
                                        "par leurs valeurs.")])
    if entetes is None:
        raise FichierRejete([Erreur(None, None, None,
                                    f"La feuille « {nom_feuille} » est vide : aucune ligne "
                                    "d'en-têtes ni de données.")])
    # Total lines at the end are left out: a sum in a column without header is no error.
    totaux = _totaux_en_fin(derniers, len(entetes))
    if totaux:
        del lignes[len(lignes) - len(totaux):]
        for colonne in valeurs:
            del colonne[len(colonne) - len(totaux):]
        lecture.lignes_totaux, lecture.numeros_totaux = len(totaux), totaux
    if au_dela and au_dela[0] not in totaux:
        numero, i, valeur = au_dela
        raise FichierRejete([Erreur(numero, None, valeur[:200],
                                    f"La colonne {_lettre(i)} n'a pas d'en-tête (ligne "
                                    f"{lecture.ligne_entetes}) mais contient des valeurs (cellule "
                                    f"{_lettre(i)}{numero} : « {valeur[:50]} ») : "
                                    "donnez-lui un en-tête ou supprimez-la.")])
    if sans_valeur:
        raise FichierRejete([Erreur(None, None, sans_valeur[0][1][:200],
                                    f"Formules sans valeur calculée : {cellules_txt}{plus}. "
                                    "Ouvrez le classeur dans Excel et enregistrez-le (les "
                                    "valeurs seront calculées), ou remplacez les formules par "
                                    "leurs valeurs.")])
    if not lignes and not totaux:
        raise FichierRejete([Erreur(None, None, None,
                                    f"La feuille « {nom_feuille} » ne contient que la ligne "
                                    "d'en-têtes : aucune ligne de données.")])
    _charger(cur, table, lignes, valeurs)
    _refuser_colonnes_sans_entete(cur, lecture)
    _compter(cur, lecture)
    return lecture


def _donnees_excel(lecture: Lecture, nom_feuille: str, tampon: list, rangees):
    """The data rows below the header: (row numbers, values per column, first value beyond
    the last header as (row, column, value) or None, the last non-empty rows for totals)."""
    n = len(lecture.entetes)
    limite = lecture.ligne_entetes + LIGNES_MAX
    lignes: list[int] = []
    valeurs: list[list] = [[] for _ in range(n)]
    au_dela = None
    derniers: deque = deque(maxlen=TOTAUX_MAX)
    vides = 0
    for numero, cellules in _enchainer(tampon, rangees):
        if numero > limite:
            raise FichierRejete([_trop_de_lignes(nom_feuille)])
        if all(v is None for v in cellules):
            vides += 1
            continue
        lignes.append(numero)
        for i in range(n):
            valeurs[i].append(cellules[i] if i < len(cellules) else None)
        derniers.append((numero, cellules))
        if au_dela is None:
            # A value beyond the last header: said rather than dropped (unless it is a total).
            i = next((j for j in range(n, len(cellules)) if cellules[j] is not None), None)
            if i is not None:
                au_dela = (numero, i, cellules[i])
    lecture.lignes_vides = vides
    return lignes, valeurs, au_dela, list(derniers)


def _enchainer(tampon: list, rangees):
    yield from tampon
    yield from rangees


def _trop_de_lignes(nom_feuille: str, declarees: int | None = None,
                    plage: str | None = None) -> Erreur:
    if declarees is not None:
        quoi = (f"elle déclare {nombre(declarees)} lignes (plage {plage}), au-delà de la limite "
                f"de {nombre(LIGNES_MAX)} lignes de données")
    else:
        quoi = f"elle dépasse la limite de {nombre(LIGNES_MAX)} lignes de données"
    return Erreur(None, None, plage,
                  f"Feuille « {nom_feuille} » trop longue : {quoi}. Découpez le fichier (par "
                  "année par exemple) et importez chaque partie.")


def _choisir_feuille(classeur, jeu: Jeu | None):
    """The sheet to read when none is named: the first, unless the dataset is known and the
    first sheet does not hold all its required columns while another sheet's header row fits
    more of them (a « Notice » or « Lisez-moi » sheet before the data). Returns (sheet, names
    of the sheets passed over before it)."""
    feuilles = classeur.worksheets
    premiere = feuilles[0]
    if jeu is None or len(feuilles) == 1:
        return premiere, []
    obligatoires = sum(1 for c in jeu.colonnes if c.obligatoire)
    scores = []
    for ws in feuilles:
        scores.append(_score_feuille(ws, jeu))
        if len(scores) == 1 and scores[0][0] == obligatoires:
            return premiere, []
    meilleure = max(range(len(feuilles)), key=lambda i: (scores[i], -i))
    if scores[meilleure] > scores[0]:
        return feuilles[meilleure], [ws.title for ws in feuilles[:meilleure]]
    return premiere, []


def _score_feuille(ws, jeu: Jeu) -> tuple[int, int]:
    """How well the header row of a sheet (among its first rows) fits the dataset."""
    try:
        rangees = [[_cellule(c.value, None) for c in rangee[:MAX_COLONNES + 1]]
                   for rangee in ws.iter_rows(min_row=1, max_row=LIGNES_ENTETE_MAX)]
    except Exception:  # a sheet openpyxl cannot read is no better choice than the first
        return (0, 0)
    k = choisir_entetes(rangees, jeu)
    return reconnaissance(jeu, rangees[k]) if k is not None else (0, 0)


def _verifier_dimension(ws, nom_feuille: str) -> None:
    """Refuse a sheet whose declared range (``<dimension ref="A1:P30000000"/>``) holds more
    rows than the limit, before walking it."""
    derniere = getattr(ws, "max_row", None)
    if derniere and derniere > LIGNES_MAX + LIGNES_ENTETE_MAX:
        plage = f"A1:{_lettre((ws.max_column or 1) - 1)}{derniere}"
        raise FichierRejete([_trop_de_lignes(nom_feuille, derniere, plage)])


def _verifier_parties(data: bytes) -> dict[str, _Survol]:
    """Refuse a workbook whose parts, once decompressed, exceed the limits — read from the
    archive's directory, before anything is decompressed (a 4 MB workbook can hold a sheet of
    1.5 GB; Python's zipfile never yields more than a part's declared size). A sheet without
    a declared dimension is read whole by openpyxl as soon as the workbook is opened: such
    sheets are surveyed first (rows counted, refused beyond the limit); returns their survey
    {part path: _Survol}."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
            noms = _noms_des_feuilles(z)
            for info in infos:
                feuille = info.filename.startswith("xl/worksheets/")
                limite = TAILLE_DECOMPRESSEE_MAX if feuille else TAILLE_PARTIE_MAX
                if info.file_size <= limite:
                    continue
                if feuille:
                    nom = noms.get(info.filename)
                    quoi = f"la feuille « {nom} »" if nom else f"la feuille {info.filename}"
                else:
                    quoi = f"la partie {info.filename}"
                raise FichierRejete([Erreur(None, None, _octets_lisibles(info.file_size),
                                            f"Classeur trop volumineux une fois décompressé : "
                                            f"{quoi} occupe {_octets_lisibles(info.file_size)}, "
                                            "au-delà de la limite de "
                                            f"{_octets_lisibles(limite)}. Découpez le fichier "
                                            "(par année par exemple) et importez chaque "
                                            "partie.")])
            survols = {}
            for info in infos:
                nom_partie = info.filename
                if (nom_partie.startswith("xl/worksheets/") and nom_partie.endswith(".xml")
                        and not _a_une_dimension(z, nom_partie)):
                    survols[nom_partie] = _survoler(z, nom_partie,
                                                    noms.get(nom_partie, nom_partie))
            return survols
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, KeyError):
        return {}   # openpyxl will say the workbook is unreadable


_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b")
_DONNEES = re.compile(rb"<(?:\w+:)?sheetData\b")


def _a_une_dimension(z, chemin: str) -> bool:
    """Whether the sheet declares its dimension before its data (in its first 64 KiB)."""
    with z.open(chemin) as f:
        debut = f.read(64 * 1024)
    dimension, donnees = _DIMENSION.search(debut), _DONNEES.search(debut)
    return dimension is not None and (donnees is None or dimension.start() < donnees.start())


def _noms_des_feuilles(z) -> dict[str, str]:
    """{part path: sheet name}, read from the workbook and its relationships (small parts,
    within TAILLE_PARTIE_MAX: checked by the caller's loop for every other part)."""
    from xml.sax.saxutils import unescape

    try:
        infos = {i.filename: i for i in z.infolist()}
        parties = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")
        if any(p not in infos or infos[p].file_size > TAILLE_PARTIE_MAX for p in parties):
            return {}
        classeur = z.read(parties[0]).decode("utf-8", "replace")
        liens = z.read(parties[1]).decode("utf-8", "replace")
    except Exception:
        return {}
    cibles = {}
    for m in re.finditer(r"<(?:\w+:)?Relationship\b[^>]*>", liens):
        balise = m.group(0)
        ident = re.search(r'\bId="([^"]*)"', balise)
        cible = re.search(r'\bTarget="([^"]*)"', balise)
        if ident and cible:
            chemin = cible.group(1).lstrip("/")
            cibles[ident.group(1)] = chemin if chemin.startswith("xl/") else f"xl/{chemin}"
    noms = {}
    for m in re.finditer(r"<(?:\w+:)?sheet\b[^>]*>", classeur):
        balise = m.group(0)
        nom = re.search(r'\bname="([^"]*)"', balise)
        ident = re.search(r'\b\w*:?id="([^"]*)"', balise)
        if nom and ident and ident.group(1) in cibles:
            noms[cibles[ident.group(1)]] = unescape(nom.group(1), {"&quot;": '"', "&apos;": "'"})
    return noms


def _octets_lisibles(taille: int) -> str:
    """1 610 612 736 -> « 1,5 Go »; 268 435 456 -> « 256 Mo »."""
    if taille >= 1024 ** 3:
        return f"{taille / 1024 ** 3:.1f} Go".replace(".0 ", " ").replace(".", ",")
    return f"{taille / 1024 ** 2:.0f} Mo"


def _rangees_lisibles(ws, xml: "_XmlFeuille", nom_feuille: str, sans_valeur: list):
    """The rows of `_rangees`, one at a time (a sheet is never held whole in memory); whatever
    goes wrong while the sheet is walked (the formulas' pass included) becomes a French
    rejection. Errors raised by the caller between two rows are not caught here."""
    try:
        formules = xml.formules(nom_feuille) if xml.a_des_formules() else {}
        yield from _rangees(ws, formules, sans_valeur, nom_feuille)
    except FichierRejete:
        raise
    except Exception:  # a sheet openpyxl cannot walk through (a damaged cell, bad XML…)
        raise FichierRejete([Erreur(None, None, None,
                                    f"Feuille « {nom_feuille} » illisible : ouvrez le "
                                    "classeur dans Excel et enregistrez-le à nouveau en "
                                    ".xlsx.")]) from None


def _rangees(ws, formules: dict, sans_valeur: list, nom_feuille: str = ""):
    """(row number, cells as text) of the sheet; formula cells without a computed value are
    collected in `sans_valeur` as (reference, formula). A row is as wide as its last cell: more
    than LIGNES_LARGES_MAX rows wider than MAX_COLONNES + 1 cells make a hostile or broken
    sheet (each costs thousands of empty cells), refused."""
    larges = 0
    for numero, rangee in enumerate(ws.iter_rows(min_row=1), start=1):
        if len(rangee) > MAX_COLONNES + 1:
            larges += 1
            if larges > LIGNES_LARGES_MAX:
                raise FichierRejete([Erreur(numero, None, None,
                                            f"Feuille « {nom_feuille} » trop large : plus de "
                                            f"{nombre(LIGNES_LARGES_MAX)} lignes ont des cellules "
                                            f"au-delà de la colonne {_lettre(MAX_COLONNES - 1)} "
                                            f"({nombre(MAX_COLONNES)} colonnes au plus). "
                                            "Supprimez les colonnes inutiles à droite du "
                                            "tableau.")])
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


@dataclass
class _Survol:
    """What one pass over a sheet's XML found."""

    formules: bool = False
    fusions: list[tuple[str, int, str, int]] = field(default_factory=list)   # (A, 1, H, 1)
    rangees: int = 0


def _survoler(z, chemin: str, nom_feuille: str) -> _Survol:
    """One pass over a sheet's XML, 1 MiB at a time: merged ranges, formulas, and the rows
    counted — refused as soon as they are more than the limit allows."""
    limite = LIGNES_MAX + LIGNES_ENTETE_MAX
    survol = _Survol()
    with z.open(chemin) as f:
        reste = b""
        while True:
            bloc = f.read(1 << 20)
            if not bloc:
                return survol
            # Row tags (<row …> or <x:row …>); the few bytes kept from the last block are too
            # short to hold a whole tag, so none is counted twice.
            queue = reste[-4:]
            survol.rangees += ((queue[-3:] + bloc).count(b"<row")
                               + (queue + bloc).count(b":row ") + (queue + bloc).count(b":row>"))
            if survol.rangees > limite:
                raise FichierRejete([_trop_de_lignes(nom_feuille)])
            tampon = reste + bloc
            if not survol.formules and (b"<f" in tampon or b":f" in tampon):
                survol.formules = _FORMULE.search(tampon) is not None
            if b"mergeCell" in tampon:
                for m in _FUSION.finditer(tampon):
                    if m.end() > len(reste):      # not already seen in the last block
                        col1, l1, col2, l2 = (g.decode() if g else None for g in m.groups())
                        if col2 is not None and (col1, l1) != (col2, l2):
                            survol.fusions.append((col1, int(l1), col2, int(l2)))
            reste = tampon[-512:]


class _XmlFeuille:
    """The raw XML of a worksheet, for what openpyxl's read-only mode does not give: merged
    cells, whether some cells hold formulas, how many rows it has. Read in one streamed pass
    (`_survoler`), never decompressed whole: a small hostile workbook can hold gigabytes of XML."""

    def __init__(self, data: bytes, chemin: str | None):
        self.data, self.chemin = data, chemin
        self._survol = _Survol()

    def survoler(self, nom_feuille: str, deja: _Survol | None = None) -> None:
        """Survey the sheet (or take the survey already made: `deja`)."""
        import zipfile

        if deja is not None:
            self._survol = deja
            return
        if not self.chemin:
            return
        try:
            with zipfile.ZipFile(io.BytesIO(self.data)) as z:
                self._survol = _survoler(z, self.chemin.lstrip("/"), nom_feuille)
        except (KeyError, zipfile.BadZipFile, OSError, EOFError):
            return

    def fusions(self, numero: int) -> list[str]:
        """References of the merged ranges that cross row `numero` (e.g. "A1:H1")."""
        return [f"{c1}{l1}:{c2}{l2}" for c1, l1, c2, l2 in self._survol.fusions
                if l1 <= numero <= l2]

    def a_des_formules(self) -> bool:
        return self._survol.formules

    def formules(self, nom_feuille: str) -> dict[tuple[int, int], str]:
        """{(row, 0-based column): formula} of the sheet."""
        import openpyxl

        classeur = openpyxl.load_workbook(io.BytesIO(self.data), read_only=True, data_only=False)
        try:
            ws = classeur[nom_feuille]
            ws.reset_dimensions()
            trouvees = {}
            for numero, rangee in enumerate(ws.iter_rows(min_row=1), start=1):
                for j, c in enumerate(rangee):
                    if getattr(c, "data_type", None) == "f":
                        trouvees[(numero, j)] = str(c.value)
            return trouvees
        finally:
            classeur.close()
