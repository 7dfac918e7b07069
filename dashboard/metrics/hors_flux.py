"""Hors flux per bailleur, EPCI, département or quarter (DOMAIN §4.5); see mart_hors_flux.sql."""

from __future__ import annotations

import duckdb
import pandas as pd

from dashboard import contrat
from dashboard.metrics import modeles
from dashboard.metrics.filtres import Filtres, parametres
from dashboard.metrics.indicateurs import lignes_axe, valider

AXES_HORS_FLUX = ("bailleur", "epci", "departement", "trimestre")
ENTIERES_HORS_FLUX = contrat.du_genre(contrat.COMPTE, contrat.HORS_FLUX)
COLONNES_HORS_FLUX = ("cle", "libelle", *contrat.noms(contrat.HORS_FLUX))


def hors_flux(
    con: duckdb.DuckDBPyConnection,
    annee: int,
    trimestre: int,
    par: str,
    periode: str = "cumul",
    filtres: Filtres | None = None,
) -> pd.DataFrame:
    """Hors-flux MAD of ``annee`` as of quarter ``trimestre``, one row per key of ``par``
    (``bailleur``, ``epci``, ``departement``, ``trimestre``, or ``total``).

    MAD are placed by their commune (département, EPCI; ``NON_VENTILE`` without EPCI) and dated
    by date_mise_a_disposition. Filters: département, EPCI, bailleur (the others do not apply to
    hors-flux MAD, which have no réservataire). ``part_hors_flux`` is a fraction, NaN when the row
    has no MAD.
    """
    valider(annee, trimestre, par, AXES_HORS_FLUX + ("total",), "mad", periode)
    df = modeles.executer(con, "mart_hors_flux", parametres(
        annee, filtres, trimestre=int(trimestre), par=par, periode=periode))
    return lignes_axe(con, df, annee, trimestre, par, COLONNES_HORS_FLUX, ENTIERES_HORS_FLUX)
