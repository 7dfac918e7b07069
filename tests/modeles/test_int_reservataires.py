"""Model ``int_reservataires``: the type and the name of each réservataire.

Rules (DOMAIN §3.6 and the model's header): the referential of réservataires gives both, whatever
the conventions say; for a code the referential does not hold, what the conventions of any year
say — the latest year first, then the most frequent value (then alphabetical); a name given by
some convention before none.

Inputs: the ``reservataires`` and ``conventions`` tables.
"""

from .harnais import verifier_modele


def conv(reservataire, type_reservataire, annee, nom=None, *, bailleur="B1"):
    return {"bailleur_code": bailleur, "reservataire_code": reservataire,
            "reservataire_nom": nom, "type_reservataire": type_reservataire,
            "departement": "13", "annee": annee, "statut": "SIGNEE"}


def test_le_referentiel_d_abord():
    referentiel = [
        {"reservataire_code": "ETAT-13", "nom": "Préfet des Bouches-du-Rhône",
         "type_reservataire": "ETAT", "territoire": "13"},
        {"reservataire_code": "ALS", "nom": "Action Logement Services",
         "type_reservataire": "ACTION_LOGEMENT"},
    ]
    # a convention naming ETAT-13 otherwise changes nothing
    conventions = [conv("ETAT-13", "AUTRE", 2026, "Préfecture"),
                   conv("ETAT-13", "AUTRE", 2025, "Préfecture", bailleur="B2")]
    verifier_modele(
        "int_reservataires", {"reservataires": referentiel, "conventions": conventions},
        [{"reservataire_code": "ETAT-13", "type_reservataire": "ETAT",
          "reservataire_nom": "Préfet des Bouches-du-Rhône"},
         {"reservataire_code": "ALS", "type_reservataire": "ACTION_LOGEMENT",
          "reservataire_nom": "Action Logement Services"}])


def test_codes_absents_du_referentiel_d_apres_les_conventions():
    conventions = [
        # EMP-1: the latest year's type; the one name given (2024), not the latest year's NULL
        conv("EMP-1", "AUTRE", 2024, "Employeur 1"),
        conv("EMP-1", "REGION", 2025),
        # X: in 2025, COMMUNE twice against EPCI once; the 2024 type does not count
        conv("X", "COMMUNE", 2025, "Ville X"),
        conv("X", "COMMUNE", 2025, "Ville X", bailleur="B2"),
        conv("X", "EPCI", 2025, "Ville X", bailleur="B3"),
        conv("X", "DEPARTEMENT", 2024, "Zz"),
        # Y: a tie in 2025 -> alphabetical type and name
        conv("Y", "EPCI", 2025, "Yb"),
        conv("Y", "COMMUNE", 2025, "Ya", bailleur="B2"),
    ]
    verifier_modele(
        "int_reservataires",
        {"reservataires": [{"reservataire_code": "ALS", "type_reservataire": "ACTION_LOGEMENT",
                            "nom": "Action Logement Services"}],
         "conventions": conventions},
        [{"reservataire_code": "ALS", "type_reservataire": "ACTION_LOGEMENT",
          "reservataire_nom": "Action Logement Services"},
         {"reservataire_code": "EMP-1", "type_reservataire": "REGION",
          "reservataire_nom": "Employeur 1"},
         {"reservataire_code": "X", "type_reservataire": "COMMUNE",
          "reservataire_nom": "Ville X"},
         {"reservataire_code": "Y", "type_reservataire": "COMMUNE", "reservataire_nom": "Ya"}])
