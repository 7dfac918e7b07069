"""The CSV reader: the encoding (`_decoder`) and the separator (`_separateur`) detected, the
header row found below title lines, the file parsed by DuckDB (`_lire_csv_duckdb`) or, when
line numbers could not be trusted from it (quoted line breaks, blank lines), by Python's csv
module (`_lire_csv_python`); lines with a wrong number of fields reported, total lines at the
end left out (`_retirer_totaux_csv`). Entry point: `reading.lire`, which calls `_lire_csv`.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path

import duckdb

from dashboard.nombres import nombre
from data_loaders.errors import Erreur, FichierRejete
from data_loaders.lecture_commune import (
    LIGNES_ENTETE_MAX,
    LIGNES_MAX,
    MAX_COLONNES,
    SEPARATEURS,
    TOTAUX_MAX,
    Lecture,
    _charger,
    _compter,
    _lignes,
    _refuser_colonnes_sans_entete,
    _titres,
    _totaux_en_fin,
    choisir_entetes,
)
from data_loaders.specs import Jeu

TAILLE_LIGNE_MAX = 4 * 1024 * 1024      # a longer line is reported, not read (DuckDB's limit)
# Characters that separate fields in some exports but that this reader does not accept.
AUTRES_SEPARATEURS = ("|", ":", "#", "/", "!", "^", "~")
_BOM_UTF8 = b"\xef\xbb\xbf"
_BOM_UTF16 = (b"\xff\xfe", b"\xfe\xff")

# Python's csv module refuses fields over 128 KiB by default: read them like DuckDB does
# (whole lines up to TAILLE_LIGNE_MAX), never crash on them.
csv.field_size_limit(max(csv.field_size_limit(), TAILLE_LIGNE_MAX))


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
