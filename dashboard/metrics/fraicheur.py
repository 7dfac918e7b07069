"""How fresh each bailleur's data is: its latest import and MAD of the year, and the quarters
it should have reported and has not (see mart_fraicheur.sql)."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from dashboard.metrics import modeles
from dashboard.metrics.indicateurs import valider

COLONNES_FRAICHEUR = (
    "bailleur_code",
    "bailleur_nom",
    "dernier_import",
    "derniere_mad",
    "mad_annee",
    "trimestres_sans_mad",
)


def fraicheur(
    con: duckdb.DuckDBPyConnection, annee: int, aujourd_hui: date | None = None
) -> pd.DataFrame:
    """How fresh each bailleur's mises à disposition of ``annee`` are (see mart_fraicheur.sql).

    One row per bailleur having conventions, parc or MAD that year, stalest first:
    ``dernier_import`` (timestamp of its latest import in force bringing MAD of that year, NaT
    when none), ``derniere_mad`` (its latest MAD date of the year, NaT when none), ``mad_annee``
    (its MAD of the year, every categorie), ``trimestres_sans_mad`` (the quarters ended on
    ``aujourd_hui`` — default today — that the controls flag for it, as in ``controles``:
    ``"T3"``, or ``"T2 (84), T3"`` when only some of its départements lack MAD; ``""`` when none;
    missing (NA) when it has no convention that year, the control then not applying).
    """
    valider(annee)
    df = modeles.executer(
        con, "mart_fraicheur",
        {"annee": int(annee), "trimestre_max": None, "aujourd_hui": aujourd_hui or date.today()},
    )
    df["derniere_mad"] = pd.to_datetime(df["derniere_mad"])
    df["dernier_import"] = pd.to_datetime(df["dernier_import"])
    df["mad_annee"] = df["mad_annee"].astype("int64")
    for col in ("bailleur_code", "bailleur_nom", "trimestres_sans_mad"):
        df[col] = df[col].astype(object)
    return df[list(COLONNES_FRAICHEUR)].reset_index(drop=True)


__all__ = ["COLONNES_FRAICHEUR", "fraicheur"]
