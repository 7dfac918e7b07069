"""Cached calls to the metrics engine for the pages.

Results are cached by Streamlit (`st.cache_data`), keyed on the function, its arguments (the
filters included) and the data version: an import or a rollback changes the version, so a page
never shows figures computed on replaced data.

The data version is one SQL query (`store.version_donnees`); a page calls the engine a dozen
times a run, so the version is read once per script run (`version`) and kept for the rest of
the run. Imports, rollbacks and changes of correspondences run in button callbacks, before the
script body, and the run that follows reads the new version.
"""

from __future__ import annotations

import importlib
import threading
from collections import OrderedDict

import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from dashboard import metrics
from dashboard.store import db_path, version_donnees
from dashboard.ui.connexion import connexion

# Attribute of Streamlit's ScriptRunContext (one per session) holding (run marker, database
# file, version). The marker is the context's `cursors` dict, which Streamlit replaces at the
# start of every run (`ScriptRunContext.reset`): kept here by reference, it is this run's own.
_MEMO_VERSION = "_flux_version_donnees"


# DataFrames returned by `calcul`, kept in this process: (name, file, version, args) -> frame.
TAILLE_RESULTATS = 512
_RESULTATS: OrderedDict[tuple, pd.DataFrame] = OrderedDict()
_VERROU = threading.Lock()


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


def version() -> tuple:
    """The data version of the app's database (`store.version_donnees`), read once per script
    run; outside a run (tests, scripts), read at each call."""
    base = str(db_path())
    ctx = get_script_run_ctx(suppress_warning=True)
    marqueur = getattr(ctx, "cursors", None)
    if marqueur is None:
        return version_donnees(connexion())
    memo = getattr(ctx, _MEMO_VERSION, None)
    if memo is not None and memo[0] is marqueur and memo[1] == base:
        return memo[2]
    lue = version_donnees(connexion())
    setattr(ctx, _MEMO_VERSION, (marqueur, base, lue))
    return lue


def calcul(nom: str, *args, **kwargs):
    """`metrics.<nom>(con, *args, **kwargs)` (or `metrics.<module>.<fonction>`), cached for this
    database file and data version.

    A DataFrame result is also kept as it is in this process (`_RESULTATS`): reading it back from
    `st.cache_data` hashes the arguments and unpickles the frame, ≈ 1.5 ms a call and a dozen
    calls a page, paid by every session. Each caller gets a shallow copy: with pandas'
    copy-on-write, no change a caller makes to its copy reaches the kept frame."""
    cle = (nom, str(db_path()), version(), args, tuple(sorted(kwargs.items())))
    try:
        hash(cle)
    except TypeError:   # an argument Python cannot hash: Streamlit's cache only
        return _appel(*cle)
    with _VERROU:
        trouve = _RESULTATS.get(cle)
        if trouve is not None:
            _RESULTATS.move_to_end(cle)
    if trouve is None:
        trouve = _appel(*cle)
        if not isinstance(trouve, pd.DataFrame):
            return trouve
        with _VERROU:
            _RESULTATS[cle] = trouve
            while len(_RESULTATS) > TAILLE_RESULTATS:
                _RESULTATS.popitem(last=False)
    return _copie(trouve)


def _copie(df: pd.DataFrame) -> pd.DataFrame:
    copie = df.copy(deep=False)          # copy-on-write: the values are copied when changed
    copie.index = df.index.copy()        # and a new name given to an axis stays the caller's
    copie.columns = df.columns.copy()
    return copie


def vider() -> None:
    """Forget the results kept in this process (benchmarks and tests; `st.cache_data.clear()`
    does not reach them, the data version does)."""
    with _VERROU:
        _RESULTATS.clear()
