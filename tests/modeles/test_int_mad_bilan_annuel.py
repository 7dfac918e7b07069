"""Model ``int_mad_bilan_annuel``: the MAD of the yearly bilan owed to each réservataire.

Rules (DOMAIN §4.8, CCH R.441-5-1, and the model's header): every MAD of categorie FLUX dated
(``date_mise_a_disposition``) in $annee, whatever its issue or its convention; ``attribue`` when
its issue is BAIL_SIGNE, whatever the date of the bail (the 'mad' view's baux signés, so that
attribués are a subset of proposés); empty attributes become explicit modalities
(``INCONNUE`` typologie, ``INCONNU`` financement and QPV, ``Inconnue`` construction period,
``NON_RENSEIGNE`` réservataire); construction periods in six bands, ordered.

Input: the ``mises_a_disposition`` table.
"""

from .harnais import verifier_modele


def mad(reference, date_mad="2025-06-15", **autres):
    return {"bailleur_code": "B1", "reference": reference, "date_mise_a_disposition": date_mad,
            "code_insee": "13055", "categorie": "FLUX", "reservataire_code": "ALS"} | autres


def test_mad_flux_de_l_annee_et_attribuees():
    mads = [
        mad("P", issue="REFUS_DEMANDEUR"),
        mad("A", "2025-12-31", issue="BAIL_SIGNE", date_bail="2026-01-06"),  # bail next year
        mad("V", reservataire_code=None),
        mad("N", categorie="NON_RESERVE", reservataire_code=None),           # not a réservataire's
        mad("H", categorie="MUTATION", reservataire_code=None),
        mad("L", "2024-12-30", issue="BAIL_SIGNE", date_bail="2025-01-08"),  # proposed last year
        mad("X", "2026-01-01"),
    ]
    verifier_modele(
        "int_mad_bilan_annuel", {"mises_a_disposition": mads},
        [{"bailleur_code": "B1", "reservataire_code": "ALS", "attribue": False},
         {"bailleur_code": "B1", "reservataire_code": "ALS", "attribue": True},
         {"bailleur_code": "B1", "reservataire_code": "NON_RENSEIGNE", "attribue": False}],
        params={"annee": 2025})


def test_modalites_explicites_quand_l_attribut_manque():
    mads = [mad("1", typologie="T3", financement="PLAI", qpv=True, code_insee="13001"),
            mad("2", financement="PLS", qpv=False),
            mad("3")]
    verifier_modele(
        "int_mad_bilan_annuel", {"mises_a_disposition": mads},
        [{"typologie": "T3", "financement": "PLAI", "qpv": "QPV", "code_insee": "13001"},
         {"typologie": "INCONNUE", "financement": "PLS", "qpv": "HORS_QPV",
          "code_insee": "13055"},
         {"typologie": "INCONNUE", "financement": "INCONNU", "qpv": "INCONNU",
          "code_insee": "13055"}],
        params={"annee": 2025})


def test_periodes_de_construction_aux_bornes():
    annees = [1949, 1950, 1974, 1975, 1989, 1990, 2004, 2005, 2014, 2015, None]
    mads = [mad(str(a), annee_construction=a) for a in annees]
    verifier_modele(
        "int_mad_bilan_annuel", {"mises_a_disposition": mads},
        [{"periode_construction": "Avant 1950", "ordre_construction": 1},
         {"periode_construction": "1950 à 1974", "ordre_construction": 2},
         {"periode_construction": "1950 à 1974", "ordre_construction": 2},
         {"periode_construction": "1975 à 1989", "ordre_construction": 3},
         {"periode_construction": "1975 à 1989", "ordre_construction": 3},
         {"periode_construction": "1990 à 2004", "ordre_construction": 4},
         {"periode_construction": "1990 à 2004", "ordre_construction": 4},
         {"periode_construction": "2005 à 2014", "ordre_construction": 5},
         {"periode_construction": "2005 à 2014", "ordre_construction": 5},
         {"periode_construction": "2015 et après", "ordre_construction": 6},
         {"periode_construction": "Inconnue", "ordre_construction": 7}],
        params={"annee": 2025})
