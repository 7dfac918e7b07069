"""The exports' own .xlsx writer (dashboard/exports/classeur_rapide.py): every part is well-formed
XML, and openpyxl reads back the values, types, number formats, fonts, alignment, frozen panes,
filters and widths that were written."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from xml.etree import ElementTree

import openpyxl
from openpyxl.styles import Alignment, Font

from dashboard.exports.classeur_rapide import Classeur, lettre_colonne


def _ecrire() -> bytes:
    wb = Classeur()
    ws = wb.create_sheet("Présentation")
    ws.cell(row=1, column=1, value="Titre <b> & « guillemets »").font = Font(bold=True, size=14)
    c = ws.cell(row=2, column=1, value="  espaces\net ligne ")
    c.alignment = Alignment(horizontal="left", vertical="top", wrap_text=True)
    ws.cell(row=2, column=2, value=date(2025, 6, 30)).number_format = "DD/MM/YYYY"
    ws.cell(row=3, column=2, value=datetime(2026, 2, 2, 14, 30)).number_format = "DD/MM/YYYY HH:MM"
    ws.cell(row=4, column=2, value=date(2024, 1, 1))            # no format: openpyxl's default
    ws.cell(row=5, column=2, value="contrôle\x01supprimé")
    ws.column_dimensions["B"].width = 38
    ws2 = wb.create_sheet("L'autre & feuille")
    for j, titre in enumerate(["Clé", "Nombre", "Part", "Oui"], start=1):
        ws2.cell(row=1, column=j, value=titre).font = Font(bold=True)
    ws2.cell(row=2, column=1, value="'=1+1")
    ws2.cell(row=2, column=2, value=1234).number_format = "#,##0"
    ws2.cell(row=2, column=3, value=0.125).number_format = "0.0%"
    ws2.cell(row=2, column=4, value=True)
    ws2.cell(row=3, column=2, value=2025).number_format = "0"
    ws2.cell(row=3, column=3, value=1.5e-07)
    ws2.cell(row=4, column=1).font = Font(bold=True)           # styled, no value
    ws2.freeze_panes = "A2"
    ws2.auto_filter.ref = "A1:D3"
    return wb.octets()


def test_parties_xml_bien_formees():
    with zipfile.ZipFile(io.BytesIO(_ecrire())) as zf:
        noms = zf.namelist()
        assert {"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/styles.xml",
                "xl/_rels/workbook.xml.rels", "xl/worksheets/sheet1.xml",
                "xl/worksheets/sheet2.xml", "docProps/core.xml", "docProps/app.xml"} <= set(noms)
        for nom in noms:
            ElementTree.fromstring(zf.read(nom))            # raises on malformed XML
        classeur = zf.read("xl/workbook.xml").decode()
    assert "<definedName name=\"_xlnm._FilterDatabase\" localSheetId=\"1\" hidden=\"1\">" \
           "'L''autre &amp; feuille'!$A$1:$D$3</definedName>" in classeur


def test_relu_par_openpyxl():
    wb = openpyxl.load_workbook(io.BytesIO(_ecrire()))
    assert wb.sheetnames == ["Présentation", "L'autre & feuille"]
    assert wb.properties.creator == "Gestion en flux"
    ws = wb["Présentation"]
    assert ws["A1"].value == "Titre <b> & « guillemets »"
    assert ws["A1"].font.bold and ws["A1"].font.sz == 14
    assert ws["A2"].value == "  espaces\net ligne "
    assert ws["A2"].alignment.wrap_text and ws["A2"].alignment.vertical == "top"
    assert ws["A2"].alignment.horizontal == "left"
    assert ws["B2"].is_date and ws["B2"].value == datetime(2025, 6, 30)
    assert ws["B2"].number_format == "DD/MM/YYYY"
    assert ws["B3"].value == datetime(2026, 2, 2, 14, 30)
    assert ws["B4"].is_date and ws["B4"].value == datetime(2024, 1, 1)
    assert ws["B5"].value == "contrôlesupprimé"
    assert ws.column_dimensions["B"].width == 38
    ws = wb["L'autre & feuille"]
    assert [c.value for c in ws[1]] == ["Clé", "Nombre", "Part", "Oui"]
    assert all(c.font.bold for c in ws[1])
    assert ws["A2"].value == "'=1+1" and ws["A2"].data_type == "s"
    assert ws["B2"].value == 1234 and ws["B2"].number_format == "#,##0"
    assert ws["C2"].value == 0.125 and ws["C2"].number_format == "0.0%"
    assert ws["D2"].value is True
    assert ws["B3"].value == 2025 and ws["B3"].number_format == "0"
    assert ws["C3"].value == 1.5e-07
    assert ws["A4"].value is None and ws["A4"].font.bold
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:D3"


def test_lettres_de_colonnes():
    assert [lettre_colonne(n) for n in (1, 26, 27, 52, 703)] == ["A", "Z", "AA", "AZ", "AAA"]
