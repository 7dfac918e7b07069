"""Gestion en flux — the Streamlit entry script: page set-up and navigation only.

    streamlit run app.py
"""

import streamlit as st

from dashboard.ui.connexion import connexion

st.set_page_config(
    page_title="Gestion en flux — bilans des réservations",
    page_icon=":material/apartment:",
    layout="wide",
)

# Open (and on first start create and fill) the database before any page draws.
connexion()

pages = {
    "Données": [
        st.Page("pages/importer.py", title="Importer des données",
                icon=":material/upload_file:", url_path="importer", default=True),
    ],
}
st.navigation(pages).run()
