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
