"""Model ``int_mad_rattachees``: which convention a MAD of categorie FLUX counts against.

Rules (DOMAIN §4.3 and the model's header): the convention of the same bailleur × réservataire
(× year: ``stg_conventions`` holds one year) whose perimeter covers the MAD's commune; when
several do, the most specific wins — commune > EPCI > département; ``conv_id`` NULL when none
covers it (a MAD without convention); conventions of any statut match; only categorie FLUX.

Inputs stubbed: ``int_mad`` (the MAD, already placed in their département and EPCI) and
``stg_conventions`` (the conventions of the year, with their ``conv_id``).
"""

from .harnais import verifier_modele

METROPOLE = "200054807"   # Aix-Marseille-Provence
ACCM = "241300417"        # Arles-Crau-Camargue-Montagnette


def mad(reference, code_insee, departement, epci_siren, *, bailleur="B1", reservataire="ALS",
        categorie="FLUX"):
    return {"bailleur_code": bailleur, "reference": reference, "code_insee": code_insee,
            "categorie": categorie, "reservataire_code": reservataire, "issue": "EN_COURS",
            "departement": departement, "epci_siren": epci_siren,
            "epci_cle": epci_siren or "NON_VENTILE", "compte_mad": True, "trimestre_mad": 1,
            "compte_bail": False}


def conv(conv_id, perimetre_type, perimetre_code, *, bailleur="B1", reservataire="ALS",
         statut="SIGNEE"):
    return {"conv_id": conv_id, "bailleur_code": bailleur, "reservataire_code": reservataire,
            "type_reservataire": "ACTION_LOGEMENT", "departement": "13",
            "perimetre_type": perimetre_type, "perimetre_code": perimetre_code, "annee": 2025,
            "statut": statut, "methode": "ASSIETTE"}


def test_la_convention_la_plus_specifique_l_emporte():
    # ALS holds three conventions with B1: the département 13, the Métropole, the commune 13001.
    conventions = [conv(1, "DEPARTEMENT", "13"), conv(2, "EPCI", METROPOLE),
                   conv(3, "COMMUNE", "13001")]
    mads = [
        mad("R1", "13001", "13", METROPOLE),   # covered by all three -> the commune's
        mad("R2", "13055", "13", METROPOLE),   # Métropole and département -> the EPCI's
        mad("R3", "13004", "13", ACCM),        # département only
        mad("R4", "84007", "84", "248400251"),  # outside every perimeter -> none
    ]
    verifier_modele(
        "int_mad_rattachees", {"int_mad": mads, "stg_conventions": conventions},
        [{"reference": "R1", "conv_id": 3},
         {"reference": "R2", "conv_id": 2},
         {"reference": "R3", "conv_id": 1},
         {"reference": "R4", "conv_id": None}])


def test_seules_les_mad_flux_sont_rattachees():
    # The other categories are not counted against a convention: they are not in the model.
    mads = [mad("F1", "13055", "13", METROPOLE),
            mad("N1", "13055", "13", METROPOLE, categorie="NON_RESERVE", reservataire=None),
            mad("M1", "13055", "13", METROPOLE, categorie="MUTATION", reservataire=None),
            mad("S1", "13055", "13", METROPOLE, categorie="STOCK"),
            # FLUX without réservataire: kept, with no convention
            mad("F2", "13055", "13", METROPOLE, reservataire=None)]
    verifier_modele(
        "int_mad_rattachees",
        {"int_mad": mads, "stg_conventions": [conv(1, "DEPARTEMENT", "13")]},
        [{"reference": "F1", "categorie": "FLUX", "conv_id": 1},
         {"reference": "F2", "categorie": "FLUX", "conv_id": None}])


def test_meme_bailleur_et_meme_reservataire_quel_que_soit_le_statut():
    conventions = [conv(1, "DEPARTEMENT", "13", statut="NON_SIGNEE"),
                   conv(2, "DEPARTEMENT", "13", reservataire="ETAT-13", statut="EN_COURS")]
    mads = [mad("A", "13055", "13", METROPOLE),                        # ALS of B1 -> 1 (unsigned)
            mad("B", "13055", "13", METROPOLE, reservataire="ETAT-13"),  # -> 2
            mad("C", "13055", "13", METROPOLE, bailleur="B2"),           # no convention of B2
            mad("D", "13055", "13", METROPOLE, reservataire="CD-13")]    # no convention of CD-13
    verifier_modele(
        "int_mad_rattachees", {"int_mad": mads, "stg_conventions": conventions},
        [{"bailleur_code": "B1", "reference": "A", "conv_id": 1},
         {"bailleur_code": "B1", "reference": "B", "conv_id": 2},
         {"bailleur_code": "B2", "reference": "C", "conv_id": None},
         {"bailleur_code": "B1", "reference": "D", "conv_id": None}])


def test_commune_sans_epci_et_epci_d_un_autre_territoire():
    # An EPCI convention covers only its own EPCI; a commune with no known EPCI can only be
    # covered by its commune or its département.
    conventions = [conv(1, "DEPARTEMENT", "13"), conv(2, "EPCI", METROPOLE)]
    mads = [mad("X", "13004", "13", ACCM), mad("Y", "13999", "13", None)]
    verifier_modele(
        "int_mad_rattachees", {"int_mad": mads, "stg_conventions": conventions},
        [{"reference": "X", "epci_cle": ACCM, "conv_id": 1},
         {"reference": "Y", "epci_cle": "NON_VENTILE", "conv_id": 1}])


def test_cle_en_double_la_plus_petite_convention_et_colonnes_de_la_mad_gardees():
    # The key is unique after import validation; the model guards anyway: one MAD row, the
    # smaller conv_id. Every column of int_mad is passed through.
    conventions = [conv(7, "DEPARTEMENT", "13"), conv(4, "DEPARTEMENT", "13")]
    verifier_modele(
        "int_mad_rattachees",
        {"int_mad": [mad("R1", "13055", "13", METROPOLE)], "stg_conventions": conventions},
        [{"bailleur_code": "B1", "reference": "R1", "code_insee": "13055",
          "reservataire_code": "ALS", "departement": "13", "epci_siren": METROPOLE,
          "compte_mad": True, "trimestre_mad": 1, "compte_bail": False, "trimestre_bail": None,
          "conv_id": 4}])
