"""A small .xlsx writer for the exports: the part of openpyxl's workbook API that
``tableaux.ecrire_tableau`` and ``couverture.ecrire_couverture`` use, written straight to XML.

Why: openpyxl (without lxml, which the product does not ship) serialises each cell through a
generic XML tree writer: ≈ 45 µs a cell, 4 of the 5 seconds of the zip of all the yearly bilans
(≈ 100 000 cells). Here a cell is one formatted string.

What it supports — and all the exports use: ``Classeur.create_sheet(titre)``,
``Feuille.cell(row=, column=, value=)`` returning a cell whose ``value``, ``font`` (openpyxl's
``Font``: bold, size), ``number_format`` and ``alignment`` (openpyxl's ``Alignment``: horizontal,
vertical, wrap_text) can be set, ``Feuille.column_dimensions[lettre].width``,
``Feuille.freeze_panes`` (``"A2"``), ``Feuille.auto_filter.ref`` (``"A1:F9"``), and
``octets()`` for the file. Values: None (no cell), bool, int, float, str (inline strings; XML
control characters dropped), date and datetime (Excel serial numbers with a date format). The
file is the same as openpyxl's for these features (tests read it back with openpyxl).
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from datetime import date, datetime, timezone
from xml.sax.saxutils import escape

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_EN_TETE = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
# Excel's built-in number formats (id) that the exports use; others get ids from 164.
_FORMATS_INTEGRES = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9,
                     "0.00%": 10}
_FORMAT_DATE_DEFAUT = "yyyy-mm-dd"
_FORMAT_HORODATAGE_DEFAUT = "yyyy-mm-dd h:mm:ss"
_ORIGINE = datetime(1899, 12, 30)
# Characters XML 1.0 forbids (openpyxl refuses them; here they are dropped).
_INTERDITS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _attribut(texte: str) -> str:
    """Text for an XML attribute value."""
    return escape(_INTERDITS.sub("", texte), {'"': "&quot;"})


def lettre_colonne(numero: int) -> str:
    """1 -> A, 27 -> AA."""
    lettres = ""
    while numero:
        numero, reste = divmod(numero - 1, 26)
        lettres = chr(65 + reste) + lettres
    return lettres


def _decouper(reference: str) -> tuple[int, int]:
    """``"B3"`` -> (column 2, row 3)."""
    m = re.fullmatch(r"([A-Z]+)([0-9]+)", reference.upper())
    if not m:
        raise ValueError(f"référence de cellule invalide : {reference!r}")
    colonne = 0
    for c in m.group(1):
        colonne = colonne * 26 + ord(c) - 64
    return colonne, int(m.group(2))


class Cellule:
    __slots__ = ("value", "font", "number_format", "alignment")

    def __init__(self, value=None):
        self.value = value
        self.font = None
        self.number_format = None
        self.alignment = None


class _Dimension:
    __slots__ = ("width",)

    def __init__(self):
        self.width = None


class _Dimensions(dict):
    def __missing__(self, lettre):
        dimension = self[lettre] = _Dimension()
        return dimension


class _Filtre:
    __slots__ = ("ref",)

    def __init__(self):
        self.ref = None


class Feuille:
    """A sheet: cells by (row, column), column widths, frozen panes, a filter."""

    def __init__(self, title: str):
        self.title = title
        self._cellules: dict[tuple[int, int], Cellule] = {}
        self.column_dimensions = _Dimensions()
        self.freeze_panes: str | None = None
        self.auto_filter = _Filtre()

    def cell(self, row: int, column: int, value=None) -> Cellule:
        cle = (row, column)
        cellule = self._cellules.get(cle)
        if cellule is None:
            cellule = self._cellules[cle] = Cellule()
        if value is not None:
            cellule.value = value
        return cellule


class _Styles:
    """The styles.xml of a workbook: each (font, number format, alignment) used gets an xf."""

    def __init__(self):
        self.polices: dict[tuple, int] = {(False, 11.0): 0}
        self.formats: dict[str, int] = {}
        self.xfs: dict[tuple, int] = {(0, 0, None): 0}

    def indice(self, cellule: Cellule) -> int:
        police = 0
        if cellule.font is not None:
            cle_police = (bool(getattr(cellule.font, "b", False)),
                          float(getattr(cellule.font, "sz", None) or 11))
            police = self.polices.setdefault(cle_police, len(self.polices))
        format_nombre = cellule.number_format
        valeur = cellule.value
        if not format_nombre or format_nombre == "General":
            if isinstance(valeur, datetime):
                format_nombre = _FORMAT_HORODATAGE_DEFAUT
            elif isinstance(valeur, date):
                format_nombre = _FORMAT_DATE_DEFAUT
        id_format = 0
        if format_nombre and format_nombre != "General":
            id_format = _FORMATS_INTEGRES.get(format_nombre)
            if id_format is None:
                id_format = self.formats.setdefault(format_nombre, 164 + len(self.formats))
        alignement = None
        if cellule.alignment is not None:
            a = cellule.alignment
            alignement = (getattr(a, "horizontal", None), getattr(a, "vertical", None),
                          bool(getattr(a, "wrap_text", None) or getattr(a, "wrapText", None)))
            if alignement == (None, None, False):
                alignement = None
        return self.xfs.setdefault((police, id_format, alignement), len(self.xfs))

    def xml(self) -> str:
        parties = [_EN_TETE, f'<styleSheet xmlns="{_NS}">']
        if self.formats:
            parties.append(f'<numFmts count="{len(self.formats)}">')
            parties += [f'<numFmt numFmtId="{i}" formatCode="{_attribut(code)}"/>'
                        for code, i in self.formats.items()]
            parties.append("</numFmts>")
        parties.append(f'<fonts count="{len(self.polices)}">')
        for (gras, taille), _ in sorted(self.polices.items(), key=lambda x: x[1]):
            parties.append(f'<font>{"<b/>" if gras else ""}<sz val="{taille:g}"/>'
                           '<name val="Calibri"/><family val="2"/></font>')
        parties.append("</fonts>")
        parties.append('<fills count="2"><fill><patternFill patternType="none"/></fill>'
                       '<fill><patternFill patternType="gray125"/></fill></fills>'
                       '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/>'
                       '</border></borders>'
                       '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
                       'borderId="0"/></cellStyleXfs>')
        parties.append(f'<cellXfs count="{len(self.xfs)}">')
        for (police, id_format, alignement), _ in sorted(self.xfs.items(), key=lambda x: x[1]):
            attributs = (f'numFmtId="{id_format}" fontId="{police}" fillId="0" borderId="0" '
                         'xfId="0"')
            if id_format:
                attributs += ' applyNumberFormat="1"'
            if police:
                attributs += ' applyFont="1"'
            if alignement is None:
                parties.append(f"<xf {attributs}/>")
                continue
            horizontal, vertical, retour = alignement
            a = "".join([f' horizontal="{horizontal}"' if horizontal else "",
                         f' vertical="{vertical}"' if vertical else "",
                         ' wrapText="1"' if retour else ""])
            parties.append(f'<xf {attributs} applyAlignment="1"><alignment{a}/></xf>')
        parties.append("</cellXfs>"
                       '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
                       "</cellStyles></styleSheet>")
        return "".join(parties)


def _texte(valeur: str) -> str:
    texte = escape(_INTERDITS.sub("", valeur))
    if texte != texte.strip() or "\n" in texte:
        return f'<is><t xml:space="preserve">{texte}</t></is>'
    return f"<is><t>{texte}</t></is>"


def _cellule_xml(reference: str, cellule: Cellule, style: int) -> str | None:
    valeur = cellule.value
    s = f' s="{style}"' if style else ""
    if valeur is None:
        return f'<c r="{reference}"{s}/>' if style else None
    if isinstance(valeur, bool):
        return f'<c r="{reference}"{s} t="b"><v>{int(valeur)}</v></c>'
    if isinstance(valeur, (int, float)):
        if isinstance(valeur, float) and not math.isfinite(valeur):
            return f'<c r="{reference}"{s}/>' if style else None
        return f'<c r="{reference}"{s}><v>{valeur!r}</v></c>'
    if isinstance(valeur, datetime):
        delta = valeur.replace(tzinfo=None) - _ORIGINE
        serie = delta.days + delta.seconds / 86400 + delta.microseconds / 86_400_000_000
        return f'<c r="{reference}"{s}><v>{serie!r}</v></c>'
    if isinstance(valeur, date):
        return f'<c r="{reference}"{s}><v>{(valeur - _ORIGINE.date()).days}</v></c>'
    return f'<c r="{reference}"{s} t="inlineStr">{_texte(str(valeur))}</c>'


def _feuille_xml(feuille: Feuille, styles: _Styles, premiere: bool) -> str:
    lignes: dict[int, list[tuple[int, Cellule]]] = {}
    for (r, c), cellule in feuille._cellules.items():
        lignes.setdefault(r, []).append((c, cellule))
    max_c = max((c for (_, c) in feuille._cellules), default=1)
    max_r = max(lignes, default=1)
    parties = [_EN_TETE, f'<worksheet xmlns="{_NS}" xmlns:r="{_NS_R}">',
               f'<dimension ref="A1:{lettre_colonne(max_c)}{max_r}"/>']
    selection = ' tabSelected="1"' if premiere else ""
    vue = f'<sheetView workbookViewId="0"{selection}'
    if feuille.freeze_panes and feuille.freeze_panes.upper() != "A1":
        colonne, ligne = _decouper(feuille.freeze_panes)
        x, y = colonne - 1, ligne - 1
        panneau = ("bottomRight" if x and y else "bottomLeft" if y else "topRight")
        decoupe = (f'xSplit="{x}" ' if x else "") + (f'ySplit="{y}" ' if y else "")
        attributs = (f'{decoupe}topLeftCell="{feuille.freeze_panes.upper()}" '
                     f'activePane="{panneau}" state="frozen"')
        parties.append(f'<sheetViews>{vue}><pane {attributs}/>'
                       f'<selection pane="{panneau}" activeCell="{feuille.freeze_panes.upper()}" '
                       f'sqref="{feuille.freeze_panes.upper()}"/></sheetView></sheetViews>')
    else:
        parties.append(f"<sheetViews>{vue}/></sheetViews>")
    parties.append('<sheetFormatPr defaultRowHeight="15"/>')
    largeurs = sorted((_decouper(f"{lettre}1")[0], d.width)
                      for lettre, d in feuille.column_dimensions.items() if d.width)
    if largeurs:
        parties.append("<cols>" + "".join(
            f'<col min="{n}" max="{n}" width="{float(w):g}" customWidth="1"/>'
            for n, w in largeurs) + "</cols>")
    parties.append("<sheetData>")
    lettres: dict[int, str] = {}
    for r in sorted(lignes):
        cellules = []
        for c, cellule in sorted(lignes[r], key=lambda x: x[0]):
            lettre = lettres.get(c) or lettres.setdefault(c, lettre_colonne(c))
            xml = _cellule_xml(f"{lettre}{r}", cellule, styles.indice(cellule))
            if xml:
                cellules.append(xml)
        if cellules:
            parties.append(f'<row r="{r}">' + "".join(cellules) + "</row>")
    parties.append("</sheetData>")
    if feuille.auto_filter.ref:
        parties.append(f'<autoFilter ref="{feuille.auto_filter.ref}"/>')
    parties.append('<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" '
                   'footer="0.5"/></worksheet>')
    return "".join(parties)


def _absolu(ref: str) -> str:
    return ":".join("$" + re.sub(r"([A-Z]+)([0-9]+)", r"\1$\2", p) for p in ref.split(":"))


class Classeur:
    """A workbook (see the module's docstring for what it supports)."""

    def __init__(self, auteur: str = "Gestion en flux"):
        self._feuilles: list[Feuille] = []
        self.auteur = auteur

    @property
    def sheetnames(self) -> list[str]:
        return [f.title for f in self._feuilles]

    def create_sheet(self, title: str) -> Feuille:
        if title in self.sheetnames:
            raise ValueError(f"feuille en double : {title!r}")
        feuille = Feuille(title)
        self._feuilles.append(feuille)
        return feuille

    def __getitem__(self, titre: str) -> Feuille:
        for feuille in self._feuilles:
            if feuille.title == titre:
                return feuille
        raise KeyError(titre)

    def octets(self) -> bytes:
        """The .xlsx file."""
        styles = _Styles()
        feuilles = [_feuille_xml(f, styles, i == 0) for i, f in enumerate(self._feuilles)]
        n = len(feuilles)
        maintenant = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        types = ("".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, n + 1)))
        noms_filtres = "".join(
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
            f"'{escape(f.title.replace(chr(39), chr(39) * 2))}'!{_absolu(f.auto_filter.ref)}"
            "</definedName>"
            for i, f in enumerate(self._feuilles) if f.auto_filter.ref)
        auteur = escape(self.auteur)
        tampon = io.BytesIO()
        with zipfile.ZipFile(tampon, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("[Content_Types].xml", _EN_TETE + (
                '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                '<Default Extension="rels" ContentType="application/'
                'vnd.openxmlformats-package.relationships+xml"/>'
                '<Default Extension="xml" ContentType="application/xml"/>'
                '<Override PartName="/xl/workbook.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                f"{types}"
                '<Override PartName="/xl/styles.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
                '<Override PartName="/docProps/core.xml" ContentType="application/'
                'vnd.openxmlformats-package.core-properties+xml"/>'
                '<Override PartName="/docProps/app.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>'))
            zf.writestr("_rels/.rels", _EN_TETE + (
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
                '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
                'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
                '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/'
                'officeDocument/2006/relationships/extended-properties" '
                'Target="docProps/app.xml"/></Relationships>'))
            zf.writestr("docProps/app.xml", _EN_TETE + (
                '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
                'extended-properties"><Application>Gestion en flux</Application></Properties>'))
            zf.writestr("docProps/core.xml", _EN_TETE + (
                '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
                'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
                'xmlns:dcterms="http://purl.org/dc/terms/" '
                'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
                f"<dc:creator>{auteur}</dc:creator>"
                f"<cp:lastModifiedBy>{auteur}</cp:lastModifiedBy>"
                f'<dcterms:created xsi:type="dcterms:W3CDTF">{maintenant}</dcterms:created>'
                f'<dcterms:modified xsi:type="dcterms:W3CDTF">{maintenant}</dcterms:modified>'
                "</cp:coreProperties>"))
            zf.writestr("xl/workbook.xml", _EN_TETE + (
                f'<workbook xmlns="{_NS}" xmlns:r="{_NS_R}"><workbookPr/>'
                '<bookViews><workbookView activeTab="0"/></bookViews><sheets>'
                + "".join(f'<sheet name="{_attribut(f.title)}" '
                          f'sheetId="{i}" r:id="rId{i}"/>'
                          for i, f in enumerate(self._feuilles, start=1))
                + "</sheets>"
                + (f"<definedNames>{noms_filtres}</definedNames>" if noms_filtres else "")
                + '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>'))
            zf.writestr("xl/_rels/workbook.xml.rels", _EN_TETE + (
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                'relationships">'
                + "".join(f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/'
                          'officeDocument/2006/relationships/worksheet" '
                          f'Target="worksheets/sheet{i}.xml"/>' for i in range(1, n + 1))
                + f'<Relationship Id="rId{n + 1}" Type="http://schemas.openxmlformats.org/'
                'officeDocument/2006/relationships/styles" Target="styles.xml"/>'
                "</Relationships>"))
            zf.writestr("xl/styles.xml", styles.xml())
            for i, xml in enumerate(feuilles, start=1):
                zf.writestr(f"xl/worksheets/sheet{i}.xml", xml)
        return tampon.getvalue()
