"""The Excel reader (.xlsx, .xlsm, through openpyxl in read-only mode): the sheet chosen
(`_choisir_feuille`: the one holding the dataset's columns when the first is a « Notice »), the
header row found below title lines, cells turned into text as shown (`_cellule`), merged header
cells, formulas without a computed value and values beyond the last header refused. Bounded
against zip bombs before anything is decompressed (`_verifier_parties`: each part's declared
size, `TAILLE_DECOMPRESSEE_MAX` for a sheet, `TAILLE_PARTIE_MAX` for the others) and while the
sheet's XML is streamed once (`_survoler`, `_XmlFeuille`: rows counted, merged cells, formulas).
Entry point: `reading.lire`, which calls `_lire_excel`.
"""

from __future__ import annotations

import io
import re
from collections import deque
from dataclasses import dataclass, field
from datetime import date, datetime, time

from dashboard.nombres import nombre
from data_loaders.errors import Erreur, FichierRejete
from data_loaders.headers import reconnaissance
from data_loaders.lecture_commune import (
    LIGNES_ENTETE_MAX,
    LIGNES_MAX,
    MAX_COLONNES,
    TOTAUX_MAX,
    Lecture,
    _charger,
    _compter,
    _lettre,
    _refuser_colonnes_sans_entete,
    _titres,
    _totaux_en_fin,
    choisir_entetes,
)
from data_loaders.specs import Jeu

# A workbook's parts once decompressed: a sheet's XML (streamed), and any other part (the
# shared strings are held whole in memory by openpyxl).
TAILLE_DECOMPRESSEE_MAX = 1024 ** 3
TAILLE_PARTIE_MAX = 256 * 1024 ** 2
LIGNES_LARGES_MAX = 100                 # sheet rows wider than MAX_COLONNES tolerated


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
