"""The cover sheet of the reports' workbooks: a title, what / who / when as label–value rows
(dates as real Excel dates), then the definitions of the figures and the list of sheets."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from dashboard.exports.tableaux import FORMAT_ANNEE, FORMAT_HORODATAGE, FORMATS_EXCEL, neutraliser

NOM_FEUILLE = "Présentation"


def ecrire_couverture(
    ws,
    titre: str,
    informations: Sequence[tuple[str, object]],
    definitions: Sequence[tuple[str, str]] = (),
    feuilles: Sequence[tuple[str, str]] = (),
) -> None:
    """Fill ``ws``: ``titre`` in A1, then ``informations`` (label, value: text, number, date or
    datetime; a whole number is a year, written without thousands separator), then a
    « Définitions » block and a « Contenu du classeur » block (sheet, what it holds). Text is
    neutralised against formulas like every other cell."""
    from openpyxl.styles import Alignment, Font

    ws.cell(row=1, column=1, value=neutraliser(titre)).font = Font(bold=True, size=14)
    r = 3
    for libelle, valeur in informations:
        ws.cell(row=r, column=1, value=neutraliser(libelle)).font = Font(bold=True)
        cellule = ws.cell(row=r, column=2, value=neutraliser(valeur))
        if isinstance(valeur, datetime):
            cellule.number_format = FORMAT_HORODATAGE
        elif isinstance(valeur, date):
            cellule.number_format = FORMATS_EXCEL["date"]
        elif isinstance(valeur, int) and not isinstance(valeur, bool):
            # the whole numbers of a cover are years ("Année : 2025", never "2 025")
            cellule.number_format = FORMAT_ANNEE
        cellule.alignment = Alignment(horizontal="left", wrap_text=True, vertical="top")
        r += 1
    for intitule, lignes in (("Définitions", definitions), ("Contenu du classeur", feuilles)):
        if not lignes:
            continue
        r += 1
        ws.cell(row=r, column=1, value=intitule).font = Font(bold=True, size=12)
        r += 1
        for terme, texte in lignes:
            ws.cell(row=r, column=1, value=neutraliser(terme)).font = Font(bold=True)
            cellule = ws.cell(row=r, column=2, value=neutraliser(texte))
            cellule.alignment = Alignment(wrap_text=True, vertical="top")
            ws.cell(row=r, column=1).alignment = Alignment(wrap_text=True, vertical="top")
            r += 1
    ws.column_dimensions["A"].width = 38
    ws.column_dimensions["B"].width = 100
