"""Model ``stg_communes``: one row per commune with its name, département and EPCI.

Rule (the model's header): when a commune appears more than once (the shipped reference, with no
import, and DGCL imports), the latest import wins.

Input: the ``communes`` table.
"""

from .harnais import verifier_modele


def test_la_ligne_importee_la_plus_recente_l_emporte():
    communes = [
        {"code_insee": "13055", "nom": "Marseille", "departement": "13", "epci_siren": "200054807",
         "import_id": None},
        # the commune 04070 moved to another EPCI by a DGCL import, then another
        {"code_insee": "04070", "nom": "Forcalquier", "departement": "04",
         "epci_siren": "240400440", "import_id": None},
        {"code_insee": "04070", "nom": "Forcalquier", "departement": "04",
         "epci_siren": "200067437", "import_id": 3},
        {"code_insee": "04070", "nom": "Forcalquier (nouvelle)", "departement": "04",
         "epci_siren": "200000000", "import_id": 7},
    ]
    verifier_modele(
        "stg_communes", {"communes": communes},
        [{"code_insee": "13055", "departement": "13", "epci_siren": "200054807",
          "nom": "Marseille"},
         {"code_insee": "04070", "departement": "04", "epci_siren": "200000000",
          "nom": "Forcalquier (nouvelle)"}])
