"""Model ``int_bailleurs``: the name of each bailleur.

Rules (the model's header): from the conventions of any year, the latest year first, then the
most frequent spelling (then alphabetical); conventions without a name are ignored, and a
bailleur whose conventions never name it has no row.

Input: the ``conventions`` table.
"""

from .harnais import verifier_modele


def conv(bailleur, annee, nom, reservataire="ETAT-13"):
    return {"bailleur_code": bailleur, "bailleur_nom": nom, "reservataire_code": reservataire,
            "type_reservataire": "ETAT", "departement": "13", "annee": annee,
            "statut": "SIGNEE"}


def test_annee_la_plus_recente_puis_orthographe_la_plus_frequente():
    conventions = [
        # B1: renamed in 2025 (the 2024 name, though more frequent overall, is older); the
        # convention without a name does not count
        conv("B1", 2024, "Habitat 13", "ETAT-13"), conv("B1", 2024, "Habitat 13", "ALS"),
        conv("B1", 2024, "Habitat 13", "CD-13"),
        conv("B1", 2025, "Habitat Marseille Provence", "ETAT-13"),
        conv("B1", 2026, None, "ETAT-13"),
        # B2: in 2025, « Logis Sud » twice against « LOGIS SUD » once
        conv("B2", 2025, "Logis Sud", "ETAT-13"), conv("B2", 2025, "Logis Sud", "ALS"),
        conv("B2", 2025, "LOGIS SUD", "CD-13"),
        # B3: a tie -> alphabetical
        conv("B3", 2025, "Zénith", "ETAT-13"), conv("B3", 2025, "Azur", "ALS"),
        # B4: never named
        conv("B4", 2025, None),
    ]
    verifier_modele(
        "int_bailleurs", {"conventions": conventions},
        [{"bailleur_code": "B1", "bailleur_nom": "Habitat Marseille Provence"},
         {"bailleur_code": "B2", "bailleur_nom": "Logis Sud"},
         {"bailleur_code": "B3", "bailleur_nom": "Azur"}])


def test_sans_convention_aucun_bailleur():
    verifier_modele("int_bailleurs", {"conventions": []}, [])
