"""Tables as files: CSV for French Excel and .xlsx workbooks.

CSV for French Excel: `;` separator, decimal comma, UTF-8 with BOM (so that Excel shows the
accents), dates dd/mm/yyyy. Text cells that a spreadsheet would run as a formula (starting with
`=`, `+`, `-`, `@`, tab or carriage return) are neutralised with a leading apostrophe — in CSV
and in the text cells of the workbooks alike.

Workbooks: real numbers and dates (not text) with Excel number formats (``FORMATS_EXCEL``, by
the column's kind, ``formatting.genre``), French headings (``formatting.en_tete`` unless a sheet
gives its own), a bold frozen header row, filters, sensible widths. ``ecrire_tableau`` writes one
such table anywhere on a sheet (the reports use it under their own headers), ``xlsx`` a workbook
of one table per sheet.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import date, datetime

import pandas as pd

DEBUTS_DANGEREUX = ("=", "+", "-", "@", "\t", "\r")

# Excel number format of each kind of column (formatting.genre); text columns have none.
FORMATS_EXCEL = {"fraction": "0.0%", "pourcent": "0.0", "entier": "#,##0",
                 "decimal": "#,##0.0", "date": "DD/MM/YYYY"}
FORMAT_HORODATAGE = "DD/MM/YYYY HH:MM"
# A year or a quarter (formatting.ANNEES, and the whole numbers of a cover sheet): "2025", never
# "2 025".
FORMAT_ANNEE = "0"
LARGEUR_MIN, LARGEUR_MAX = 10, 60


class RienAExporter(ValueError):
    """The selection holds nothing to export (the message says what, in French)."""


def neutraliser(valeur: object) -> object:
    """A text cell that could be run as a formula gets a leading apostrophe."""
    if isinstance(valeur, str) and valeur.startswith(DEBUTS_DANGEREUX):
        return "'" + valeur
    return valeur


def csv_excel(df: pd.DataFrame) -> bytes:
    """The DataFrame as a CSV that French Excel opens as is."""
    sortie = df.copy()
    for col in sortie.columns:
        serie = sortie[col]
        if pd.api.types.is_datetime64_any_dtype(serie):
            sortie[col] = serie.dt.strftime("%d/%m/%Y")
        elif serie.dtype == object or pd.api.types.is_string_dtype(serie):
            sortie[col] = serie.map(neutraliser)
    texte = sortie.to_csv(sep=";", decimal=",", index=False, date_format="%d/%m/%Y")
    return texte.encode("utf-8-sig")


def nouveau_classeur():
    """An empty workbook (no default sheet), with neutral document properties."""
    from openpyxl import Workbook

    classeur = Workbook()
    classeur.remove(classeur.active)
    classeur.properties.creator = "Gestion en flux"
    classeur.properties.lastModifiedBy = "Gestion en flux"
    return classeur


def octets(classeur) -> bytes:
    """The workbook as .xlsx bytes."""
    sortie = io.BytesIO()
    classeur.save(sortie)
    return sortie.getvalue()


def nom_feuille(nom: str) -> str:
    """A valid sheet name (no ``[]:*?/\\``, at most 31 characters)."""
    for interdit in "[]:*?/\\":
        nom = nom.replace(interdit, " ")
    return nom[:31] or "Données"


def valeur_excel(valeur: object) -> object:
    """A cell value: None for undefined, Python numbers and datetimes, neutralised text."""
    if valeur is None:
        return None
    try:
        if pd.isna(valeur):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(valeur, pd.Timestamp):
        return valeur.to_pydatetime()
    if hasattr(valeur, "item") and not isinstance(valeur, str):
        return valeur.item()          # numpy scalar -> Python
    return neutraliser(valeur)


def format_colonne(colonne: str, serie: pd.Series) -> str | None:
    """The Excel number format of a column (None for text); timestamps keep their time."""
    from dashboard.formatting import ANNEES, genre

    g = genre(colonne, serie)
    if g == "entier" and colonne in ANNEES:
        return FORMAT_ANNEE
    if g == "date" and pd.api.types.is_datetime64_any_dtype(serie):
        valeurs = serie.dropna()
        if len(valeurs) and (valeurs.dt.normalize() != valeurs).any():
            return FORMAT_HORODATAGE
    return FORMATS_EXCEL.get(g)


def _largeur(texte: object) -> int:
    from dashboard.formatting import est_indefini

    if est_indefini(texte):
        return 0
    if isinstance(texte, float):
        return len(f"{texte:,.1f}")
    if isinstance(texte, (datetime, date, pd.Timestamp)):
        return 16 if isinstance(texte, datetime) and texte.time() != datetime.min.time() else 10
    return len(str(texte))


def ecrire_tableau(
    ws,
    df: pd.DataFrame,
    ligne: int = 1,
    en_tetes: Mapping[str, str] | None = None,
    total: pd.DataFrame | None = None,
    figer: bool = True,
) -> int:
    """Write ``df`` on sheet ``ws`` from row ``ligne``: a bold header row (French headings,
    ``en_tetes`` overriding ``formatting.en_tete``), one row per record with the number format of
    its column, filters on the table, the header row frozen (``figer``), column widths to fit.

    ``total``: rows with the same columns written in bold under the table, outside the filter
    (so that filtering never hides nor counts them). Returns the next free row.
    """
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from dashboard.formatting import en_tete

    colonnes = list(df.columns)
    titres = [(en_tetes or {}).get(c) or en_tete(c) for c in colonnes]
    for j, titre in enumerate(titres, start=1):
        cellule = ws.cell(row=ligne, column=j, value=titre)
        cellule.font = Font(bold=True)
    formats = {c: format_colonne(c, df[c]) for c in colonnes}
    r = ligne
    for r, enregistrement in enumerate(df.itertuples(index=False), start=ligne + 1):
        for j, (c, v) in enumerate(zip(colonnes, enregistrement), start=1):
            cellule = ws.cell(row=r, column=j, value=valeur_excel(v))
            if formats[c] and cellule.value is not None:
                cellule.number_format = formats[c]
    derniere = max(r, ligne)
    if colonnes:
        ws.auto_filter.ref = f"A{ligne}:{get_column_letter(len(colonnes))}{derniere}"
    if figer:
        ws.freeze_panes = f"A{ligne + 1}"
    suivante = derniere + 1
    if total is not None and len(total):
        for enregistrement in total[colonnes].itertuples(index=False):
            for j, (c, v) in enumerate(zip(colonnes, enregistrement), start=1):
                cellule = ws.cell(row=suivante, column=j, value=valeur_excel(v))
                cellule.font = Font(bold=True)
                if formats[c] and cellule.value is not None:
                    cellule.number_format = formats[c]
            suivante += 1
    for j, (c, titre) in enumerate(zip(colonnes, titres), start=1):
        lettre = get_column_letter(j)
        largeur = max([len(titre)] + [_largeur(v) for v in df[c].head(200).tolist()])
        actuelle = ws.column_dimensions[lettre].width or 0
        ws.column_dimensions[lettre].width = max(actuelle, min(max(LARGEUR_MIN, largeur + 2),
                                                                LARGEUR_MAX))
    return suivante


def xlsx(feuilles: dict[str, pd.DataFrame], en_tetes: Mapping[str, str] | None = None) -> bytes:
    """A workbook, one sheet per table: real numbers and dates (not text), French headings
    (``en_tetes`` overriding ``formatting.en_tete``), bold frozen header row, filters, sensible
    widths; text cells neutralised against formulas.
    """
    classeur = nouveau_classeur()
    for nom, df in feuilles.items():
        ecrire_tableau(classeur.create_sheet(nom_feuille(nom)), df, en_tetes=en_tetes)
    return octets(classeur)
