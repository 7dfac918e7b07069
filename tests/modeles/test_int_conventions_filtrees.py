"""Model ``int_conventions_filtrees``: the conventions of the year kept by the filters.

Rules (the model's header): each filter ``$f_*`` is a list, empty = everything, all applied
together; they read the convention's own attributes (département, bailleur, type, réservataire,
statut — ``SANS_CONVENTION`` selects no convention); an EPCI filter keeps the EPCI- and
commune-wide conventions of that EPCI and the département-wide ones with parc there, i.e. those
``int_ventilation_epci`` gives a share in it. Every column of ``int_droits_conventions`` is kept.

Inputs stubbed: ``int_droits_conventions`` and ``int_ventilation_epci``.
"""

import pytest

from .harnais import verifier_modele

METROPOLE = "200054807"
ACCM = "241300417"


def conv(conv_id, bailleur, reservataire, type_reservataire, departement, statut,
         perimetre_type="DEPARTEMENT", perimetre_code=None, droits=10.0):
    return {"conv_id": conv_id, "bailleur_code": bailleur, "reservataire_code": reservataire,
            "type_reservataire": type_reservataire, "departement": departement,
            "perimetre_type": perimetre_type, "perimetre_code": perimetre_code or departement,
            "statut": statut, "droits_annuels": droits, "source": "assiette"}


CONVENTIONS = [
    conv(1, "B1", "ETAT-13", "ETAT", "13", "SIGNEE", droits=30.0),
    conv(2, "B1", "ALS", "ACTION_LOGEMENT", "13", "EN_COURS", droits=None),
    conv(3, "B2", "ETAT-84", "ETAT", "84", "SIGNEE"),
    conv(4, "B1", "EPCI-200054807", "EPCI", "13", "NON_SIGNEE", "EPCI", METROPOLE),
    conv(5, "B1", "COM-13004", "COMMUNE", "13", "SIGNEE", "COMMUNE", "13004"),
]
VENTILATION = [
    {"conv_id": 1, "epci_cle": METROPOLE, "part": 0.6},
    {"conv_id": 1, "epci_cle": ACCM, "part": 0.4},
    {"conv_id": 2, "epci_cle": "NON_VENTILE", "part": 1.0},   # B1 has no parc counted for it
    {"conv_id": 3, "epci_cle": "248400251", "part": 1.0},
    {"conv_id": 4, "epci_cle": METROPOLE, "part": 1.0},
    {"conv_id": 5, "epci_cle": ACCM, "part": 1.0},
]
AUCUN = {"f_departement": [], "f_bailleur": [], "f_type_reservataire": [], "f_reservataire": [],
         "f_statut": [], "f_epci": []}


def executer(**filtres):
    return {"int_droits_conventions": CONVENTIONS, "int_ventilation_epci": VENTILATION}, \
        AUCUN | filtres


def test_sans_filtre_toutes_les_conventions_avec_leurs_droits():
    donnees, params = executer()
    verifier_modele(
        "int_conventions_filtrees", donnees,
        [{"conv_id": 1, "reservataire_code": "ETAT-13", "droits_annuels": 30, "source": "assiette"},
         {"conv_id": 2, "reservataire_code": "ALS", "droits_annuels": None, "source": "assiette"},
         {"conv_id": 3, "reservataire_code": "ETAT-84", "droits_annuels": 10, "source": "assiette"},
         {"conv_id": 4, "reservataire_code": "EPCI-200054807", "droits_annuels": 10,
          "source": "assiette"},
         {"conv_id": 5, "reservataire_code": "COM-13004", "droits_annuels": 10,
          "source": "assiette"}],
        params)


@pytest.mark.parametrize(("filtres", "gardees"), [
    ({"f_departement": ["13"]}, [1, 2, 4, 5]),
    ({"f_departement": ["13"], "f_bailleur": ["B1"], "f_type_reservataire": ["ETAT"]}, [1]),
    ({"f_reservataire": ["ALS", "ETAT-84"]}, [2, 3]),
    ({"f_statut": ["SIGNEE"]}, [1, 3, 5]),
    ({"f_statut": ["SANS_CONVENTION"]}, []),
    ({"f_statut": ["SANS_CONVENTION", "EN_COURS"]}, [2]),
    ({"f_bailleur": ["B2"], "f_departement": ["13"]}, []),
], ids=["departement", "filtres_cumules", "reservataires", "signees", "sans_convention",
        "sans_convention_et_en_cours", "aucune_commune"])
def test_filtres_sur_les_attributs_de_la_convention(filtres, gardees):
    donnees, params = executer(**filtres)
    verifier_modele("int_conventions_filtrees", donnees,
                    [{"conv_id": n} for n in gardees], params)


@pytest.mark.parametrize(("epci", "gardees"), [
    # the Métropole: the département-wide convention 1 (parc there) and the EPCI's own 4;
    # not 2 (no parc to apportion: non ventilé) nor 5 (a commune of Arles-Crau-Camargue)
    ([METROPOLE], [1, 4]),
    ([ACCM], [1, 5]),
    (["NON_VENTILE"], [2]),
    ([METROPOLE, "248400251"], [1, 3, 4]),
], ids=["metropole", "accm", "non_ventile", "deux_epci"])
def test_filtre_epci_par_la_ventilation(epci, gardees):
    donnees, params = executer(f_epci=epci)
    verifier_modele("int_conventions_filtrees", donnees,
                    [{"conv_id": n} for n in gardees], params)
