"""Model ``stg_epci``: one row per EPCI with its name and département.

Rules (the model's header): the imported row wins over the shipped reference (latest import
first); an EPCI without a département of its own takes the département holding most of its
communes.

Inputs: the ``epci`` and ``communes`` tables.
"""

from .harnais import verifier_modele


def test_import_puis_departement_de_la_plupart_de_ses_communes():
    epci = [
        {"epci_siren": "200054807", "nom": "Métropole d'Aix-Marseille-Provence",
         "departement": "13", "import_id": None},
        {"epci_siren": "200054807", "nom": "Aix-Marseille-Provence", "departement": "13",
         "import_id": 4},
        # no département given: two of its three communes lie in the 84
        {"epci_siren": "241300375", "nom": "Terre de Provence", "departement": None,
         "import_id": None},
    ]
    communes = [
        {"code_insee": "13097", "departement": "13", "epci_siren": "241300375"},
        {"code_insee": "84007", "departement": "84", "epci_siren": "241300375"},
        {"code_insee": "84089", "departement": "84", "epci_siren": "241300375"},
    ]
    verifier_modele(
        "stg_epci", {"epci": epci, "communes": communes},
        [{"epci_siren": "200054807", "epci_nom": "Aix-Marseille-Provence", "departement": "13"},
         {"epci_siren": "241300375", "epci_nom": "Terre de Provence", "departement": "84"}])
