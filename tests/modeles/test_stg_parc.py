"""Model ``stg_parc``: the parc rows of year $annee with the per-row terms of DOMAIN §4.1.

Rules (the model's header): ``parc_eligible = parc_total − logements_exclus``; ``base =
parc_eligible × taux_rotation ÷ 100`` when an agreed rate is given, else ``liberations``; placed
in the département and EPCI of the commune; a commune missing from the reference keeps the
département of its INSEE code (three characters for 97x) and has no EPCI.

Inputs: the ``parc`` table; ``stg_communes`` stubbed.
"""

from .harnais import verifier_modele


def parc(code_insee, parc_total, annee=2025, **autres):
    return {"bailleur_code": "B1", "code_insee": code_insee, "annee": annee,
            "parc_total": parc_total} | autres


def test_taux_convenu_sinon_liberations():
    # 13055: agreed 10 % of (1 000 - 100) = 90, the liberations given (50) are not used;
    # 13001: 40 liberations; the 2024 row is another year's.
    verifier_modele(
        "stg_parc",
        {"parc": [parc("13055", 1000, logements_exclus=100, liberations=50, taux_rotation=10,
                       mutations_prevues=5, relogements_prevus=3),
                  parc("13001", 400, liberations=40),
                  parc("13055", 999, annee=2024, liberations=1)],
         "stg_communes": [{"code_insee": "13055", "departement": "13",
                           "epci_siren": "200054807"},
                          {"code_insee": "13001", "departement": "13",
                           "epci_siren": "200054807"}]},
        [{"code_insee": "13055", "parc_eligible": 900, "base": 90, "mutations_prevues": 5,
          "relogements_prevus": 3},
         {"code_insee": "13001", "parc_eligible": 400, "base": 40, "mutations_prevues": 0,
          "relogements_prevus": 0}],
        params={"annee": 2025})


def test_departement_et_epci_de_la_commune():
    verifier_modele(
        "stg_parc",
        {"parc": [parc("13055", 10, liberations=1), parc("84007", 10, liberations=1),
                  parc("97411", 10, liberations=1), parc("2B033", 10, liberations=1)],
         "stg_communes": [{"code_insee": "13055", "departement": "13",
                           "epci_siren": "200054807"}]},
        [{"code_insee": "13055", "departement": "13", "epci_siren": "200054807"},
         {"code_insee": "84007", "departement": "84", "epci_siren": None},
         {"code_insee": "97411", "departement": "974", "epci_siren": None},
         {"code_insee": "2B033", "departement": "2B", "epci_siren": None}],
        params={"annee": 2025})
