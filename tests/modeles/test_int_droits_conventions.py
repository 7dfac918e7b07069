"""Model ``int_droits_conventions``: the droits annuels of every convention, with their source.

Rules (DOMAIN §4.2 and the model's header):
- ``ASSIETTE``: ``taux_flux ÷ 100 × flux_annuel`` of the convention's perimeter when the parc of
  that bailleur and perimeter is known (source ``assiette``); else the convention's own
  ``droits_annuels`` estimate (``convention``); else unknown (``manquant``, droits NULL, never 0);
- ``DROITS_ACQUIS``: the convention's ``droits_annuels`` (``convention``), else ``manquant``;
- ``flux_connu``, ``droits_connus``, ``dans_part`` (both known: counts in part_prevue/part_reelle);
- ``epci_perimetre``: the EPCI an EPCI- or commune-wide convention goes to.

Inputs stubbed: ``stg_conventions``, ``int_flux_perimetres`` and ``stg_communes``.
"""

from .harnais import verifier_modele

METROPOLE = "200054807"
ACCM = "241300417"


def conv(conv_id, *, taux=None, droits=None, methode="ASSIETTE", perimetre_type="DEPARTEMENT",
         perimetre_code="13", bailleur="B1", reservataire="CD-13", type_reservataire="DEPARTEMENT"):
    return {"conv_id": conv_id, "bailleur_code": bailleur, "reservataire_code": reservataire,
            "type_reservataire": type_reservataire, "departement": perimetre_code[:2],
            "perimetre_type": perimetre_type, "perimetre_code": perimetre_code, "annee": 2025,
            "statut": "SIGNEE", "methode": methode, "taux_flux": taux,
            "droits_annuels_convention": droits}


def flux(perimetre_type, perimetre_code, flux_annuel, *, bailleur="B1", parc_eligible=1000):
    return {"bailleur_code": bailleur, "perimetre_type": perimetre_type,
            "perimetre_code": perimetre_code, "parc_eligible": parc_eligible,
            "taux_rotation": 0.1, "flux_annuel": flux_annuel}


def test_exemple_du_domaine_cd_a_20_pour_cent_de_1000():
    # DOMAIN §4.1: a flux of 1 000 in the département; the conseil départemental at 20 % -> 200.
    verifier_modele(
        "int_droits_conventions",
        {"stg_conventions": [conv(1, taux=20, perimetre_code="31", reservataire="CD-31")],
         "int_flux_perimetres": [flux("DEPARTEMENT", "31", 1000, parc_eligible=14500)],
         "stg_communes": []},
        [{"conv_id": 1, "reservataire_code": "CD-31", "parc_eligible": 14500,
          "taux_rotation": 0.1, "flux_annuel": 1000, "source": "assiette",
          "droits_annuels": 200, "flux_connu": True, "droits_connus": True, "dans_part": True,
          "epci_perimetre": None}])


def test_assiette_puis_estimation_puis_inconnu():
    # B1 has parc in the 13 (flux 1 000), none in the 04.
    conventions = [
        conv(1, taux=25, droits=999),                   # parc known: the assiette wins
        conv(2, taux=30, droits=45, perimetre_code="04"),  # no parc: the estimate
        conv(3, taux=30, perimetre_code="04"),          # no parc, no estimate: unknown
        conv(4, droits=12),                             # parc known, no taux: the estimate
        conv(5),                                        # parc known, nothing else: unknown
    ]
    verifier_modele(
        "int_droits_conventions",
        {"stg_conventions": conventions,
         "int_flux_perimetres": [flux("DEPARTEMENT", "13", 1000)], "stg_communes": []},
        [{"conv_id": 1, "source": "assiette", "droits_annuels": 250, "flux_connu": True,
          "droits_connus": True, "dans_part": True},
         {"conv_id": 2, "source": "convention", "droits_annuels": 45, "flux_connu": False,
          "droits_connus": True, "dans_part": False},
         {"conv_id": 3, "source": "manquant", "droits_annuels": None, "flux_connu": False,
          "droits_connus": False, "dans_part": False},
         {"conv_id": 4, "source": "convention", "droits_annuels": 12, "flux_connu": True,
          "droits_connus": True, "dans_part": True},
         {"conv_id": 5, "source": "manquant", "droits_annuels": None, "flux_connu": True,
          "droits_connus": False, "dans_part": False}])


def test_droits_acquis_et_flux_nul():
    # DROITS_ACQUIS: the convention's droits, even with parc and a taux; none given -> unknown.
    # A perimeter whose flux is clipped to 0 gives known droits of 0 (not unknown).
    conventions = [
        conv(1, taux=10, droits=80, methode="DROITS_ACQUIS", reservataire="ALS",
             type_reservataire="ACTION_LOGEMENT"),
        conv(2, taux=10, methode="DROITS_ACQUIS", reservataire="ALS",
             type_reservataire="ACTION_LOGEMENT", bailleur="B2"),
        conv(3, taux=30, perimetre_code="84", reservataire="ETAT-84", type_reservataire="ETAT"),
    ]
    verifier_modele(
        "int_droits_conventions",
        {"stg_conventions": conventions,
         "int_flux_perimetres": [flux("DEPARTEMENT", "13", 1000),
                                 flux("DEPARTEMENT", "13", 500, bailleur="B2"),
                                 flux("DEPARTEMENT", "84", 0)],
         "stg_communes": []},
        [{"conv_id": 1, "source": "convention", "droits_annuels": 80, "dans_part": True},
         {"conv_id": 2, "source": "manquant", "droits_annuels": None, "dans_part": False},
         {"conv_id": 3, "source": "assiette", "droits_annuels": 0, "dans_part": True}])


def test_perimetres_epci_et_commune():
    # Each convention takes the flux of its own perimeter and bailleur; epci_perimetre is the
    # EPCI itself, or the EPCI of the commune (stg_communes), NULL for a commune it does not know
    # and for a département-wide convention.
    conventions = [
        conv(1, taux=10, perimetre_type="EPCI", perimetre_code=METROPOLE,
             reservataire="EPCI-200054807", type_reservataire="EPCI"),
        conv(2, taux=50, perimetre_type="COMMUNE", perimetre_code="13004",
             reservataire="COM-13004", type_reservataire="COMMUNE"),
        conv(3, taux=50, perimetre_type="COMMUNE", perimetre_code="13999",
             reservataire="COM-13999", type_reservataire="COMMUNE"),
        conv(4, taux=10),
    ]
    flux_b1 = [flux("DEPARTEMENT", "13", 1000), flux("EPCI", METROPOLE, 600),
               flux("EPCI", ACCM, 400), flux("COMMUNE", "13004", 60),
               flux("COMMUNE", "13004", 999, bailleur="B2")]
    communes = [{"code_insee": "13004", "departement": "13", "epci_siren": ACCM},
                {"code_insee": "13055", "departement": "13", "epci_siren": METROPOLE}]
    verifier_modele(
        "int_droits_conventions",
        {"stg_conventions": conventions, "int_flux_perimetres": flux_b1,
         "stg_communes": communes},
        [{"conv_id": 1, "flux_annuel": 600, "droits_annuels": 60, "source": "assiette",
          "epci_perimetre": METROPOLE},
         {"conv_id": 2, "flux_annuel": 60, "droits_annuels": 30, "source": "assiette",
          "epci_perimetre": ACCM},
         {"conv_id": 3, "flux_annuel": None, "droits_annuels": None, "source": "manquant",
          "epci_perimetre": None},
         {"conv_id": 4, "flux_annuel": 1000, "droits_annuels": 100, "source": "assiette",
          "epci_perimetre": None}])
