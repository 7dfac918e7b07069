"""Model ``stg_conventions``: the conventions of year $annee, each with a numeric ``conv_id``.

Rules (the model's header): only the year's conventions; ``conv_id`` numbers them in the order
bailleur, réservataire, perimetre_type, perimetre_code, import; the convention's own
``droits_annuels`` becomes ``droits_annuels_convention``.

Input: the ``conventions`` table.
"""

from .harnais import verifier_modele


def conv(bailleur, reservataire, annee=2025, **autres):
    return {"bailleur_code": bailleur, "reservataire_code": reservataire,
            "type_reservataire": "ETAT", "departement": "13", "annee": annee,
            "statut": "SIGNEE"} | autres


def test_conventions_de_l_annee_numerotees():
    conventions = [
        conv("B2", "ALS", droits_annuels=40.0, methode="DROITS_ACQUIS"),
        conv("B1", "ETAT-13", taux_flux=25.0),
        conv("B1", "COM-13055", perimetre_type="COMMUNE", perimetre_code="13055"),
        conv("B1", "ALS", perimetre_type="EPCI", perimetre_code="200054807"),
        conv("B1", "ALS", perimetre_type="DEPARTEMENT", perimetre_code="13"),
        conv("B1", "ETAT-13", annee=2024),
    ]
    verifier_modele(
        "stg_conventions", {"conventions": conventions},
        [{"conv_id": 1, "bailleur_code": "B1", "reservataire_code": "ALS",
          "perimetre_type": "DEPARTEMENT", "perimetre_code": "13", "annee": 2025,
          "taux_flux": None, "droits_annuels_convention": None},
         {"conv_id": 2, "bailleur_code": "B1", "reservataire_code": "ALS",
          "perimetre_type": "EPCI", "perimetre_code": "200054807", "annee": 2025,
          "taux_flux": None, "droits_annuels_convention": None},
         {"conv_id": 3, "bailleur_code": "B1", "reservataire_code": "COM-13055",
          "perimetre_type": "COMMUNE", "perimetre_code": "13055", "annee": 2025,
          "taux_flux": None, "droits_annuels_convention": None},
         {"conv_id": 4, "bailleur_code": "B1", "reservataire_code": "ETAT-13",
          "perimetre_type": "DEPARTEMENT", "perimetre_code": "13", "annee": 2025,
          "taux_flux": 25, "droits_annuels_convention": None},
         {"conv_id": 5, "bailleur_code": "B2", "reservataire_code": "ALS",
          "perimetre_type": "DEPARTEMENT", "perimetre_code": "13", "annee": 2025,
          "taux_flux": None, "droits_annuels_convention": 40}],
        params={"annee": 2025})
