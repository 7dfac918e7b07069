"""Model ``int_ventilation_epci``: the share of each convention's droits that goes to each EPCI.

Rules (DOMAIN §4.4 and the model's header): a département-wide convention is apportioned by the
bailleur's ``parc_eligible`` in each EPCI (within the département) ÷ its ``parc_eligible`` in the
département; parc in communes without EPCI, or no parc at all, goes to ``NON_VENTILE``; an
EPCI-wide convention goes wholly to its EPCI, a commune-wide one to the commune's EPCI
(``NON_VENTILE`` when unknown). The shares of a convention add up to 1.

Inputs stubbed: ``int_droits_conventions`` (the conventions, with ``epci_perimetre``) and
``stg_parc`` (the parc rows of the year, placed in their département and EPCI).
"""

from .harnais import verifier_modele

METROPOLE = "200054807"
ACCM = "241300417"
TERRE_DE_PROVENCE = "241300375"   # used here as an EPCI with communes in 13 and 84


def conv(conv_id, perimetre_type, perimetre_code, *, bailleur="B1", epci_perimetre=None):
    return {"conv_id": conv_id, "bailleur_code": bailleur, "perimetre_type": perimetre_type,
            "perimetre_code": perimetre_code, "epci_perimetre": epci_perimetre}


def parc(code_insee, departement, epci_siren, parc_eligible, *, bailleur="B1"):
    return {"bailleur_code": bailleur, "code_insee": code_insee, "departement": departement,
            "epci_siren": epci_siren, "parc_eligible": parc_eligible}


def test_convention_departementale_au_prorata_du_parc_eligible():
    # B1 in the 13: Métropole 400 + 200, ACCM 300, a commune without EPCI 100 -> 1 000.
    # Its parc in the 84 and B2's parc in the 13 do not weigh; an EPCI with 0 eligible gets no row.
    parcs = [parc("13055", "13", METROPOLE, 400), parc("13001", "13", METROPOLE, 200),
             parc("13004", "13", ACCM, 300), parc("13999", "13", None, 100),
             parc("13097", "13", TERRE_DE_PROVENCE, 0),
             parc("84007", "84", TERRE_DE_PROVENCE, 500),
             parc("13055", "13", METROPOLE, 9000, bailleur="B2")]
    obtenu = verifier_modele(
        "int_ventilation_epci",
        {"int_droits_conventions": [conv(1, "DEPARTEMENT", "13"), conv(2, "DEPARTEMENT", "13")],
         "stg_parc": parcs},
        [{"conv_id": 1, "epci_cle": METROPOLE, "part": 0.6},
         {"conv_id": 1, "epci_cle": ACCM, "part": 0.3},
         {"conv_id": 1, "epci_cle": "NON_VENTILE", "part": 0.1},
         {"conv_id": 2, "epci_cle": METROPOLE, "part": 0.6},
         {"conv_id": 2, "epci_cle": ACCM, "part": 0.3},
         {"conv_id": 2, "epci_cle": "NON_VENTILE", "part": 0.1}])
    assert obtenu.groupby("conv_id")["part"].sum().round(9).to_dict() == {1: 1.0, 2: 1.0}


def test_epci_a_cheval_seule_sa_part_dans_le_departement():
    # Terre de Provence: 100 in the 13, 300 in the 84. The 84's convention sees only the 84.
    parcs = [parc("13097", "13", TERRE_DE_PROVENCE, 100), parc("13055", "13", METROPOLE, 300),
             parc("84007", "84", TERRE_DE_PROVENCE, 300), parc("84031", "84", "248400251", 100)]
    verifier_modele(
        "int_ventilation_epci",
        {"int_droits_conventions": [conv(1, "DEPARTEMENT", "13"), conv(2, "DEPARTEMENT", "84")],
         "stg_parc": parcs},
        [{"conv_id": 1, "epci_cle": TERRE_DE_PROVENCE, "part": 0.25},
         {"conv_id": 1, "epci_cle": METROPOLE, "part": 0.75},
         {"conv_id": 2, "epci_cle": TERRE_DE_PROVENCE, "part": 0.75},
         {"conv_id": 2, "epci_cle": "248400251", "part": 0.25}])


def test_sans_parc_ou_parc_tout_exclu_non_ventile():
    # No parc of B1 in the 06; in the 04 its parc is wholly excluded (eligible 0).
    verifier_modele(
        "int_ventilation_epci",
        {"int_droits_conventions": [conv(1, "DEPARTEMENT", "06"), conv(2, "DEPARTEMENT", "04")],
         "stg_parc": [parc("04070", "04", "200067437", 0),
                      parc("06088", "06", "200030195", 50, bailleur="B2")]},
        [{"conv_id": 1, "epci_cle": "NON_VENTILE", "part": 1},
         {"conv_id": 2, "epci_cle": "NON_VENTILE", "part": 1}])


def test_conventions_epci_et_commune_a_leur_epci():
    # Whatever the parc: an EPCI-wide convention to its EPCI, a commune-wide one to the EPCI of
    # its commune (int_droits_conventions' epci_perimetre), NON_VENTILE when that is unknown.
    verifier_modele(
        "int_ventilation_epci",
        {"int_droits_conventions": [
            conv(1, "EPCI", METROPOLE, epci_perimetre=METROPOLE),
            conv(2, "COMMUNE", "13004", epci_perimetre=ACCM),
            conv(3, "COMMUNE", "13999", epci_perimetre=None)],
         "stg_parc": [parc("13055", "13", METROPOLE, 400), parc("13004", "13", ACCM, 100)]},
        [{"conv_id": 1, "epci_cle": METROPOLE, "part": 1},
         {"conv_id": 2, "epci_cle": ACCM, "part": 1},
         {"conv_id": 3, "epci_cle": "NON_VENTILE", "part": 1}])
