"""The app's DuckDB connection: one per database file, shared by all sessions.

Queries take a cursor of it (`con.cursor()`), so that sessions on different threads never share
a cursor. On first start, a missing database is created and filled with the sample data.
"""

from __future__ import annotations

import streamlit as st

from dashboard.initialisation import ouvrir_ou_creer_exemple
from dashboard.store import BaseOccupee, db_path


@st.cache_resource(show_spinner="Ouverture de la base de données…")
def _connexion(chemin: str):
    return ouvrir_ou_creer_exemple(chemin)


def connexion():
    """The connection to the database file of $FLUX_DB (or data/flux.duckdb); a French
    message, and nothing else drawn, while another program holds the file."""
    try:
        return _connexion(str(db_path()))
    except BaseOccupee as exc:
        st.error(f"Base de données indisponible : {exc}")
        st.stop()
