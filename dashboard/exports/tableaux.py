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
from collections.abc import Mapping, Sequence
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
    """An empty workbook (no default sheet), with neutral document properties: the exports'
    own writer (``classeur_rapide``: openpyxl's API for what the exports write, ten times
    faster)."""
    from dashboard.exports.classeur_rapide import Classeur

    return Classeur(auteur="Gestion en flux")


def octets(classeur) -> bytes:
    """The workbook as .xlsx bytes (``classeur_rapide.Classeur`` or an openpyxl workbook)."""
    if hasattr(classeur, "octets"):
        return classeur.octets()
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
    """The width a cell value (as ``valeurs_excel`` gives it) needs."""
    if texte is None:
        return 0
    if isinstance(texte, float):
        return len(f"{texte:,.1f}")
    if isinstance(texte, (datetime, date)):
        return 16 if isinstance(texte, datetime) and texte.time() != datetime.min.time() else 10
    return len(str(texte))


def valeurs_excel(serie: pd.Series) -> list:
    """``valeur_excel`` of every value of a column, at once: Python numbers (None for NaN),
    datetimes, neutralised text."""
    if pd.api.types.is_bool_dtype(serie) and not serie.isna().any():
        return serie.tolist()
    if pd.api.types.is_integer_dtype(serie) and serie.dtype != object and not serie.isna().any():
        return serie.tolist()
    if pd.api.types.is_float_dtype(serie):
        return [None if v != v else v for v in serie.tolist()]      # NaN -> None
    return [_valeur_objet(v) for v in serie.tolist()]


def _valeur_objet(valeur: object) -> object:
    """``valeur_excel``, the common cases of a text column first."""
    if valeur is None:
        return None
    if isinstance(valeur, str):
        return neutraliser(valeur)
    if isinstance(valeur, float):
        return None if valeur != valeur else valeur
    return valeur_excel(valeur)


_GRAS = None


def _gras():
    """One bold font for every header and total cell (a font is a value: cells may share it)."""
    global _GRAS
    if _GRAS is None:
        from openpyxl.styles import Font

        _GRAS = Font(bold=True)
    return _GRAS


def ecrire_tableau(
    ws,
    df: pd.DataFrame,
    ligne: int = 1,
    en_tetes: Mapping[str, str] | None = None,
    total: pd.DataFrame | None = None,
    figer: bool = True,
    colonnes: Sequence[str] | None = None,
) -> int:
    """Write ``df`` on sheet ``ws`` from row ``ligne``: a bold header row (French headings,
    ``en_tetes`` overriding ``formatting.en_tete``), one row per record with the number format of
    its column, filters on the table, the header row frozen (``figer``), column widths to fit.

    ``total``: rows with the same columns written in bold under the table, outside the filter
    (so that filtering never hides nor counts them). ``colonnes``: those of ``df`` to write, in
    that order (default: all). Returns the next free row.
    """
    from openpyxl.utils import get_column_letter

    from dashboard.formatting import en_tete

    gras = _gras()
    colonnes = list(df.columns) if colonnes is None else list(colonnes)
    titres = [(en_tetes or {}).get(c) or en_tete(c) for c in colonnes]
    for j, titre in enumerate(titres, start=1):
        ws.cell(row=ligne, column=j, value=titre).font = gras
    formats = [format_colonne(c, df[c]) for c in colonnes]
    valeurs = [valeurs_excel(df[c]) for c in colonnes]
    cellule_de = ws.cell
    r = ligne
    for r, enregistrement in enumerate(zip(*valeurs), start=ligne + 1):
        for j, (format_nombre, v) in enumerate(zip(formats, enregistrement), start=1):
            if v is None:
                continue
            cellule = cellule_de(row=r, column=j, value=v)
            if format_nombre:
                cellule.number_format = format_nombre
    derniere = max(r, ligne)
    if colonnes:
        ws.auto_filter.ref = f"A{ligne}:{get_column_letter(len(colonnes))}{derniere}"
    if figer:
        ws.freeze_panes = f"A{ligne + 1}"
    suivante = derniere + 1
    if total is not None and len(total):
        valeurs_total = [valeurs_excel(total[c]) for c in colonnes]
        for enregistrement in zip(*valeurs_total):
            for j, (format_nombre, v) in enumerate(zip(formats, enregistrement), start=1):
                cellule = cellule_de(row=suivante, column=j, value=v)
                cellule.font = gras
                if format_nombre and v is not None:
                    cellule.number_format = format_nombre
            suivante += 1
    for j, (titre, colonne) in enumerate(zip(titres, valeurs), start=1):
        lettre = get_column_letter(j)
        largeur = max([len(titre)] + [_largeur(v) for v in colonne[:200]])
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
