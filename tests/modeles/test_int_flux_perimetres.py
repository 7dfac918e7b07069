"""Model ``int_flux_perimetres``: the flux annuel of every perimeter of every bailleur.

Rules (DOMAIN §4.1 and the model's header), per bailleur and perimeter P (its département, each
EPCI, each commune where it has parc):
``parc_eligible(P) = Σ parc_eligible``, ``base(P) = Σ base``, ``taux_rotation(P) = base ÷
parc_eligible`` (a fraction, undefined for an eligible parc of 0) and
``flux_annuel(P) = max(0, base − Σ mutations_prevues − Σ relogements_prevus)``: clipped at the
perimeter, never row by row. An EPCI's département is where the bailleur's parc there mostly lies.

Inputs stubbed: ``stg_parc`` (per-row ``parc_eligible`` and ``base``), except in the worked
example of DOMAIN §4.1, which starts from the ``parc`` and ``communes`` tables and so runs
``stg_communes`` and ``stg_parc`` too (the agreed ``taux_rotation`` is stg_parc's rule).
"""

from .harnais import comparer, executer_modele, verifier_modele

METROPOLE = "200054807"
ACCM = "241300417"
TERRE_DE_PROVENCE = "241300375"   # used here as an EPCI with communes in 13 and 84
TOULOUSE_METROPOLE = "243100518"


def ligne(code_insee, departement, epci_siren, parc_eligible, base, *, mutations=0,
          relogements=0, bailleur="B1"):
    return {"bailleur_code": bailleur, "code_insee": code_insee, "departement": departement,
            "epci_siren": epci_siren, "parc_eligible": parc_eligible, "base": base,
            "mutations_prevues": mutations, "relogements_prevus": relogements}


COLONNES = ("bailleur_code", "perimetre_type", "perimetre_code", "departement", "epci_siren",
            "parc_eligible", "base", "taux_rotation", "mutations_prevues", "relogements_prevus",
            "flux_annuel")


def rangee(*valeurs):
    return dict(zip(COLONNES, valeurs, strict=True))


def test_exemple_du_domaine_occitanie_flux_1000():
    # DOMAIN §4.1: parc 15 000 of which 500 excluded, agreed rotation 10 %, 450 mutations and
    # relogements -> (15 000 - 500) x 10 % - 450 = 1 000. Here over two communes of Toulouse
    # Métropole; the liberations given are ignored (the agreed rate overrides them), and the
    # parc of another year does not count.
    parc = [
        {"bailleur_code": "B1", "code_insee": "31555", "annee": 2025, "parc_total": 10000,
         "logements_exclus": 300, "liberations": 2000, "taux_rotation": 10,
         "mutations_prevues": 300},
        {"bailleur_code": "B1", "code_insee": "31069", "annee": 2025, "parc_total": 5000,
         "logements_exclus": 200, "taux_rotation": 10, "relogements_prevus": 150},
        {"bailleur_code": "B1", "code_insee": "31555", "annee": 2024, "parc_total": 999,
         "liberations": 99},
    ]
    communes = [{"code_insee": "31555", "departement": "31", "epci_siren": TOULOUSE_METROPOLE},
                {"code_insee": "31069", "departement": "31", "epci_siren": TOULOUSE_METROPOLE}]
    verifier_modele(
        "int_flux_perimetres", {"parc": parc, "communes": communes},
        [rangee("B1", "DEPARTEMENT", "31", "31", None, 14500, 1450, 0.1, 300, 150, 1000),
         rangee("B1", "EPCI", TOULOUSE_METROPOLE, "31", TOULOUSE_METROPOLE,
                14500, 1450, 0.1, 300, 150, 1000),
         rangee("B1", "COMMUNE", "31555", "31", TOULOUSE_METROPOLE, 9700, 970, 0.1, 300, 0, 670),
         rangee("B1", "COMMUNE", "31069", "31", TOULOUSE_METROPOLE, 4800, 480, 0.1, 0, 150, 330)],
        params={"annee": 2025})


def test_flux_borne_a_zero_par_perimetre_pas_par_ligne():
    # Row by row the département would get 0 + 30 + 0 = 30; clipped at the perimeter it gets
    # max(0, 45 - 25 - 10) = 10.
    lignes = [ligne("13001", "13", METROPOLE, 100, 10, mutations=25),
              ligne("13055", "13", METROPOLE, 300, 30),
              ligne("13004", "13", ACCM, 50, 5, relogements=10)]
    verifier_modele(
        "int_flux_perimetres", {"stg_parc": lignes},
        [{"perimetre_type": "DEPARTEMENT", "perimetre_code": "13", "base": 45,
          "flux_annuel": 10},
         {"perimetre_type": "EPCI", "perimetre_code": METROPOLE, "base": 40, "flux_annuel": 15},
         {"perimetre_type": "EPCI", "perimetre_code": ACCM, "base": 5, "flux_annuel": 0},
         {"perimetre_type": "COMMUNE", "perimetre_code": "13001", "base": 10, "flux_annuel": 0},
         {"perimetre_type": "COMMUNE", "perimetre_code": "13055", "base": 30, "flux_annuel": 30},
         {"perimetre_type": "COMMUNE", "perimetre_code": "13004", "base": 5, "flux_annuel": 0}])


def test_epci_a_cheval_commune_sans_epci_et_bailleurs_separes():
    # Terre de Provence: 100 eligible in the 13, 300 in the 84 -> its département is the 84.
    # A commune without EPCI has no EPCI row; its eligible parc of 0 leaves its rate undefined.
    lignes = [ligne("13097", "13", TERRE_DE_PROVENCE, 100, 10),
              ligne("84007", "84", TERRE_DE_PROVENCE, 300, 30),
              ligne("13999", "13", None, 0, 0),
              ligne("13055", "13", METROPOLE, 50, 5, bailleur="B2")]
    verifier_modele(
        "int_flux_perimetres", {"stg_parc": lignes},
        [rangee("B1", "DEPARTEMENT", "13", "13", None, 100, 10, 0.1, 0, 0, 10),
         rangee("B1", "DEPARTEMENT", "84", "84", None, 300, 30, 0.1, 0, 0, 30),
         rangee("B1", "EPCI", TERRE_DE_PROVENCE, "84", TERRE_DE_PROVENCE, 400, 40, 0.1, 0, 0, 40),
         rangee("B1", "COMMUNE", "13097", "13", TERRE_DE_PROVENCE, 100, 10, 0.1, 0, 0, 10),
         rangee("B1", "COMMUNE", "84007", "84", TERRE_DE_PROVENCE, 300, 30, 0.1, 0, 0, 30),
         rangee("B1", "COMMUNE", "13999", "13", None, 0, 0, None, 0, 0, 0),
         rangee("B2", "DEPARTEMENT", "13", "13", None, 50, 5, 0.1, 0, 0, 5),
         rangee("B2", "EPCI", METROPOLE, "13", METROPOLE, 50, 5, 0.1, 0, 0, 5),
         rangee("B2", "COMMUNE", "13055", "13", METROPOLE, 50, 5, 0.1, 0, 0, 5)])


def test_departement_d_un_epci_la_ou_la_plupart_de_son_parc_se_trouve():
    # The model's header: an EPCI's département is where the bailleur's parc there mostly
    # lies. Terre de Provence: 100 + 100 eligible in the 13, 150 in the 84 -> the 13 (the single
    # largest row, 150, is in the 84: the rule is about the sum per département).
    lignes = [ligne("13097", "13", TERRE_DE_PROVENCE, 100, 10),
              ligne("13098", "13", TERRE_DE_PROVENCE, 100, 10),
              ligne("84007", "84", TERRE_DE_PROVENCE, 150, 15)]
    obtenu = executer_modele("int_flux_perimetres", {"stg_parc": lignes})
    comparer(obtenu[obtenu["perimetre_type"] == "EPCI"],
             [{"perimetre_code": TERRE_DE_PROVENCE, "departement": "13", "parc_eligible": 350,
               "flux_annuel": 35}])
