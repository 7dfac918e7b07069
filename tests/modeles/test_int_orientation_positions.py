"""Model ``int_orientation_positions``: where each contingent of a bailleur stands on a date.

Rules (the model's header and dashboard/metrics/orientation.py, issue 8; DOMAIN §4.2):
- pro rata: ``jours_ecoules`` = day of the year of $date_orientation (1 January = 1),
  ``droits_prevus = droits_annuels × jours_ecoules ÷ jours_annee``, ``retard = droits_prevus −
  MAD``, ``retard_relatif = retard ÷ droits_annuels`` (undefined for droits 0 or unknown),
  ``reste_a_mettre_a_disposition = max(0, droits_annuels − MAD)``, ``projection_31_12 = MAD ×
  jours_annee ÷ jours_ecoules``, ``ecart_projete``, ``taux_projete``; ``groupe`` 1 droits left,
  2 none left (droits 0 included), 3 droits unknown — unknown droits are never 0 (DOMAIN §4.2);
- candidates for a dwelling freed in $commune: the conventions covering the commune, the most
  specific of each réservataire (commune > EPCI > département), whose statut is in $statuts
  (empty = all; applied after the most specific is chosen), and the bailleur's own share;
- the own share (``NON_RESERVE``): ``max(0, 1 − Σ part_flux)`` of the candidates, ``part_flux`` =
  ``taux_flux ÷ 100`` or ``droits_annuels ÷ flux_annuel`` for droits acquis; × the commune's flux;
  unknown when one part or the commune's flux is unknown; its MAD: the NON_RESERVE MAD there;
- ``mad_typologie`` / ``mad_financement`` / ``mad_qpv``: the row's MAD sharing the freed
  dwelling's attribute (NULL when that attribute is not given, '').

Inputs stubbed: ``stg_communes``, ``int_droits_conventions``, ``int_flux_perimetres``,
``int_orientation_mad`` and ``int_reservataires``.
"""

from datetime import date

import pytest

from .harnais import comparer, executer_modele, verifier_modele

METROPOLE = "200054807"
MARSEILLE = "13055"
LIBELLE_NON_RESERVE = "Contingent propre du bailleur (non réservé)"
COMMUNES = [{"code_insee": MARSEILLE, "departement": "13", "epci_siren": METROPOLE},
            {"code_insee": "13001", "departement": "13", "epci_siren": METROPOLE}]
REFERENTIEL = [{"reservataire_code": "ETAT-13", "type_reservataire": "ETAT",
                "reservataire_nom": "Préfet des Bouches-du-Rhône"}]


def conv(conv_id, reservataire, perimetre_type="DEPARTEMENT", perimetre_code="13", *,
         statut="SIGNEE", methode="ASSIETTE", taux=None, flux=None, droits=None, nom=None,
         bailleur="B1"):
    return {"conv_id": conv_id, "bailleur_code": bailleur, "reservataire_code": reservataire,
            "reservataire_nom": nom, "type_reservataire": "ETAT",
            "departement": perimetre_code[:2], "perimetre_type": perimetre_type,
            "perimetre_code": perimetre_code, "statut": statut, "methode": methode,
            "taux_flux": taux, "flux_annuel": flux, "droits_annuels": droits,
            "source": "manquant" if droits is None else "assiette"}


def mad(reference, conv_id, categorie="FLUX", *, code_insee=MARSEILLE, typologie=None,
        financement=None, qpv=None):
    return {"bailleur_code": "B1", "reference": reference, "code_insee": code_insee,
            "categorie": categorie, "conv_id": conv_id, "date_mise_a_disposition": "2025-02-01",
            "typologie": typologie, "financement": financement, "qpv": qpv}


def params(commune="", statuts=(), jour=date(2025, 3, 14), typologie="", financement="", qpv=""):
    return {"bailleur": "B1", "date_orientation": jour, "commune": commune,
            "statuts": list(statuts), "typologie": typologie, "financement": financement,
            "qpv": qpv}


def donnees(conventions, mads=(), flux=(), reservataires=REFERENTIEL):
    return {"stg_communes": COMMUNES, "int_droits_conventions": conventions,
            "int_flux_perimetres": list(flux), "int_orientation_mad": list(mads),
            "int_reservataires": reservataires}


def test_prorata_retard_et_projection():
    # 14 March 2025 is day 73 of 365. ETAT-13: 73 droits, 10 MAD -> 14.6 prévus, 4.6 behind
    # (4.6 / 73 of its droits), 63 left, 10 x 365 / 73 = 50 at year end. ALS: 2 droits, 5 MAD.
    # CD-13: droits of 0. The NON_RESERVE MAD and a FLUX MAD without convention count for none.
    conventions = [conv(1, "ETAT-13", droits=73), conv(2, "ALS", droits=2),
                   conv(3, "CD-13", droits=0)]
    mads = ([mad(f"E{i}", 1) for i in range(10)] + [mad(f"A{i}", 2) for i in range(5)]
            + [mad("N", None, "NON_RESERVE"), mad("S", None)])
    verifier_modele(
        "int_orientation_positions", donnees(conventions, mads),
        [{"conv_id": 1, "jours_ecoules": 73, "jours_annee": 365, "droits_prevus": 14.6,
          "mises_a_disposition": 10, "retard": 4.6, "retard_relatif": 4.6 / 73,
          "reste_a_mettre_a_disposition": 63, "projection_31_12": 50, "ecart_projete": -23,
          "taux_projete": 50 / 73, "groupe": 1, "candidat": False},
         {"conv_id": 2, "jours_ecoules": 73, "jours_annee": 365, "droits_prevus": 0.4,
          "mises_a_disposition": 5, "retard": -4.6, "retard_relatif": -2.3,
          "reste_a_mettre_a_disposition": 0, "projection_31_12": 25, "ecart_projete": 23,
          "taux_projete": 12.5, "groupe": 2, "candidat": False},
         {"conv_id": 3, "jours_ecoules": 73, "jours_annee": 365, "droits_prevus": 0,
          "mises_a_disposition": 0, "retard": 0, "retard_relatif": None,
          "reste_a_mettre_a_disposition": 0, "projection_31_12": 0, "ecart_projete": 0,
          "taux_projete": None, "groupe": 2, "candidat": False}],
        params())


def test_31_decembre_d_une_annee_bissextile_toute_l_annee():
    verifier_modele(
        "int_orientation_positions",
        donnees([conv(1, "ETAT-13", droits=10)], [mad(f"E{i}", 1) for i in range(4)]),
        [{"conv_id": 1, "jours_ecoules": 366, "jours_annee": 366, "droits_prevus": 10,
          "retard": 6, "projection_31_12": 4}],
        params(jour=date(2024, 12, 31)))


def test_droits_inconnus_reste_inconnu():
    # DOMAIN §4.2: unknown droits are shown as missing, never as 0. A convention without droits
    # and the own share of a commune whose flux is unknown have nothing known left to receive.
    verifier_modele(
        "int_orientation_positions",
        donnees([conv(4, "COM-13055", "COMMUNE", MARSEILLE, taux=10)], [mad("C", 4)]),
        [{"origine": "convention", "droits_annuels": None, "droits_prevus": None,
          "mises_a_disposition": 1, "retard": None, "retard_relatif": None,
          "reste_a_mettre_a_disposition": None, "projection_31_12": 5, "groupe": 3},
         {"origine": "non_reserve", "droits_annuels": None, "droits_prevus": None,
          "mises_a_disposition": 0, "retard": None, "retard_relatif": None,
          "reste_a_mettre_a_disposition": None, "projection_31_12": 0, "groupe": 3}],
        params(commune=MARSEILLE))


CANDIDATES = [
    conv(1, "ETAT-13", taux=25),
    conv(2, "ALS", methode="DROITS_ACQUIS", flux=292, droits=36.5),
    conv(4, "ALS", "EPCI", METROPOLE, statut="EN_COURS", taux=15, nom="Action Logement"),
    conv(3, "COM-13055", "COMMUNE", MARSEILLE, taux=10),
    conv(5, "ETAT-84", perimetre_code="84", taux=25),
    conv(6, "COM-13001", "COMMUNE", "13001", taux=10),
    conv(9, "ETAT-13", taux=30, bailleur="B2"),      # another bailleur's: no row
]


@pytest.mark.parametrize(("statuts", "attendu"), [
    # ALS covers Marseille twice: its EPCI convention (4) is the more specific, the candidate
    ([], [(1, True, True), (2, False, True), (4, True, True), (3, True, True),
          (5, False, True), (6, False, True), (None, True, True)]),
    # 4 is filtered out: ALS does not appear (its département convention stays behind it)
    (["SIGNEE"], [(1, True, True), (2, False, True), (4, False, False), (3, True, True),
                  (5, False, True), (6, False, True), (None, True, True)]),
], ids=["tous_statuts", "signees"])
def test_candidates_la_plus_specifique_par_reservataire_puis_statut(statuts, attendu):
    # (conv_id, candidat, statut_retenu); conv_id None: the bailleur's own share
    verifier_modele(
        "int_orientation_positions", donnees(CANDIDATES),
        [{"conv_id": n, "candidat": candidat, "statut_retenu": retenu}
         for n, candidat, retenu in attendu],
        params(commune=MARSEILLE, statuts=statuts))


def test_libelles_referentiel_convention_ou_code():
    verifier_modele(
        "int_orientation_positions", donnees(CANDIDATES[:4]),
        [{"reservataire_code": "ETAT-13", "libelle": "Préfet des Bouches-du-Rhône"},
         {"reservataire_code": "ALS", "libelle": "ALS"},
         {"reservataire_code": "ALS", "libelle": "Action Logement"},
         {"reservataire_code": "COM-13055", "libelle": "COM-13055"},
         {"reservataire_code": "NON_RESERVE", "libelle": LIBELLE_NON_RESERVE}],
        params(commune=MARSEILLE))


FLUX_MARSEILLE = [{"bailleur_code": "B1", "perimetre_type": "COMMUNE",
                   "perimetre_code": MARSEILLE, "flux_annuel": 100},
                  {"bailleur_code": "B2", "perimetre_type": "COMMUNE",
                   "perimetre_code": MARSEILLE, "flux_annuel": 999}]
MAD_NON_RESERVE = [mad("N1", None, "NON_RESERVE"), mad("N2", None, "NON_RESERVE"),
                   mad("N3", None, "NON_RESERVE"), mad("N4", None, "NON_RESERVE"),
                   mad("N5", None, "NON_RESERVE", code_insee="13001"), mad("F", 1)]


@pytest.mark.parametrize(("conventions", "non_reserve"), [
    # 25 % + 36.5 / 292 = 12.5 % (droits acquis) + 10 % = 47.5 % reserved -> 52.5 % of 100
    ([conv(1, "ETAT-13", taux=25), conv(2, "ALS", methode="DROITS_ACQUIS", flux=292,
                                        droits=36.5),
      conv(3, "COM-13055", "COMMUNE", MARSEILLE, taux=10),
      conv(5, "ETAT-84", perimetre_code="84", taux=90)],     # not a candidate: not counted
     {"part_reservee": 0.475, "parts_inconnues": 0, "part_flux": 0.525, "taux_flux": 52.5,
      "droits_annuels": 52.5, "source": "assiette"}),
    # a candidate without taux nor droits: the own share is unknown
    ([conv(1, "ETAT-13", taux=25), conv(7, "CD-13")],
     {"part_reservee": 0.25, "parts_inconnues": 1, "part_flux": None, "taux_flux": None,
      "droits_annuels": None, "source": "manquant"}),
    # more than 100 % reserved: no own share
    ([conv(1, "ETAT-13", taux=70), conv(3, "COM-13055", "COMMUNE", MARSEILLE, taux=50)],
     {"part_reservee": 1.2, "parts_inconnues": 0, "part_flux": 0, "taux_flux": 0,
      "droits_annuels": 0, "source": "assiette"}),
], ids=["parts_connues", "part_inconnue", "plus_de_100_pour_cent"])
def test_part_non_reservee_de_la_commune(conventions, non_reserve):
    # Its MAD: the 4 NON_RESERVE MAD of Marseille (not the one of 13001, nor a FLUX MAD).
    obtenu = executer_modele("int_orientation_positions",
                             donnees(conventions, MAD_NON_RESERVE, FLUX_MARSEILLE),
                             params(commune=MARSEILLE))
    comparer(obtenu[obtenu["origine"] == "non_reserve"],
             [{"conv_id": None, "reservataire_code": "NON_RESERVE", "libelle": LIBELLE_NON_RESERVE,
               "departement": "13", "perimetre_type": "COMMUNE", "perimetre_code": MARSEILLE,
               "flux_annuel": 100, "mises_a_disposition": 4, "candidat": True} | non_reserve])


def test_part_du_flux_de_chaque_convention():
    # taux_flux / 100, or for droits acquis droits_annuels / flux_annuel of its perimeter
    # (undefined for a flux of 0 or unknown).
    conventions = [conv(1, "ETAT-13", taux=25),
                   conv(2, "ALS", methode="DROITS_ACQUIS", flux=292, droits=36.5),
                   conv(3, "ALS", "EPCI", METROPOLE, methode="DROITS_ACQUIS", flux=0, droits=5),
                   conv(7, "CD-13")]
    verifier_modele(
        "int_orientation_positions", donnees(conventions),
        [{"conv_id": 1, "part_flux": 0.25}, {"conv_id": 2, "part_flux": 0.125},
         {"conv_id": 3, "part_flux": None}, {"conv_id": 7, "part_flux": None}],
        params())


def test_mad_aux_attributs_du_logement_libere():
    # Freed dwelling: a T3 in a QPV, financement not given.
    mads = [mad("E1", 1, typologie="T3", qpv=True), mad("E2", 1, typologie="T3", qpv=False),
            mad("E3", 1, typologie="T2"),
            mad("N1", None, "NON_RESERVE", typologie="T3", qpv=True)]
    verifier_modele(
        "int_orientation_positions",
        donnees([conv(1, "ETAT-13", taux=25), conv(3, "COM-13055", "COMMUNE", MARSEILLE,
                                                   taux=10)], mads, FLUX_MARSEILLE),
        [{"reservataire_code": "ETAT-13", "mises_a_disposition": 3, "mad_typologie": 2,
          "mad_financement": None, "mad_qpv": 1},
         {"reservataire_code": "COM-13055", "mises_a_disposition": 0, "mad_typologie": 0,
          "mad_financement": None, "mad_qpv": 0},
         {"reservataire_code": "NON_RESERVE", "mises_a_disposition": 1, "mad_typologie": 1,
          "mad_financement": None, "mad_qpv": 1}],
        params(commune=MARSEILLE, typologie="T3", qpv="OUI"))


def test_mad_hors_qpv_et_financement():
    mads = [mad("E1", 1, financement="PLAI", qpv=True), mad("E2", 1, financement="PLUS",
                                                            qpv=False),
            mad("E3", 1, financement="PLAI")]
    verifier_modele(
        "int_orientation_positions", donnees([conv(1, "ETAT-13", taux=25)], mads),
        [{"conv_id": 1, "mad_typologie": None, "mad_financement": 2, "mad_qpv": 1}],
        params(financement="PLAI", qpv="NON"))
