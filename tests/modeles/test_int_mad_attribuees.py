"""Model ``int_mad_attribuees``: each MAD of categorie FLUX with its key on every axis of the bilan.

Rules (the model's header, DOMAIN §4.3): a MAD matched to a convention takes the convention's
bailleur, réservataire, type, département and statut; a MAD without convention keeps its own
bailleur and réservataire (``NON_RENSEIGNE`` when empty), takes the type ``int_reservataires``
gives (``INCONNU`` only when nothing gives it), the département of its commune and no statut.
The EPCI is always its commune's (``epci_cle``). Issue, public_prioritaire and the two views'
flags and quarters are passed through.

Inputs stubbed: ``int_mad_rattachees`` (the MAD with their ``conv_id``), ``stg_conventions`` and
``int_reservataires``.
"""

from .harnais import verifier_modele

TERRE_DE_PROVENCE = "241300375"   # used here as an EPCI of the 13 with communes in the 84
METROPOLE = "200054807"


def mad(reference, conv_id, *, reservataire="ETAT-13", code_insee="13055", departement="13",
        epci_cle=METROPOLE, issue="EN_COURS", public_prioritaire=None, bailleur="B1"):
    return {"bailleur_code": bailleur, "reference": reference, "code_insee": code_insee,
            "categorie": "FLUX", "reservataire_code": reservataire, "issue": issue,
            "public_prioritaire": public_prioritaire, "departement": departement,
            "epci_cle": epci_cle, "compte_mad": True, "trimestre_mad": 2,
            "compte_bail": issue == "BAIL_SIGNE", "trimestre_bail": 3 if issue == "BAIL_SIGNE"
            else None, "conv_id": conv_id}


CONVENTIONS = [
    {"conv_id": 1, "bailleur_code": "B1", "reservataire_code": "ETAT-13",
     "type_reservataire": "ETAT", "departement": "13", "perimetre_type": "DEPARTEMENT",
     "perimetre_code": "13", "statut": "EN_COURS"},
    {"conv_id": 2, "bailleur_code": "B1", "reservataire_code": "EPCI-241300375",
     "type_reservataire": "EPCI", "departement": "13", "perimetre_type": "EPCI",
     "perimetre_code": TERRE_DE_PROVENCE, "statut": "SIGNEE"},
]
RESERVATAIRES = [
    # the referential says otherwise for ETAT-13: a matched MAD keeps its convention's type
    {"reservataire_code": "ETAT-13", "type_reservataire": "AUTRE", "reservataire_nom": "x"},
    {"reservataire_code": "CD-13", "type_reservataire": "DEPARTEMENT",
     "reservataire_nom": "Conseil départemental des Bouches-du-Rhône"},
]
CLES = ("conv_id", "bailleur_code", "reservataire_code", "type_reservataire",
        "departement", "epci_cle", "statut")


def cle(*valeurs):
    return dict(zip(CLES, valeurs, strict=True))


def test_mad_rattachee_prend_les_cles_de_sa_convention():
    # M2: a MAD in a commune of the 84 counted against the EPCI convention of the 13: its
    # département is the convention's, its EPCI its commune's.
    mads = [mad("M1", 1),
            mad("M2", 2, reservataire="EPCI-241300375", code_insee="84089", departement="84",
                epci_cle=TERRE_DE_PROVENCE)]
    verifier_modele(
        "int_mad_attribuees",
        {"int_mad_rattachees": mads, "stg_conventions": CONVENTIONS,
         "int_reservataires": RESERVATAIRES},
        [cle(1, "B1", "ETAT-13", "ETAT", "13", METROPOLE, "EN_COURS"),
         cle(2, "B1", "EPCI-241300375", "EPCI", "13", TERRE_DE_PROVENCE, "SIGNEE")])


def test_mad_sans_convention_type_du_referentiel_ou_inconnu():
    mads = [mad("S1", None, reservataire="CD-13", bailleur="B2"),       # type from the referential
            mad("S2", None, reservataire="EMPLOYEUR-X"),                # nothing gives its type
            mad("S3", None, reservataire=None, code_insee="84007", departement="84",
                epci_cle="NON_VENTILE")]                                # no réservataire written
    verifier_modele(
        "int_mad_attribuees",
        {"int_mad_rattachees": mads, "stg_conventions": CONVENTIONS,
         "int_reservataires": RESERVATAIRES},
        [cle(None, "B2", "CD-13", "DEPARTEMENT", "13", METROPOLE, None),
         cle(None, "B1", "EMPLOYEUR-X", "INCONNU", "13", METROPOLE, None),
         cle(None, "B1", "NON_RENSEIGNE", "INCONNU", "84", "NON_VENTILE", None)])


def test_issue_public_prioritaire_et_vues_transmis():
    mads = [mad("B", 1, issue="BAIL_SIGNE", public_prioritaire=True),
            mad("R", None, issue="REFUS_CALEOL", public_prioritaire=False)]
    verifier_modele(
        "int_mad_attribuees",
        {"int_mad_rattachees": mads, "stg_conventions": CONVENTIONS,
         "int_reservataires": RESERVATAIRES},
        [{"conv_id": 1, "issue": "BAIL_SIGNE", "public_prioritaire": True, "compte_mad": True,
          "trimestre_mad": 2, "compte_bail": True, "trimestre_bail": 3},
         {"conv_id": None, "issue": "REFUS_CALEOL", "public_prioritaire": False,
          "compte_mad": True, "trimestre_mad": 2, "compte_bail": False,
          "trimestre_bail": None}])
