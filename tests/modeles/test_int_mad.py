"""Model ``int_mad``: the mises à disposition that count in year $annee, in either view.

Rules (DOMAIN §4.3 and the model's header): a MAD is in the model when it is dated
(``date_mise_a_disposition``) in $annee — ``compte_mad``, the 'mad' view — or when its issue is
BAIL_SIGNE with ``date_bail`` in $annee — ``compte_bail``, the 'baux' view; calendar quarters of
each date; placed in the département and EPCI of its commune (``epci_cle`` NON_VENTILE without a
known EPCI; a commune missing from the reference keeps the département of its INSEE code, three
characters for 97x); every categorie, with its issue and public_prioritaire flag.

Inputs: the ``mises_a_disposition`` table; ``stg_communes`` stubbed.
"""

from .harnais import verifier_modele

METROPOLE = "200054807"
COMMUNES = [{"code_insee": "13055", "departement": "13", "epci_siren": METROPOLE},
            {"code_insee": "13999", "departement": "13", "epci_siren": None}]


def mad(reference, date_mad, *, issue="EN_COURS", date_bail=None, code_insee="13055",
        categorie="FLUX", public_prioritaire=None):
    return {"bailleur_code": "B1", "reference": reference, "date_mise_a_disposition": date_mad,
            "code_insee": code_insee, "categorie": categorie, "reservataire_code": "ETAT-13",
            "issue": issue, "date_bail": date_bail, "public_prioritaire": public_prioritaire}


def fenetre(reference, compte_mad, trimestre_mad, compte_bail, trimestre_bail):
    return {"reference": reference, "compte_mad": compte_mad, "trimestre_mad": trimestre_mad,
            "compte_bail": compte_bail, "trimestre_bail": trimestre_bail}


def test_fenetres_des_deux_vues():
    mads = [
        mad("A", "2025-03-31"),                                               # T1
        mad("B", "2025-04-01"),                                               # T2
        mad("C", "2025-12-31", issue="BAIL_SIGNE", date_bail="2026-01-05"),   # bail next year
        mad("D", "2024-12-20", issue="BAIL_SIGNE", date_bail="2025-01-10"),   # MAD last year
        mad("E", "2024-12-31"),                                               # out
        mad("F", "2026-01-01"),                                               # out
        mad("G", "2024-11-02", issue="REFUS_CALEOL", date_bail="2025-02-01"),  # not a bail: out
        mad("H", "2025-01-01", issue="BAIL_SIGNE", date_bail="2025-06-30"),
    ]
    verifier_modele(
        "int_mad", {"mises_a_disposition": mads, "stg_communes": COMMUNES},
        [fenetre("A", True, 1, False, None),
         fenetre("B", True, 2, False, None),
         fenetre("C", True, 4, False, 1),
         fenetre("D", False, 4, True, 1),
         fenetre("H", True, 1, True, 2)],
        params={"annee": 2025})


def test_annee_bissextile_29_fevrier():
    mads = [mad("A", "2024-02-29", issue="BAIL_SIGNE", date_bail="2024-02-29"),
            mad("B", "2023-12-31", issue="BAIL_SIGNE", date_bail="2024-01-01"),
            mad("C", "2024-12-31", issue="BAIL_SIGNE", date_bail="2025-01-01")]
    verifier_modele(
        "int_mad", {"mises_a_disposition": mads, "stg_communes": COMMUNES},
        [fenetre("A", True, 1, True, 1),
         fenetre("B", False, 4, True, 1),
         fenetre("C", True, 4, False, 1)],
        params={"annee": 2024})


def test_departement_et_epci_de_la_commune():
    mads = [mad("A", "2025-05-01"),                          # Marseille: 13, Métropole
            mad("B", "2025-05-01", code_insee="13999"),      # known commune, no EPCI
            mad("C", "2025-05-01", code_insee="84007"),      # unknown: département of its code
            mad("D", "2025-05-01", code_insee="97411"),      # overseas: 3 characters
            mad("E", "2025-05-01", code_insee="2A004")]      # Corse-du-Sud
    verifier_modele(
        "int_mad", {"mises_a_disposition": mads, "stg_communes": COMMUNES},
        [{"reference": "A", "departement": "13", "epci_siren": METROPOLE, "epci_cle": METROPOLE},
         {"reference": "B", "departement": "13", "epci_siren": None, "epci_cle": "NON_VENTILE"},
         {"reference": "C", "departement": "84", "epci_siren": None, "epci_cle": "NON_VENTILE"},
         {"reference": "D", "departement": "974", "epci_siren": None, "epci_cle": "NON_VENTILE"},
         {"reference": "E", "departement": "2A", "epci_siren": None, "epci_cle": "NON_VENTILE"}],
        params={"annee": 2025})


def test_toutes_categories_avec_issue_et_public_prioritaire():
    mads = [mad("F", "2025-02-01", public_prioritaire=True),
            mad("N", "2025-02-01", categorie="NON_RESERVE", public_prioritaire=False),
            mad("M", "2025-02-01", categorie="MUTATION", issue="BAIL_SIGNE",
                date_bail="2025-02-10")]
    verifier_modele(
        "int_mad", {"mises_a_disposition": mads, "stg_communes": COMMUNES},
        [{"bailleur_code": "B1", "reference": "F", "code_insee": "13055", "categorie": "FLUX",
          "reservataire_code": "ETAT-13", "issue": "EN_COURS", "public_prioritaire": True},
         {"bailleur_code": "B1", "reference": "N", "code_insee": "13055",
          "categorie": "NON_RESERVE", "reservataire_code": "ETAT-13", "issue": "EN_COURS",
          "public_prioritaire": False},
         {"bailleur_code": "B1", "reference": "M", "code_insee": "13055",
          "categorie": "MUTATION", "reservataire_code": "ETAT-13", "issue": "BAIL_SIGNE",
          "public_prioritaire": None}],
        params={"annee": 2025})
