"""Reading a view back from its address and writing it there (dashboard/ui/adresse.py), through
a real Streamlit run (AppTest) of a tiny script."""

from streamlit.testing.v1 import AppTest


def _script():
    import streamlit as st

    from dashboard.ui.adresse import depuis_url, vers_url

    st.session_state["annee"] = depuis_url("annee", [2024, 2025], int, defaut=2025)
    st.session_state["bailleur"] = depuis_url("bailleur", defaut="")
    vers_url({"annee": "2024", "bailleur": None, "commune": "13055"})


def test_lit_les_valeurs_valides_sinon_le_defaut():
    at = AppTest.from_function(_script)
    at.query_params.update({"annee": "2024", "bailleur": "OLS01"})
    at.run()
    assert (at.session_state["annee"], at.session_state["bailleur"]) == (2024, "OLS01")
    for brut in ("2031", "deux-mille"):                   # not offered, not a number
        at = AppTest.from_function(_script)
        at.query_params["annee"] = brut
        at.run()
        assert at.session_state["annee"] == 2025


def test_ecrit_retire_et_garde_les_autres_parametres():
    at = AppTest.from_function(_script)
    at.query_params.update({"bailleur": "OLS01", "mode": "presentation"})
    at.run()
    assert dict(at.query_params) == {"annee": "2024", "commune": "13055",
                                     "mode": "presentation"}
