"""Model ``int_documents_epci``: the latest statut of each EPCI × document (DOMAIN §3.5).

Rules (the model's header): one row per EPCI × document; when several rows exist, the latest
import wins, then the latest date; with the EPCI's name and département from ``stg_epci``
(the SIREN as name, no département, when the reference lacks the EPCI).

Inputs: the ``documents_epci`` table; ``stg_epci`` stubbed.
"""

from .harnais import verifier_modele

METROPOLE = "200054807"
INCONNU = "999999999"


def doc(siren, document, statut, date_document, import_id=1):
    return {"epci_siren": siren, "document": document, "statut": statut,
            "date_document": date_document, "import_id": import_id}


EPCI = [{"epci_siren": METROPOLE, "epci_nom": "Métropole d'Aix-Marseille-Provence",
         "departement": "13"}]


def test_dernier_import_puis_derniere_date():
    documents = [
        # CIL: import 2 wins over the later date of import 1
        doc(METROPOLE, "CIL", "ADOPTE", "2024-06-15", 1),
        doc(METROPOLE, "CIL", "EN_COURS", "2024-03-01", 2),
        # CIA: the same import, the latest date
        doc(METROPOLE, "CIA", "EN_COURS", "2023-01-10", 3),
        doc(METROPOLE, "CIA", "ADOPTE", "2024-09-30", 3),
        doc(METROPOLE, "PPGDID", "NON_ENGAGE", None, 1),
    ]
    verifier_modele(
        "int_documents_epci", {"documents_epci": documents, "stg_epci": EPCI},
        [{"epci_siren": METROPOLE, "epci_nom": "Métropole d'Aix-Marseille-Provence",
          "departement": "13", "document": "CIL", "statut": "EN_COURS",
          "date_document": "2024-03-01"},
         {"epci_siren": METROPOLE, "epci_nom": "Métropole d'Aix-Marseille-Provence",
          "departement": "13", "document": "CIA", "statut": "ADOPTE",
          "date_document": "2024-09-30"},
         {"epci_siren": METROPOLE, "epci_nom": "Métropole d'Aix-Marseille-Provence",
          "departement": "13", "document": "PPGDID", "statut": "NON_ENGAGE",
          "date_document": None}])


def test_epci_absent_du_referentiel_nomme_par_son_siren():
    verifier_modele(
        "int_documents_epci",
        {"documents_epci": [doc(INCONNU, "COTATION", "ADOPTE", "2025-01-20")], "stg_epci": EPCI},
        [{"epci_siren": INCONNU, "epci_nom": INCONNU, "departement": None,
          "document": "COTATION", "statut": "ADOPTE", "date_document": "2025-01-20"}])
