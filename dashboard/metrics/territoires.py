"""Figures by territory for the maps that the bilan's axes do not give.

- ``par_commune(con, annee, trimestre, vue, periode, filtres)``: the mises à disposition (or the
  baux signés) per commune of the dwelling — the bilan stops at the EPCI (droits are not
  apportioned below it, DOMAIN §4.4), so only counts are given here, no droits. The events are
  the bilan's, with the attributes it gives them (model ``mart_territoires_communes``): summed
  over the communes of an EPCI, they are that EPCI's ``mises_a_disposition`` and
  ``baux_signes`` in ``bilan(..., "epci")`` under the same filters.
- ``signatures_par_epci(con, annee, filtres, perimetres)``: signature progress per EPCI (model
  ``mart_signatures_epci``). The conventions of an EPCI are those that cover it, read as the
  EPCI axis of the bilan and the EPCI filter read them: its EPCI-wide convention, those of its
  communes, and the département-wide ones of a bailleur with parc in it (so a département-wide
  convention counts in every EPCI where its bailleur has parc; without parc in its département,
  in the « non ventilé » row). ``perimetres="epci_communes"`` keeps only the EPCI- and
  commune-wide ones (the territory's own conventions). For one EPCI the counts are those of
  ``signatures(..., "total", Filtres(epci=(siren,)))`` (with ``perimetres="tous"``); the
  weighted rate weighs each convention by its droits apportioned to the EPCI.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from dashboard.metrics import modeles
from dashboard.metrics.filtres import Filtres, parametres
from dashboard.metrics.indicateurs import trier_lignes, valider
from dashboard.metrics.libelles import libelles
from dashboard.metrics.typage import typer

COLONNES_COMMUNES = ("cle", "libelle", "departement", "epci_cle", "mises_a_disposition",
                     "baux_signes", "mad_sans_convention")
_ENTIERES_COMMUNES = ("mises_a_disposition", "baux_signes", "mad_sans_convention")

PERIMETRES = ("tous", "epci_communes")
COLONNES_SIGNATURES_EPCI = ("cle", "libelle", "conventions", "signees", "taux_signature",
                            "droits_annuels", "droits_signes", "taux_signature_pondere",
                            "en_cours", "non_signees", "conventions_droits_inconnus")
_ENTIERES_SIGNATURES = ("conventions", "signees", "en_cours", "non_signees",
                        "conventions_droits_inconnus")
_DECIMALES_SIGNATURES = ("taux_signature", "droits_annuels", "droits_signes",
                         "taux_signature_pondere")


def par_commune(
    con: duckdb.DuckDBPyConnection,
    annee: int,
    trimestre: int,
    vue: str = "mad",
    periode: str = "cumul",
    filtres: Filtres | None = None,
) -> pd.DataFrame:
    """Per commune of the dwelling (``cle`` = INSEE code, ``libelle`` = its name), with its
    ``departement`` and ``epci_cle`` (SIREN, ``NON_VENTILE`` without one):
    ``mises_a_disposition`` (in the ``baux`` view: the baux signés by date of bail),
    ``baux_signes``, ``mad_sans_convention`` (of them, those matching no convention). Only the
    communes with at least one; most first, then by code. Window and filters as ``bilan``."""
    valider(annee, trimestre, None, vue=vue, periode=periode)
    df = modeles.executer(con, "mart_territoires_communes",
                          parametres(annee, filtres, trimestre=int(trimestre), vue=vue,
                                     periode=periode))
    df = typer(df, _ENTIERES_COMMUNES, (), ("cle", "libelle", "departement", "epci_cle"))
    df = df.sort_values(["mises_a_disposition", "cle"], ascending=[False, True], kind="stable")
    return df[list(COLONNES_COMMUNES)].reset_index(drop=True)


def signatures_par_epci(
    con: duckdb.DuckDBPyConnection,
    annee: int,
    filtres: Filtres | None = None,
    perimetres: str = "tous",
) -> pd.DataFrame:
    """Signature progress of the conventions of ``annee`` per EPCI that they cover (see the
    module's docstring): ``COLONNES_SIGNATURES_EPCI`` — ``cle`` (SIREN, or ``NON_VENTILE``),
    ``libelle``, ``conventions``, ``signees``, ``taux_signature`` = signees ÷ conventions,
    ``droits_annuels`` (Σ of the known droits apportioned to the EPCI; NaN when none is known),
    ``droits_signes``, ``taux_signature_pondere`` = droits_signes ÷ droits_annuels, then
    ``en_cours``, ``non_signees``, ``conventions_droits_inconnus``. EPCI by name, « non
    ventilé » last. ``perimetres``: ``"tous"`` or ``"epci_communes"``."""
    valider(annee)
    if perimetres not in PERIMETRES:
        raise ValueError(f"périmètres inconnus : {perimetres!r} ({', '.join(PERIMETRES)})")
    df = modeles.executer(con, "mart_signatures_epci",
                          parametres(annee, filtres, perimetres=perimetres))
    df = typer(df, _ENTIERES_SIGNATURES, _DECIMALES_SIGNATURES, ("cle",))
    df.insert(1, "libelle", pd.Series(libelles(con, "epci", list(df["cle"])), index=df.index,
                                       dtype=object))
    return trier_lignes(df[list(COLONNES_SIGNATURES_EPCI)], "epci")
