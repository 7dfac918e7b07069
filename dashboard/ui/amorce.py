"""Make a direct link to a page work on a freshly started server.

Streamlit still supports its first multipage scheme: while no session has called
`st.navigation` since the server started, a `pages/` folder beside the entry script makes it run
a requested page file *directly*, without `app.py` (no navigation, no page set-up). A shared
link such as `/bilan?annee=2025` would then open a bare page. Each page calls `amorcer()` first:
in that case it switches Streamlit to the `st.navigation` scheme and reruns, so that `app.py`
routes the request (the page keeps its URL path, so it lands on the same page).
"""

from __future__ import annotations

import streamlit as st


def amorcer() -> None:
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # pragma: no cover - a Streamlit without the first scheme
        return
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
