"""Machine output (csv/json) is the same from one run to the next."""

import pandas as pd

from dashboard.formatting import vers_csv


def test_un_bruit_de_sommation_ne_change_pas_l_arrondi():
    # DuckDB's parallel sums can end in different last bits: 1185.275 computed two ways.
    a = 1185.2749999999998
    b = 1185.2750000000002
    assert a != b
    sortie_a = vers_csv(pd.DataFrame({"cle": ["X"], "droits_annuels": [a]}))
    sortie_b = vers_csv(pd.DataFrame({"cle": ["X"], "droits_annuels": [b]}))
    assert sortie_a == sortie_b
    # A value away from the edge is rounded as usual (2 decimals for droits).
    assert vers_csv(pd.DataFrame({"cle": ["X"], "droits_annuels": [12.3449]})).splitlines()[1] == "X,12.34"
