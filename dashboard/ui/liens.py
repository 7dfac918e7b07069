"""Links to the app's pages that work whether the page runs inside app.py's navigation or alone.

``st.page_link`` needs the target registered by ``st.navigation`` (app.py): a page file run on
its own (an AppTest of ``pages/bilan.py``, Streamlit's first multipage scheme) has no such
registry and ``st.page_link`` raises ``StreamlitPageNotFoundError``. ``lien_page`` then writes a
plain link to the page's address (its ``url_path`` in app.py, relative: it works under any base
path), with the same label and query string.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

# Page file -> its url_path in app.py (the home page is the default page, at "/").
ADRESSES = {
    "pages/accueil.py": "./",
    "pages/bilan.py": "bilan",
    "pages/mises-a-disposition.py": "mises-a-disposition",
    "pages/assiette.py": "assiette",
    "pages/controles.py": "controles",
    "pages/signatures.py": "signatures",
    "pages/orientation.py": "orientation",
    "pages/bilans-annuels.py": "bilans-annuels",
    "pages/importer.py": "importer",
    "pages/reservataires.py": "reservataires",
}


def adresse(page: str, query_params: Mapping[str, str] | None = None) -> str:
    """The relative address of ``page`` (a file of ``ADRESSES``) with its query string."""
    chemin = ADRESSES[page]
    return chemin + ("?" + urlencode(dict(query_params), safe=",") if query_params else "")


def lien_page(page: str, label: str, icon: str | None = None,
              query_params: Mapping[str, str] | None = None) -> None:
    """``st.page_link`` to ``page``; a Markdown link to its address when the page runs alone.
    ``label`` is Markdown-safe text (see ``ui.texte.texte_brut``)."""
    try:
        st.page_link(page, label=label, icon=icon, query_params=query_params)
    except StreamlitPageNotFoundError:
        st.markdown(f"[{label}]({adresse(page, query_params)})")
