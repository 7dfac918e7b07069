"""The contract of the bilan's columns: one place for each column's name, kind, French heading,
description and the invariants the figures keep (DOMAIN §4).

Everything else reads it: the metrics type their frames with it (dashboard.metrics), the
command line writes its csv/json columns in its order, the tables and workbooks take their
French headings and number formats from it (dashboard.formatting). Adding a column to the
bilan is one `Colonne` here (in the group it belongs to) plus its SQL in the mart.

Imports nothing of the project (the metrics and the formatting both import it).
"""

from __future__ import annotations

from dataclasses import dataclass

# Kinds of values: how a column is typed and written.
TEXTE = "texte"            # a key or a label
COMPTE = "compte"          # a whole count (Int64; never a decimal)
FRACTION = "fraction"      # a ratio stored as a fraction: 0.123 is 12,3 % (4 decimals in csv)
DECIMAL = "decimal"        # a number with decimals (droits pro rata temporis…)


@dataclass(frozen=True)
class Colonne:
    nom: str
    genre: str
    libelle: str            # the French heading of tables and workbooks
    description: str        # what it is, in DOMAIN's words (for the docs and the next engineer)


# The bilan by axis (DOMAIN §4.3), in the order scripts rely on (csv/json of `bilan`).
BILAN = (
    Colonne("cle", TEXTE, "Clé", "the key of the row on the axis (a code, a quarter…)"),
    Colonne("libelle", TEXTE, "Libellé", "the key's name for people"),
    Colonne("droits_annuels", DECIMAL, "Droits annuels",
            "Σ droits annuels of the conventions of the row (§4.2); undefined when all unknown"),
    Colonne("droits_prevus", DECIMAL, "Droits prévus",
            "droits_annuels × q ÷ 4 (cumul) or ÷ 4 (the quarter alone)"),
    Colonne("mises_a_disposition", COMPTE, "Mises à disposition",
            "MAD of categorie FLUX dated in the window (baux signés by date_bail in the « baux » "
            "view)"),
    Colonne("ecart", DECIMAL, "Écart", "mises_a_disposition − droits_prevus"),
    Colonne("taux_realisation", FRACTION, "Taux de réalisation",
            "mises_a_disposition ÷ droits_prevus (undefined when droits_prevus = 0)"),
    Colonne("baux_signes", COMPTE, "Baux signés", "those MAD whose issue is BAIL_SIGNE"),
    Colonne("taux_chute", FRACTION, "Taux de chute",
            "(refusals + sans candidat) ÷ (mises_a_disposition − en cours)"),
    Colonne("part_prevue", FRACTION, "Part prévue", "Σ droits annuels ÷ Σ flux annuel"),
    Colonne("part_reelle", FRACTION, "Part réelle",
            "Σ MAD ÷ Σ MAD FLUX or NON_RESERVE of the perimeters"),
)
# Columns after the contract's first ones (for the pages and the controls).
BILAN_SUPPLEMENTAIRES = (
    Colonne("nb_conventions", COMPTE, "Conventions",
            "conventions whose droits are in the row (a département-wide one counts in each "
            "EPCI it is apportioned to; every quarter row counts them all)"),
    Colonne("nb_conventions_droits_inconnus", COMPTE, "Conventions sans droits connus",
            "… whose droits are unknown"),
    Colonne("mad_sans_convention", COMPTE, "MAD sans convention",
            "MAD counted in the row that match no convention"),
    Colonne("mad_chutees", COMPTE, "MAD chutées",
            "MAD ended in refusal or without candidate (numerator of taux_chute)"),
    Colonne("mad_en_cours", COMPTE, "MAD en cours", "MAD still in progress"),
    Colonne("flux_annuel", DECIMAL, "Flux annuel",
            "Σ flux of the perimeters of the conventions in part_prevue (its denominator)"),
    Colonne("mad_flux_perimetres", COMPTE, "MAD du flux des périmètres",
            "Σ MAD FLUX or NON_RESERVE in those perimeters (part_reelle's denominator)"),
)
# Publics prioritaires (DOMAIN §4.9, CCH L.441-1), after the others.
BILAN_PRIORITAIRES = (
    Colonne("baux_prioritaires", COMPTE, "Baux signés publics prioritaires",
            "baux signés whose public_prioritaire is true"),
    Colonne("part_prioritaires", FRACTION, "Part publics prioritaires",
            "baux_prioritaires ÷ baux_signes (undefined without a bail)"),
    Colonne("baux_prioritaires_inconnus", COMPTE,
            "Baux signés public prioritaire non renseigné",
            "baux signés whose flag is unknown (counted in the denominator)"),
)
# Hors flux (DOMAIN §4.5), between the key and part_hors_flux.
HORS_FLUX = (
    Colonne("mutations", COMPTE, "Mutations", "MAD of categorie MUTATION"),
    Colonne("relogements", COMPTE, "Relogements", "MAD of categorie RELOGEMENT"),
    Colonne("premieres_locations", COMPTE, "Premières locations",
            "MAD of categorie PREMIERE_LOCATION"),
    Colonne("stock", COMPTE, "Stock", "MAD of categorie STOCK"),
    Colonne("hors_flux", COMPTE, "Hors flux", "the four above"),
    Colonne("dans_le_flux", COMPTE, "Dans le flux", "MAD of categorie FLUX or NON_RESERVE"),
    Colonne("total_mad", COMPTE, "Total MAD", "every MAD row"),
    Colonne("part_hors_flux", FRACTION, "Part hors flux", "hors_flux ÷ total_mad"),
)

# The bilan's frame, in this order (a new group goes at the end: scripts rely on the order of
# the columns before it).
GROUPES_BILAN = (BILAN, BILAN_SUPPLEMENTAIRES, BILAN_PRIORITAIRES)
GROUPES = (*GROUPES_BILAN, HORS_FLUX)
COLONNES: dict[str, Colonne] = {c.nom: c for groupe in GROUPES for c in groupe}

# What the figures of a bilan row always keep (pandas `eval` expressions over one row set,
# checked by the tests on the sample database for every axis).
INVARIANTS_BILAN = {
    "ecart": "ecart == mises_a_disposition - droits_prevus",
    "taux_realisation": "taux_realisation == mises_a_disposition / droits_prevus",
    "baux_signes": "baux_signes <= mises_a_disposition",
    "baux_prioritaires": "baux_prioritaires + baux_prioritaires_inconnus <= baux_signes",
}
CLE_UNIQUE = "cle"   # one row per key of the axis


def noms(*groupes: tuple[Colonne, ...]) -> tuple[str, ...]:
    """The names of the columns of these groups, in order."""
    return tuple(c.nom for groupe in groupes for c in groupe)


def du_genre(genre: str, *groupes: tuple[Colonne, ...]) -> tuple[str, ...]:
    """The names of the columns of that kind (in these groups; default: every group)."""
    return tuple(c.nom for groupe in (groupes or GROUPES) for c in groupe if c.genre == genre)


def libelles() -> dict[str, str]:
    """Column name -> French heading, for every column of the contract."""
    return {c.nom: c.libelle for c in COLONNES.values()}
