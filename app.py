"""Gestion en flux — the Streamlit entry script: page set-up and navigation only.

    streamlit run app.py
"""

import streamlit as st

from dashboard.charts import theme
from dashboard.ui import presentation
from dashboard.ui.authentification import authentifier
from dashboard.ui.connexion import connexion
from dashboard.ui.francais import installer as streamlit_en_francais

st.set_page_config(
    page_title="Gestion en flux — bilans des réservations",
    page_icon="🏘️",       # an emoji: a material icon favicon would be fetched from Google
    layout="wide",
    initial_sidebar_state="collapsed" if presentation.actif() else "auto",
)
theme.activer()
# Streamlit's own words (file uploader, selects, tables' toolbar…) in French, on every page.
streamlit_en_francais()

# Sign-in (st.login) when the secrets have an [auth] section; local mode (banner) only without
# secrets nor roles file; any other configuration refuses everybody. Nothing below runs for
# someone who may not read.
authentifier()

# Open (and on first start create and fill) the database before any page draws.
connexion()

# The home page is served at "/" (the default page's address); its url_path only names it
# inside Streamlit. "/accueil" (old bookmarks, links written by hand) runs the same page as a
# hidden entry, instead of Streamlit's English « Page not found » dialog; every link of the app
# to the home page (st.page_link("pages/accueil.py")) goes to "/", the first entry of the file.
pages = {
    "Bilans": [
        st.Page("pages/accueil.py", title="Accueil", icon=":material/home:",
                url_path="tableau-de-bord", default=True),
        st.Page("pages/accueil.py", title="Accueil", url_path="accueil", visibility="hidden"),
        st.Page("pages/bilan.py", title="Bilan trimestriel", icon=":material/bar_chart:",
                url_path="bilan"),
        st.Page("pages/mises-a-disposition.py", title="Mises à disposition",
                icon=":material/table_rows:", url_path="mises-a-disposition"),
        st.Page("pages/assiette.py", title="Assiette et droits", icon=":material/calculate:",
                url_path="assiette"),
        st.Page("pages/controles.py", title="Contrôles", icon=":material/rule:",
                url_path="controles"),
        st.Page("pages/signatures.py", title="Signatures des conventions",
                icon=":material/signature:", url_path="signatures"),
    ],
    "Bailleurs": [
        st.Page("pages/orientation.py", title="Orientation d'un logement libéré",
                icon=":material/assignment_ind:", url_path="orientation"),
        st.Page("pages/bilans-annuels.py", title="Bilans annuels réservataires",
                icon=":material/description:", url_path="bilans-annuels"),
    ],
    "Données": [
        st.Page("pages/importer.py", title="Importer des données",
                icon=":material/upload_file:", url_path="importer"),
        st.Page("pages/reservataires.py", title="Réservataires et correspondances",
                icon=":material/link:", url_path="reservataires"),
    ],
}
st.navigation(pages, position="hidden" if presentation.actif() else "sidebar").run()
