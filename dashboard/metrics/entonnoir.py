"""The funnel of the mises à disposition: what became of the MAD of the window, step by step
(see mart_entonnoir.sql)."""

from __future__ import annotations

import duckdb
import pandas as pd

from dashboard import vocabulaire
from dashboard.metrics import cache, modeles
from dashboard.metrics.filtres import Filtres, parametres
from dashboard.metrics.indicateurs import AXES, valider

ETAPES: dict[str, str] = {"MISES_A_DISPOSITION": "Mises à disposition"} | vocabulaire.ISSUES
COLONNES_ENTONNOIR = ("etape", "libelle", "nombre", "part")


def entonnoir(
    con: duckdb.DuckDBPyConnection,
    annee: int,
    trimestre: int,
    vue: str = "mad",
    periode: str = "cumul",
    filtres: Filtres | None = None,
) -> pd.DataFrame:
    """What became of the MAD (categorie FLUX) of the window, one row per step of ``ETAPES``:
    ``etape, libelle, nombre, part`` (``part`` = nombre ÷ mises à disposition, NaN when none).

    Steps: MISES_A_DISPOSITION, BAIL_SIGNE, REFUS_DEMANDEUR, REFUS_CALEOL, SANS_CANDIDAT,
    EN_COURS — for the same arguments, the bilan's ``mises_a_disposition``, ``baux_signes``,
    ``mad_chutees`` (the three refusals) and ``mad_en_cours``. In the ``mad`` view the five issues
    add up to the MAD; in the ``baux`` view the first two count baux by date_bail and the others
    stay on the MAD dated in the window, as in the bilan (see mart_entonnoir.sql).
    """
    valider(annee, trimestre, None, AXES, vue, periode)
    params = parametres(annee, filtres, trimestre=int(trimestre), vue=vue, periode=periode)
    entree = cache.entree(
        con, "int_mad_attribuees", annee,
        lambda: modeles.executer_arrow(con, "int_mad_attribuees", {"annee": int(annee)}),
    )
    if entree is None:
        df = modeles.executer(con, "mart_entonnoir", params)
    else:
        df = modeles.executer(entree.base, "mart_entonnoir", params,
                              presents=("int_mad_attribuees",))
    df.insert(1, "libelle", [ETAPES[e] for e in df["etape"]])
    df["nombre"] = df["nombre"].astype("int64")
    df["part"] = pd.to_numeric(df["part"]).astype("float64")
    df["etape"] = df["etape"].astype(object)
    df["libelle"] = df["libelle"].astype(object)
    return df[list(COLONNES_ENTONNOIR)]


__all__ = ["COLONNES_ENTONNOIR", "ETAPES", "entonnoir"]
