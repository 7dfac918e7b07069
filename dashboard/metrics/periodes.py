"""The years holding data and the quarter a page opens on."""

from __future__ import annotations

from datetime import date

import duckdb

from dashboard.calendrier import fin_trimestre
from dashboard.metrics import modeles


def annees_disponibles(con: duckdb.DuckDBPyConnection) -> list[int]:
    """The years holding conventions (year of exercise) or MAD (year of their date), ascending."""
    df = modeles.executer(con, "mart_annees", {})
    return [int(a) for a in df["annee"]]


def periode_par_defaut(
    con: duckdb.DuckDBPyConnection, aujourd_hui: date | None = None
) -> tuple[int, int]:
    """The quarter a page opens on: ``(annee, trimestre)``.

    The latest calendar quarter ended on or before ``aujourd_hui`` (default: today; quarters end
    on 31/03, 30/06, 30/09 and 31/12, so that on 30/09 the third quarter counts), taken within the
    years holding data (``annees_disponibles``): when that quarter's year holds none, the last
    quarter (T4) of the latest data year before it; when no data year comes before it, T1 of the
    first data year. Without any data, that quarter itself.
    Examples: 22/11/2026 with data up to 2026 → (2026, 3); 15/01/2027 with data up to 2026 →
    (2026, 4); 22/11/2028 with data up to 2026 → (2026, 4).
    """
    jour = aujourd_hui or date.today()
    annee, trimestre = jour.year, (jour.month - 1) // 3 + 1   # the quarter holding today
    if fin_trimestre(annee, trimestre) > jour:                # not ended: the one before
        trimestre -= 1
    if trimestre == 0:
        annee, trimestre = annee - 1, 4
    annees = annees_disponibles(con)
    if not annees or annee in annees:
        return annee, trimestre
    anterieures = [a for a in annees if a < annee]
    if anterieures:
        return max(anterieures), 4
    return min(annees), 1


__all__ = ["annees_disponibles", "periode_par_defaut"]
