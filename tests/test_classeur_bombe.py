"""Bounded reading (issue 12): a small file that unfolds into a huge one is refused, in French,
before it is unfolded — never after minutes and gigabytes.

The limits (data_loaders/lecture_*.py): LIGNES_MAX = 2 000 000 data lines (CSV or sheet), a sheet's
XML of at most TAILLE_DECOMPRESSEE_MAX = 1 Go once decompressed, any other part of a workbook
(shared strings…) of at most TAILLE_PARTIE_MAX = 256 Mo.

The bombs are built here, small and fast: a workbook saved by openpyxl gives the ordinary parts,
and the huge part is a deflate stream made of one compressed block repeated (each block ends
with a full flush, so the copies decode one after the other), written into the archive by hand
with its true size and CRC. A 1.5 Go sheet is a 5 MB file built in well under a second.
"""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

from conftest import importer, instantane
from openpyxl import Workbook

from data_loaders import lecture_csv, lecture_excel, reading

NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
RANGEE = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
MIO = 1 << 20


def _segment(octets: bytes, fin: bool = False) -> bytes:
    """Raw deflate of `octets`, ending on a full flush (or the end of the stream)."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(octets) + c.flush(zlib.Z_FINISH if fin else zlib.Z_FULL_FLUSH)


def _partie_geante(tete: bytes, bloc: bytes, fois: int, queue: bytes):
    """(deflate stream, crc32, size) of tete + bloc × fois + queue, built from one compressed
    copy of `bloc`."""
    crc = zlib.crc32(tete)
    for _ in range(fois):
        crc = zlib.crc32(bloc, crc)
    crc = zlib.crc32(queue, crc)
    flux = _segment(tete) + _segment(bloc) * fois + _segment(queue, fin=True)
    return flux, crc, len(tete) + len(bloc) * fois + len(queue)


def _zip(membres: list[tuple[str, bytes, int, int]]) -> bytes:
    """A ZIP archive of already deflated members (name, deflate stream, crc32, size)."""
    sortie, central = io.BytesIO(), io.BytesIO()
    for nom, flux, crc, taille in membres:
        nom_b = nom.encode()
        position = sortie.tell()
        sortie.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc,
                                 len(flux), taille, len(nom_b), 0) + nom_b + flux)
        central.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21,
                                  crc, len(flux), taille, len(nom_b), 0, 0, 0, 0, 0, position)
                      + nom_b)
    debut = sortie.tell()
    sortie.write(central.getvalue())
    sortie.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(membres), len(membres),
                             len(central.getvalue()), debut, 0))
    return sortie.getvalue()


def _classeur_piege(chemin: Path, remplacer: dict[str, tuple[bytes, int, int]]) -> Path:
    """An ordinary workbook (one sheet « MAD »: headers and a row) whose parts named in
    `remplacer` are swapped for the given (deflate stream, crc32, size)."""
    import zipfile

    classeur = Workbook()
    ws = classeur.active
    ws.title = "MAD"
    ws.append(["Code bailleur", "Référence", "Date MAD", "Code INSEE", "Catégorie"])
    ws.append(["OLS1", "R1", "15/03/2025", "13055", "FLUX"])
    tampon = io.BytesIO()
    classeur.save(tampon)
    membres = []
    with zipfile.ZipFile(tampon) as z:
        noms = z.namelist()
        for nom in noms:
            if nom in remplacer:
                membres.append((nom, *remplacer[nom]))
            else:
                octets = z.read(nom)
                membres.append((nom, _segment(octets, fin=True), zlib.crc32(octets), len(octets)))
    for nom, partie in remplacer.items():
        if nom not in noms:
            membres.append((nom, *partie))
    chemin.write_bytes(_zip(membres))
    return chemin


def _feuille(dimension: bytes | None, rangees: int) -> tuple[bytes, int, int]:
    tete = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet ' + NS + b">"
            + (b'<dimension ref="' + dimension + b'"/>' if dimension else b"") + b"<sheetData>")
    bloc = RANGEE * (MIO // len(RANGEE))
    fois, reste = divmod(rangees, MIO // len(RANGEE))
    queue = RANGEE * reste + b"</sheetData></worksheet>"
    return _partie_geante(tete, bloc, fois, queue)


def _refus(base, chemin: Path) -> list[tuple]:
    avant = instantane(base)
    rapport = importer(base, "mises_a_disposition", chemin)
    assert rapport.statut == "rejete"
    assert rapport.import_id is None
    assert instantane(base) == avant
    return [(e.ligne, e.colonne, e.valeur, e.message) for e in rapport.erreurs]


def test_limites_nommees():
    assert reading.LIGNES_MAX == 2_000_000
    assert reading.TAILLE_DECOMPRESSEE_MAX == 1024 ** 3
    assert reading.TAILLE_PARTIE_MAX == 256 * 1024 ** 2
    # the values the readers apply (tests lowering a limit patch the reader's module)
    assert lecture_csv.LIGNES_MAX == lecture_excel.LIGNES_MAX == reading.LIGNES_MAX


def test_feuille_de_1_5_go_refusee_avant_d_etre_decompressee(base, tmp_path):
    # The reported bomb: a 5 MB workbook whose sheet unfolds into 1.5 Go (33 million rows,
    # declared A1:P30000000). Refused from the archive's directory.
    feuille = _feuille(b"A1:P30000000", 1536 * (MIO // len(RANGEE)))
    assert 1535 * MIO < feuille[2] < 1536 * MIO
    chemin = _classeur_piege(tmp_path / "bombe.xlsx", {"xl/worksheets/sheet1.xml": feuille})
    assert chemin.stat().st_size < 8 * MIO
    assert _refus(base, chemin) == [(
        None, None, "1,5 Go",
        "Classeur trop volumineux une fois décompressé : la feuille « MAD » occupe 1,5 Go, "
        "au-delà de la limite de 1 Go. Découpez le fichier (par année par exemple) et "
        "importez chaque partie.")]


def test_dimension_declaree_au_dela_de_la_limite(base, tmp_path):
    # A sheet of 1 000 rows that declares 30 million: refused on its word, before the walk.
    chemin = _classeur_piege(tmp_path / "dimension.xlsx", {
        "xl/worksheets/sheet1.xml": _feuille(b"A1:P30000000", 1000)})
    assert _refus(base, chemin) == [(
        None, None, "A1:P30000000",
        "Feuille « MAD » trop longue : elle déclare 30\u202f000\u202f000 lignes (plage "
        "A1:P30000000), au-delà de la limite de 2\u202f000\u202f000 lignes de données. Découpez "
        "le fichier (par année par exemple) et importez chaque partie.")]


def test_rangees_comptees_sans_dimension(base, tmp_path):
    # No dimension, 2 000 031 rows (96 Mo of XML): counted in the pass over the XML, refused
    # before openpyxl walks a single row.
    chemin = _classeur_piege(tmp_path / "rangees.xlsx", {
        "xl/worksheets/sheet1.xml": _feuille(None, 2_000_031)})
    assert _refus(base, chemin) == [(
        None, None, None,
        "Feuille « MAD » trop longue : elle dépasse la limite de 2\u202f000\u202f000 lignes de "
        "données. Découpez le fichier (par année par exemple) et importez chaque partie.")]


def test_chaines_partagees_geantes(base, tmp_path):
    # openpyxl holds the shared strings whole: a 300 Mo part is refused before it is opened.
    tete = b'<?xml version="1.0"?><sst ' + NS + b">"
    bloc = b"<si><t>x</t></si>" * (MIO // 17)
    partie = _partie_geante(tete, bloc, 300, b"</sst>")
    assert 300 * MIO - 300 * 17 < partie[2] < 300 * MIO + 100
    chemin = _classeur_piege(tmp_path / "chaines.xlsx", {"xl/sharedStrings.xml": partie})
    assert _refus(base, chemin) == [(
        None, None, "300 Mo",
        "Classeur trop volumineux une fois décompressé : la partie xl/sharedStrings.xml occupe "
        "300 Mo, au-delà de la limite de 256 Mo. Découpez le fichier (par année par exemple) et "
        "importez chaque partie.")]


def test_rangees_espacees_comptees_en_lisant(base, tmp_path, monkeypatch):
    # Rows numbered far apart (<row r="40">): few row tags, but every row number in between
    # is a row of the sheet. The walk counts them and stops at the limit (lowered here to 5
    # data lines, so that the test stays small; patched where the Excel reader reads it).
    monkeypatch.setattr(lecture_excel, "LIGNES_MAX", 5)
    tete = (b'<?xml version="1.0"?><worksheet ' + NS + b"><sheetData>"
            b'<row r="1"><c r="A1" t="inlineStr"><is><t>Code bailleur</t></is></c>'
            b'<c r="B1" t="inlineStr"><is><t>Code INSEE</t></is></c></row>'
            b'<row r="2"><c r="A2" t="inlineStr"><is><t>OLS1</t></is></c></row>'
            b'<row r="40"><c r="A40" t="inlineStr"><is><t>OLS1</t></is></c></row>')
    feuille = _partie_geante(tete, b"", 0, b"</sheetData></worksheet>")
    chemin = _classeur_piege(tmp_path / "espacees.xlsx", {"xl/worksheets/sheet1.xml": feuille})
    assert _refus(base, chemin) == [(
        None, None, None,
        "Feuille « MAD » trop longue : elle dépasse la limite de 5 lignes de données. Découpez "
        "le fichier (par année par exemple) et importez chaque partie.")]


def test_rangees_trop_larges_refusees(base, fichiers):
    # 101 rows holding a cell in column 1 500: each would cost 1 500 cells to read.
    lignes = [["Code bailleur", "Référence", "Date MAD", "Code INSEE", "Catégorie"]]
    lignes += [["OLS1", f"R{i}", "15/03/2025", "13055", "FLUX"] for i in range(1, 102)]
    classeur = Workbook()
    ws = classeur.active
    ws.title = "MAD"
    for rangee in lignes:
        ws.append(rangee)
    for numero in range(2, 103):
        ws.cell(row=numero, column=1500).number_format = "0.00"   # styled, empty
    chemin = fichiers.dossier / "larges.xlsx"
    classeur.save(chemin)
    assert _refus(base, chemin) == [(
        102, None, None,
        "Feuille « MAD » trop large : plus de 100 lignes ont des cellules au-delà de la colonne "
        "ALL (1\u202f000 colonnes au plus). Supprimez les colonnes inutiles à droite du "
        "tableau.")]


def test_csv_au_dela_de_la_limite_de_lignes(base, fichiers):
    # 2 000 001 lines under the header (16 Mo, under the 200 Mo of the upload limit).
    chemin = fichiers.octets(b"Code bailleur;Code INSEE\n" + b"OLS1;13055\n" * 2_000_001)
    assert _refus(base, chemin) == [(
        None, None, "2\u202f000\u202f001",
        "Fichier trop long : 2\u202f000\u202f001 lignes sous la ligne d'en-têtes, au-delà de la "
        "limite de 2\u202f000\u202f000 lignes de données. Découpez-le (par année par exemple) "
        "et importez chaque partie.")]


def test_csv_a_la_limite_lu(base, fichiers, monkeypatch):
    # Exactly the limit (lowered to 3 here, where the CSV reader reads it) is read; one line more
    # is not.
    monkeypatch.setattr(lecture_csv, "LIGNES_MAX", 3)
    entete = "bailleur_code;reference;date_mise_a_disposition;code_insee;categorie\n"
    lignes = "".join(f"OLS1;R{i};15/03/2025;13055;Mutation\n" for i in range(1, 4))
    rapport = importer(base, "mises_a_disposition", fichiers.texte(entete + lignes))
    assert (rapport.statut, rapport.lignes_importees) == ("importe", 3), rapport.erreurs
    rapport = importer(base, "mises_a_disposition",
                       fichiers.texte(entete + lignes + "OLS1;R4;15/03/2025;13055;Mutation\n"))
    assert rapport.statut == "rejete"
    assert rapport.erreurs[0].message.startswith("Fichier trop long : 4 lignes sous la ligne "
                                                 "d'en-têtes, au-delà de la limite de 3 lignes")
