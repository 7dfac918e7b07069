"""Files people take out of the app: CSV for French Excel (and, later, xlsx and reports).

CSV for French Excel: `;` separator, decimal comma, UTF-8 with BOM (so that Excel shows the
accents), dates dd/mm/yyyy. Text cells that a spreadsheet would run as a formula (starting with
`=`, `+`, `-`, `@`, tab or carriage return) are neutralised with a leading apostrophe.
"""

from __future__ import annotations

import pandas as pd

DEBUTS_DANGEREUX = ("=", "+", "-", "@", "\t", "\r")


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


def xlsx(feuilles: dict[str, pd.DataFrame]) -> bytes:
    """A workbook, one sheet per table: real numbers and dates (not text), French headings,
    bold frozen header row, filters, sensible widths; text cells neutralised against formulas.
    """
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from dashboard.formatting import en_tete, genre

    classeur = Workbook()
    classeur.remove(classeur.active)
    for nom, df in feuilles.items():
        ws = classeur.create_sheet(_nom_feuille(nom))
        colonnes = list(df.columns)
        ws.append([en_tete(c) for c in colonnes])
        for cellule in ws[1]:
            cellule.font = Font(bold=True)
        formats = {}
        for c in colonnes:
            g = genre(c, df[c])
            formats[c] = {"fraction": "0.0%", "pourcent": "0.0", "entier": "#,##0",
                          "decimal": "#,##0.0", "date": "DD/MM/YYYY"}.get(g)
        for ligne in df.itertuples(index=False):
            ws.append([_valeur_excel(v) for v in ligne])
        for j, c in enumerate(colonnes, start=1):
            if formats[c]:
                for (cellule,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                    cellule.number_format = formats[c]
            largeur = max([len(en_tete(c))]
                          + [len(str(v)) for v in df[c].head(200).tolist()])
            ws.column_dimensions[get_column_letter(j)].width = min(max(10, largeur + 2), 60)
        ws.freeze_panes = "A2"
        if colonnes:
            ws.auto_filter.ref = ws.dimensions
    sortie = io.BytesIO()
    classeur.save(sortie)
    return sortie.getvalue()


def _nom_feuille(nom: str) -> str:
    for interdit in "[]:*?/\\":
        nom = nom.replace(interdit, " ")
    return nom[:31] or "Données"


def _valeur_excel(valeur: object) -> object:
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
