"""The rows behind a figure of the bilan (issue 13): which mises à disposition it counts.

A réservataire told it received 87 % of its droits asks « which dwellings? ». ``detail`` lists,
one row per MAD, exactly those the bilan's ``mises_a_disposition`` counts for one key of one axis
— same year, quarter, view, period and filters as ``bilan`` — so that the number of rows always
equals the figure. The rules (which MAD count, in which window, against which convention, under
which key on each axis) are read from the bilan's own models: see ``mart_detail_mad.sql``.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from dashboard.metrics import modeles
from dashboard.metrics.filtres import Filtres, parametres
from dashboard.metrics.indicateurs import AXES, valider
from dashboard.metrics.libelles import LIBELLE_NON_RENSEIGNE, NON_RENSEIGNE, libelles

# The contract's columns, in order (scripts rely on it), then the others.
COLONNES_DETAIL = (
    "reference",
    "bailleur_code",
    "date_mise_a_disposition",
    "code_insee",
    "reservataire_code",
    "categorie",
    "issue",
    "date_bail",
    "convention",
)
COLONNES_DETAIL_SUPPLEMENTAIRES = (
    "bailleur_nom",
    "commune_nom",
    "epci_siren",  # empty when the commune has no known EPCI (the « non ventilé » row)
    "epci_nom",
    "departement",  # the bilan's: the convention's, or the commune's without convention
    "reservataire_nom",
    "reservataire_valeur",  # the réservataire as the bailleur's file wrote it
    "type_reservataire",
    "statut_convention",  # SIGNEE, EN_COURS, NON_SIGNEE or SANS_CONVENTION
    "convention_perimetre_type",
    "convention_perimetre_code",
    "typologie",
    "financement",
    "qpv",
    "public_prioritaire",
    "rpls",
    "annee_construction",
    "candidat_bailleur",
    "trimestre_compte",  # the quarter the MAD is counted in (of its date in the view)
)
# « sans convention »: the convention column of a MAD that matches no convention.
SANS_CONVENTION_LIBELLE = "sans convention"

_DATES = ("date_mise_a_disposition", "date_bail")
_BOOLEENS = ("qpv", "public_prioritaire", "candidat_bailleur")
_ENTIERS = ("annee_construction", "trimestre_compte")


def valider_detail(annee: int, trimestre: int, par: str | None, cle: str | None,
                   vue: str = "mad", periode: str = "cumul") -> None:
    """Raise ValueError (French message) for arguments outside the contract."""
    valider(annee, trimestre, par, AXES, vue, periode)
    if (par is None) != (cle is None):
        raise ValueError("un axe (par) et une clé (cle) vont ensemble : donnez les deux, ou "
                         "aucun pour toute la sélection")


def _typer(df: pd.DataFrame) -> pd.DataFrame:
    for col in _DATES:
        df[col] = pd.to_datetime(df[col])
    for col in _BOOLEENS:
        df[col] = df[col].astype("boolean")
    for col in _ENTIERS:
        df[col] = df[col].astype("Int64")
    for col in COLONNES_DETAIL + COLONNES_DETAIL_SUPPLEMENTAIRES:
        if col not in _DATES + _BOOLEENS + _ENTIERS:
            df[col] = df[col].astype(object).where(df[col].notna(), None)
    return df


def detail(
    con: duckdb.DuckDBPyConnection,
    annee: int,
    trimestre: int,
    par: str | None = None,
    cle: str | None = None,
    vue: str = "mad",
    periode: str = "cumul",
    filtres: Filtres | None = None,
) -> pd.DataFrame:
    """The MAD counted in the bilan's ``mises_a_disposition`` for key ``cle`` of axis ``par``
    (the whole selection when both are None), one row each.

    Same arguments as ``bilan``: ``vue`` ``"mad"`` (MAD of categorie FLUX dated in the window)
    or ``"baux"`` (BAIL_SIGNE by date_bail in the window); ``periode`` ``"cumul"`` (1 January →
    end of the quarter) or ``"trimestre"`` (that quarter alone; no effect on the axis
    ``trimestre``, whose keys are ``2025-T1``…); ``filtres`` as the bilan applies them. MAD
    without convention count on every axis (``convention`` = « sans convention »). An unknown
    key gives no rows.

    Columns: ``COLONNES_DETAIL`` then ``COLONNES_DETAIL_SUPPLEMENTAIRES``; dates as datetime64
    (NaT when missing), flags as nullable booleans, missing texts None. Rows by the date the view
    counts (date of MAD, or date of the bail), then bailleur and reference.
    """
    valider_detail(annee, trimestre, par, cle, vue, periode)
    df = modeles.executer(
        con,
        "mart_detail_mad",
        parametres(annee, filtres, trimestre=int(trimestre), par=par or "",
                   cle="" if cle is None else str(cle), vue=vue, periode=periode),
        sql_final=(
            "SELECT * FROM mart_detail_mad ORDER BY "
            "CASE WHEN $vue = 'baux' THEN date_bail ELSE date_mise_a_disposition END, "
            "date_mise_a_disposition, bailleur_code, reference"
        ),
    )
    df = df[list(COLONNES_DETAIL + COLONNES_DETAIL_SUPPLEMENTAIRES)]
    df.loc[df["reservataire_code"] == NON_RENSEIGNE, "reservataire_nom"] = LIBELLE_NON_RENSEIGNE
    return _typer(df.reset_index(drop=True))


def libelle_cle(con: duckdb.DuckDBPyConnection, par: str, cle: str) -> str:
    """The label of key ``cle`` of axis ``par``, as the bilan's rows name it (``Préfet des
    Bouches-du-Rhône``, ``Non ventilé``, ``T2 2025``…; the code when nothing names it)."""
    return libelles(con, par, [cle])[0]
