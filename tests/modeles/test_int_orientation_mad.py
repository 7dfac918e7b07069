"""Model ``int_orientation_mad``: the MAD in the flux of bailleur $bailleur up to a date.

Rules (the model's header, issue 8): the MAD of $bailleur counted in the year (``int_mad``'s
``compte_mad``) and dated up to $date_orientation inclusive; categorie FLUX with the convention
``int_mad_rattachees`` gives it (NULL when none), whatever its issue, and categorie NON_RESERVE
(the bailleur's own share, no convention); with the dwelling's typologie, financement and QPV
flag read from the ``mises_a_disposition`` row of the same bailleur and reference.

Inputs: the ``mises_a_disposition`` table; ``int_mad`` and ``int_mad_rattachees`` stubbed.
"""

from datetime import date

from .harnais import verifier_modele


def ligne(bailleur, reference, date_mad, categorie, **attributs):
    return {"bailleur_code": bailleur, "reference": reference,
            "date_mise_a_disposition": date_mad, "code_insee": "13055",
            "categorie": categorie, "reservataire_code": "ALS" if categorie == "FLUX" else None,
            } | attributs


def compte(bailleur, reference, categorie, compte_mad=True):
    return {"bailleur_code": bailleur, "reference": reference, "code_insee": "13055",
            "categorie": categorie, "reservataire_code": "ALS" if categorie == "FLUX" else None,
            "compte_mad": compte_mad}


def test_mad_du_bailleur_jusqu_a_la_date_incluse():
    table = [
        ligne("B1", "F1", "2025-01-01", "FLUX", typologie="T3", financement="PLUS", qpv=True),
        ligne("B1", "F2", "2025-06-30", "FLUX", issue="REFUS_CALEOL", qpv=False),
        ligne("B1", "F3", "2025-07-01", "FLUX"),                       # after the date
        ligne("B1", "N1", "2025-03-01", "NON_RESERVE", typologie="T2"),
        ligne("B1", "M1", "2025-03-01", "MUTATION"),                   # hors flux
        ligne("B1", "P1", "2024-12-31", "FLUX", issue="BAIL_SIGNE", date_bail="2025-01-15"),
        ligne("B2", "F1", "2025-02-01", "FLUX", typologie="T5"),       # another bailleur
    ]
    mad = [compte("B1", "F1", "FLUX"), compte("B1", "F2", "FLUX"), compte("B1", "F3", "FLUX"),
           compte("B1", "N1", "NON_RESERVE"), compte("B1", "M1", "MUTATION"),
           compte("B1", "P1", "FLUX", compte_mad=False),   # in the year by its bail only
           compte("B2", "F1", "FLUX")]
    rattachees = [{"bailleur_code": "B1", "reference": "F1", "conv_id": 7},
                  {"bailleur_code": "B1", "reference": "F2", "conv_id": None},
                  {"bailleur_code": "B1", "reference": "F3", "conv_id": 7},
                  {"bailleur_code": "B1", "reference": "P1", "conv_id": 7},
                  {"bailleur_code": "B2", "reference": "F1", "conv_id": 9}]
    verifier_modele(
        "int_orientation_mad",
        {"mises_a_disposition": table, "int_mad": mad, "int_mad_rattachees": rattachees},
        [{"bailleur_code": "B1", "reference": "F1", "categorie": "FLUX", "conv_id": 7,
          "date_mise_a_disposition": "2025-01-01", "typologie": "T3", "financement": "PLUS",
          "qpv": True},
         {"bailleur_code": "B1", "reference": "F2", "categorie": "FLUX", "conv_id": None,
          "date_mise_a_disposition": "2025-06-30", "typologie": None, "financement": None,
          "qpv": False},
         {"bailleur_code": "B1", "reference": "N1", "categorie": "NON_RESERVE", "conv_id": None,
          "date_mise_a_disposition": "2025-03-01", "typologie": "T2", "financement": None,
          "qpv": None}],
        params={"bailleur": "B1", "date_orientation": date(2025, 6, 30)})


def test_premier_janvier_autre_bailleur():
    # On 1 January only that day's MAD; the bailleur asked for is B2: B1's rows are not read.
    table = [ligne("B2", "F0", "2025-01-01", "FLUX", typologie="T1"),
             ligne("B2", "F1", "2025-01-02", "FLUX"),
             ligne("B1", "F0", "2025-01-01", "FLUX")]
    mad = [compte("B2", "F0", "FLUX"), compte("B2", "F1", "FLUX"), compte("B1", "F0", "FLUX")]
    rattachees = [{"bailleur_code": "B2", "reference": "F0", "conv_id": 3},
                  {"bailleur_code": "B2", "reference": "F1", "conv_id": 3},
                  {"bailleur_code": "B1", "reference": "F0", "conv_id": 1}]
    verifier_modele(
        "int_orientation_mad",
        {"mises_a_disposition": table, "int_mad": mad, "int_mad_rattachees": rattachees},
        [{"bailleur_code": "B2", "reference": "F0", "conv_id": 3, "typologie": "T1"}],
        params={"bailleur": "B2", "date_orientation": date(2025, 1, 1)})
