"""Hors flux per bailleur, EPCI, département or quarter (DOMAIN §4.5); see mart_hors_flux.sql."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from dashboard.colonnes import ENTIERES_HORS_FLUX
from dashboard.metrics import modeles
from dashboard.metrics.filtres import Filtres, parametres
from dashboard.metrics.indicateurs import trier_lignes, valider
from dashboard.metrics.libelles import cle_trimestre, libelles

AXES_HORS_FLUX = ("bailleur", "epci", "departement", "trimestre")
COLONNES_HORS_FLUX = ("cle", "libelle", *ENTIERES_HORS_FLUX, "part_hors_flux")


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
    if par == "trimestre" and not df.empty:
        manquants = [
            cle_trimestre(annee, q) for q in range(1, trimestre + 1)
            if cle_trimestre(annee, q) not in set(df["cle"])
        ]
        if manquants:
            vides = pd.DataFrame({"cle": manquants} | {c: 0 for c in ENTIERES_HORS_FLUX})
            vides["part_hors_flux"] = np.nan
            df = pd.concat([df, vides], ignore_index=True)
    df.insert(1, "libelle", libelles(con, par, list(df["cle"])))
    for col in ENTIERES_HORS_FLUX:
        df[col] = df[col].fillna(0).astype("int64")
    df["part_hors_flux"] = pd.to_numeric(df["part_hors_flux"]).astype("float64")
    df["cle"] = df["cle"].astype(object)
    df["libelle"] = df["libelle"].astype(object)
    df = df[list(COLONNES_HORS_FLUX)]
    return trier_lignes(df, par)
