"""A page's state in its address: read a query parameter back, write the current choices.

Every view is a link (the filters of the bilans, the orientation form, the yearly bilan's
choices): these two functions are the only ones that read and write ``st.query_params``
for them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

import streamlit as st


def depuis_url(nom: str, valides: Collection | None = None, lire: Callable = str, defaut=None):
    """The value of parameter ``nom`` read by ``lire``, when present, readable and (if
    ``valides`` is given) one of ``valides``; ``defaut`` otherwise."""
    brut = st.query_params.get(nom)
    if brut is None:
        return defaut
    try:
        valeur = lire(brut)
    except ValueError:
        return defaut
    return valeur if valides is None or valeur in valides else defaut


def vers_url(valeurs: dict[str, str | None]) -> None:
    """Write ``valeurs`` into the query string, keeping the other parameters; ``None`` or ``""``
    removes a parameter. Unchanged parameters are not rewritten (no needless rerun)."""
    for nom, valeur in valeurs.items():
        if valeur in (None, ""):
            if nom in st.query_params:
                del st.query_params[nom]
        elif st.query_params.get(nom) != valeur:
            st.query_params[nom] = valeur
