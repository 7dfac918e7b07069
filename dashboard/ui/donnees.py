"""Cached calls to the metrics engine for the pages.

Results are cached by Streamlit (`st.cache_data`), keyed on the function, its arguments (the
filters included) and the data version: an import or a rollback changes the version, so a page
never shows figures computed on replaced data.
"""

from __future__ import annotations

import importlib

import streamlit as st

from dashboard import metrics
from dashboard.store import db_path, version_donnees
from dashboard.ui.connexion import connexion


@st.cache_data(show_spinner=False, max_entries=512)
def _appel(nom: str, base: str, version: tuple, args: tuple, kwargs: tuple):
    return _fonction(nom)(connexion(), *args, **dict(kwargs))


def _fonction(nom: str):
    """``"bilan"`` is ``dashboard.metrics.bilan``; ``"orientation.orienter"`` is
    ``dashboard.metrics.orientation.orienter``."""
    if "." not in nom:
        return getattr(metrics, nom)
    module, fonction = nom.rsplit(".", 1)
    return getattr(importlib.import_module(f"dashboard.metrics.{module}"), fonction)


def calcul(nom: str, *args, **kwargs):
    """`metrics.<nom>(con, *args, **kwargs)` (or `metrics.<module>.<fonction>`), cached for this
    database file and data version."""
    return _appel(nom, str(db_path()), version_donnees(connexion()), args, tuple(sorted(kwargs.items())))
