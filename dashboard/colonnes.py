"""Column names that both the metrics and the display rules need.

``dashboard.metrics`` types its DataFrames with them and ``dashboard.formatting`` (imported by the
metrics, so it cannot import them back) knows by them which columns are whole counts. Kept here,
importing nothing, so that each list is written once.
"""

# The bilan's counts (of COLONNES_BILAN, COLONNES_SUPPLEMENTAIRES and COLONNES_PRIORITAIRES,
# dashboard.metrics).
ENTIERES_BILAN = (
    "mises_a_disposition",
    "baux_signes",
    "nb_conventions",
    "nb_conventions_droits_inconnus",
    "mad_sans_convention",
    "mad_chutees",
    "mad_en_cours",
    "mad_flux_perimetres",
    "baux_prioritaires",
    "baux_prioritaires_inconnus",
)

# The hors-flux counts, in the order of COLONNES_HORS_FLUX (dashboard.metrics).
ENTIERES_HORS_FLUX = (
    "mutations",
    "relogements",
    "premieres_locations",
    "stock",
    "hors_flux",
    "dans_le_flux",
    "total_mad",
)
