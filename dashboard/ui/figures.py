"""Figures and formatted tables kept from one rerun to the next and shared by every session.

The data of a page come from the metrics engine's cache (``ui.donnees.calcul``), but building a
plotly figure from them (plotly validates every property and copies the theme) costs 10 to
30 ms a chart, and formatting a table in French cell by cell a few more: most of a warm rerun,
paid again by every person who opens the page (issue 13: the club's link shared during a visio).
Here each figure and each formatted table is built once per content and reused.

The key of an entry is its builder — a function, usually a ``lambda`` — identified by its code,
plus everything it reads: the values it closes over and its default arguments (DataFrames
included, by their content; the rest pickled; then hashed), the arguments it is called with, the
database file and its data version (``ui.donnees.version``: an import, a rollback or a changed
correspondence changes it). Same builder, same values and same data: same figure, for every
session; any other value, or new data, is another key. A builder must therefore depend on
nothing else (module-level code and constants aside); one closing over something pickle cannot
write (a connection, a nested function) is simply called, not cached.

Figures are handed out as they are, to every session at once: never modify one taken from here
(``st.plotly_chart`` and kaleido only read it, through ``to_dict()``, which a cached figure
computes once instead of deep-copying itself at each draw). Tables are kept as the Arrow tables
``st.dataframe`` sends (immutable; converting a DataFrame to Arrow was most of drawing a table).
Both caches are bounded (least recently used entries go first).
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import inspect
import io
import pickle
import threading
import types
import weakref
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

# A map with its outlines weighs a few MB as a plotly object: 128 figures is about ten filter
# sets of the Bilan trimestriel (11 charts each).
TAILLE_FIGURES = 128
TAILLE_TABLEAUX = 512
# What a page shows, before it is drawn (the parts of a bilan: their frames, takeaways and chart
# builders): a few kB to a few hundred kB each.
TAILLE_CONTENUS = 256


class _Cache:
    """A bounded LRU of values built on demand; one build per key at a time (sessions asking
    for a key being built wait for it rather than build it again)."""

    def __init__(self, taille: int) -> None:
        self.taille = taille
        self._verrou = threading.Lock()
        self._entrees: OrderedDict[tuple, Any] = OrderedDict()
        self._constructions: dict[tuple, threading.Lock] = {}
        self.construits = 0
        self.repris = 0

    def obtenir(self, cle: tuple, construire: Callable[[], Any]) -> Any:
        with self._verrou:
            if cle in self._entrees:
                self._entrees.move_to_end(cle)
                self.repris += 1
                return self._entrees[cle]
            verrou = self._constructions.setdefault(cle, threading.Lock())
        with verrou:
            with self._verrou:
                if cle in self._entrees:
                    self._entrees.move_to_end(cle)
                    self.repris += 1
                    return self._entrees[cle]
            try:
                valeur = construire()
                with self._verrou:
                    self._entrees[cle] = valeur
                    self.construits += 1
                    while len(self._entrees) > self.taille:
                        self._entrees.popitem(last=False)
            finally:
                with self._verrou:
                    self._constructions.pop(cle, None)
        return valeur

    def vider(self) -> None:
        with self._verrou:
            self._entrees.clear()
            self.construits = self.repris = 0

    def __len__(self) -> int:
        return len(self._entrees)


_FIGURES = _Cache(TAILLE_FIGURES)
_TABLEAUX = _Cache(TAILLE_TABLEAUX)
_CONTENUS = _Cache(TAILLE_CONTENUS)

# Digests of the frames held by cached contents (``contenu``), which are read-only: id -> (weak
# reference, digest). A frame leaves when it is freed (its id may then be reused).
_EMPREINTES_FIGEES: dict[int, tuple[weakref.ref, bytes]] = {}


def empreinte(fabrique: Callable, args: tuple = ()) -> tuple | None:
    """What identifies ``fabrique(*args)``: its code and a hash of every value it reads (closure,
    defaults, bound arguments of a ``functools.partial`` or a method, ``args``); None when one of
    them cannot be pickled (then the result is not cached)."""
    cible, lies, mots = fabrique, (), {}
    while isinstance(cible, functools.partial):
        lies, mots = cible.args + lies, {**cible.keywords, **mots}
        cible = cible.func
    if inspect.ismethod(cible):
        lies, cible = (cible.__self__, *lies), cible.__func__
    code = getattr(cible, "__code__", None)
    if code is None:
        return None
    try:
        etat = (tuple(c.cell_contents for c in cible.__closure__ or ()), cible.__defaults__,
                cible.__kwdefaults__, lies, tuple(sorted(mots.items())), args)
        tampon = io.BytesIO()
        _Empreinte(tampon, protocol=pickle.HIGHEST_PROTOCOL).dump(etat)
    except Exception:  # noqa: BLE001 - an empty cell, something pickle cannot write: no cache
        return None
    return (code.co_filename, code.co_qualname, code,
            hashlib.blake2b(tampon.getbuffer(), digest_size=20).digest())


def _contenu_pandas(objet: pd.DataFrame | pd.Series) -> bytes:
    """A digest of a DataFrame's or Series' content: shape, column names, dtypes, then the index
    and each column's values (numbers as their bytes, anything else pickled as a list) — the
    same for equal content whatever its memory layout (pickle's bytes of the frame itself are
    not: a frame read back from Streamlit's cache and the frame first computed may differ)."""
    cadre = objet.to_frame() if isinstance(objet, pd.Series) else objet
    h = hashlib.blake2b(digest_size=20)
    h.update(pickle.dumps((type(objet).__name__, cadre.shape, list(cadre.columns),
                           [str(t) for t in cadre.dtypes], list(cadre.index.names),
                           str(cadre.index.dtype)), protocol=pickle.HIGHEST_PROTOCOL))
    try:    # each column's array, without a Series per column (10 × faster; private pandas)
        colonnes = [cadre._get_column_array(i) for i in range(cadre.shape[1])]
    except AttributeError:  # pragma: no cover - another pandas
        colonnes = [serie.array for _, serie in cadre.items()]
    for valeurs in (cadre.index.to_numpy(), *colonnes):
        if isinstance(valeurs, np.ndarray) and valeurs.dtype.kind in "biufcmM":
            h.update(np.ascontiguousarray(valeurs).tobytes())
        else:   # objects, text, extension arrays: their values, pickled
            h.update(pickle.dumps(valeurs.tolist(), protocol=pickle.HIGHEST_PROTOCOL))
    return h.digest()


def _empreinte_pandas(objet: pd.DataFrame | pd.Series) -> bytes:
    """``_contenu_pandas(objet)``, read from the frozen frames' digests when ``objet`` is one."""
    connue = _EMPREINTES_FIGEES.get(id(objet))
    if connue is not None and connue[0]() is objet:
        return connue[1]
    return _contenu_pandas(objet)


def _figer_cadre(objet: pd.DataFrame | pd.Series) -> None:
    cle = id(objet)
    connue = _EMPREINTES_FIGEES.get(cle)
    if connue is not None and connue[0]() is objet:
        return
    ref = weakref.ref(objet, lambda _ref, cle=cle: _retirer_empreinte(cle, _ref))
    _EMPREINTES_FIGEES[cle] = (ref, _contenu_pandas(objet))


def _retirer_empreinte(cle: int, ref: weakref.ref) -> None:
    connue = _EMPREINTES_FIGEES.get(cle)
    if connue is not None and connue[0] is ref:
        _EMPREINTES_FIGEES.pop(cle, None)


def _figer_donnees(valeur: Any, profondeur: int = 4) -> Any:
    """Record the digest of every frame ``valeur`` holds — in lists, tuples, dicts, the
    attributes of objects (a ``Partie`` and its table) and the values a function closes over (a
    part's chart builder) — down to ``profondeur`` levels: ``valeur`` is a cached content, read
    only, so the frames' digests are computed once instead of at every run. Returns
    ``valeur``."""
    if isinstance(valeur, (pd.DataFrame, pd.Series)):
        _figer_cadre(valeur)
    elif profondeur <= 0 or isinstance(valeur, (str, bytes, int, float, type, types.ModuleType)):
        pass
    elif isinstance(valeur, (list, tuple, set, frozenset)):
        for v in valeur:
            _figer_donnees(v, profondeur - 1)
    elif isinstance(valeur, dict):
        for v in valeur.values():
            _figer_donnees(v, profondeur - 1)
    elif isinstance(valeur, types.FunctionType):
        for cellule in valeur.__closure__ or ():
            try:
                _figer_donnees(cellule.cell_contents, profondeur - 1)
            except ValueError:   # an empty cell
                pass
    elif hasattr(valeur, "__dict__"):
        for v in vars(valeur).values():
            _figer_donnees(v, profondeur - 1)
    return valeur


def _marque_pandas(digest: bytes) -> bytes:  # pragma: no cover - written, never read back
    return digest


class _Empreinte(pickle.Pickler):
    """Pickle, but DataFrames and Series written as the digest of their content, modules as
    their name."""

    def reducer_override(self, objet):
        if isinstance(objet, (pd.DataFrame, pd.Series)):
            return _marque_pandas, (_empreinte_pandas(objet),)
        if isinstance(objet, types.ModuleType):   # a module imported inside a function
            return importlib.import_module, (objet.__name__,)
        return NotImplemented


def _donnees() -> tuple:
    from dashboard.store import db_path
    from dashboard.ui.donnees import version

    return str(db_path()), version()


_CLASSES_FIGEES: dict[type, type] = {}


def _dictionnaire_fige(self) -> dict:
    """``to_dict()`` of a cached figure: computed once (plotly deep-copies the whole figure at
    each call, and ``st.plotly_chart`` calls it at every draw: ≈ 15 ms for a map with its
    outlines), then handed out as a new top-level dict over the same, never-modified content."""
    fige = self.__dict__.get("_dictionnaire_fige")
    if fige is None:
        fige = super(type(self), self).to_dict()
        object.__setattr__(self, "_dictionnaire_fige", fige)
    copie = _DictionnaireFige(fige)
    copie.figure = self
    return copie


class _DictionnaireFige(dict):
    """The ``to_dict()`` of a cached figure, knowing its figure (``st.plotly_chart`` passes the
    dict, not the figure, to ``plotly.io.to_json``: see ``_json_memorise``)."""

    __slots__ = ("figure",)

    def __reduce__(self):   # pickled (a figure pickles its to_dict()) as the plain dict it is
        return dict, (dict(self),)

    def __copy__(self) -> dict:
        return dict(self)

    def intact(self) -> bool:
        """Still the figure's content: the same top-level keys holding the same objects."""
        fige = self.figure.__dict__.get("_dictionnaire_fige")
        return (fige is not None and self.keys() == fige.keys()
                and all(self[k] is fige[k] for k in fige))


def _figer(valeur: Any) -> Any:
    """A plotly figure made read-only in practice: its ``to_dict()`` memoised (see above). Any
    other value is returned as it is."""
    from plotly.basedatatypes import BaseFigure

    if not isinstance(valeur, BaseFigure) or type(valeur) in _CLASSES_FIGEES.values():
        return valeur
    classe = type(valeur)
    if classe not in _CLASSES_FIGEES:
        nom = f"{classe.__name__}Figee"
        _CLASSES_FIGEES[classe] = globals()[nom] = type(   # a module attribute: picklable
            nom, (classe,), {"to_dict": _dictionnaire_fige, "__module__": __name__,
                             "__qualname__": nom})
    valeur.__class__ = _CLASSES_FIGEES[classe]
    return valeur


def _json_memorise(origine: Callable) -> Callable:
    """``plotly.io.to_json`` keeping, on a cached figure, the JSON it wrote: ``st.plotly_chart``
    writes the whole figure at every draw (≈ 2 ms a bar chart, ≈ 10 ms a map with its outlines),
    the same text for every session. It passes the figure's ``to_dict()``: a dict still holding
    the cached figure's content is written from the memo too. Anything else, or other options,
    goes to ``origine``."""

    @functools.wraps(origine)
    def to_json(fig, validate=True, pretty=False, remove_uids=True, engine=None):
        if isinstance(fig, _DictionnaireFige) and fig.intact():
            source = fig.figure
        elif type(fig) in _CLASSES_FIGEES.values():
            source = fig
        else:
            source = None
        if source is None or pretty or engine is not None:
            return origine(fig, validate=validate, pretty=pretty, remove_uids=remove_uids,
                           engine=engine)
        options = (bool(validate), bool(remove_uids), _moteur_json())
        memo = source.__dict__.get("_json_fige")
        if memo is None or memo[0] != options:
            memo = (options, origine(source, validate=validate, remove_uids=remove_uids))
            object.__setattr__(source, "_json_fige", memo)
        return memo[1]

    to_json.json_memorise = True
    return to_json


def _moteur_json() -> str:
    import plotly.io as pio

    return str(pio.json.config.default_engine)


def installer_json_memorise() -> None:
    """Make ``plotly.io.to_json`` — which ``st.plotly_chart`` calls — keep the JSON of cached
    figures (``_json_memorise``). Idempotent; done when this module is imported."""
    import plotly.io as pio

    if not getattr(pio.to_json, "json_memorise", False):
        pio.to_json = _json_memorise(pio.to_json)


def figure(fabrique: Callable[..., Any], *args) -> Any:
    """``fabrique(*args)`` — a plotly figure — built once for these values and this data
    version, then shared (read-only) by every rerun and session."""
    cle = empreinte(fabrique, args)
    if cle is None:
        return fabrique(*args)
    return _FIGURES.obtenir((*_donnees(), *cle), lambda: _figer(fabrique(*args)))


def contenu(fabrique: Callable[..., Any], *args) -> Any:
    """``fabrique(*args)`` — what a page shows before it is drawn, e.g.
    ``contenu_bilan.parties(calcul, 2025, 2, "mad", filtres)`` — built once for these values and
    this data version, then shared by every rerun and session: **read-only** (the frames it holds
    are hashed once, see ``_figer_donnees``). Keyed like ``figure``; a builder or an argument
    pickle cannot write is simply called."""
    cle = empreinte(fabrique, args)
    if cle is None:
        return fabrique(*args)
    return _CONTENUS.obtenir(("contenu", *_donnees(), *cle),
                             lambda: _figer_donnees(fabrique(*args)))


def tableau(fabrique: Callable[[], pd.DataFrame]):
    """``fabrique()`` — a table formatted for display — built once for these values and this
    data version, as the Arrow table ``st.dataframe`` makes of it (Streamlit's own conversion,
    so the bytes sent are the same): an Arrow table is immutable, and ``st.dataframe`` sends
    it without converting it again. Not cacheable: the DataFrame itself."""
    cle = empreinte(fabrique)
    if cle is None:
        return fabrique()
    return _TABLEAUX.obtenir((*_donnees(), *cle), lambda: _arrow(fabrique()))


def _arrow(df: pd.DataFrame):
    from streamlit import dataframe_util

    return dataframe_util.convert_pandas_df_to_arrow_table(df)


def statistiques() -> dict[str, int]:
    """Figures, tables and contents built and served from the cache since the last
    ``vider()``."""
    return {"figures_construites": _FIGURES.construits, "figures_reprises": _FIGURES.repris,
            "figures_en_cache": len(_FIGURES), "tableaux_construits": _TABLEAUX.construits,
            "tableaux_repris": _TABLEAUX.repris, "tableaux_en_cache": len(_TABLEAUX),
            "contenus_construits": _CONTENUS.construits, "contenus_repris": _CONTENUS.repris,
            "contenus_en_cache": len(_CONTENUS)}


def vider() -> None:
    """Forget every figure and table (benchmarks and tests; never needed after an import)."""
    _FIGURES.vider()
    _TABLEAUX.vider()
    _CONTENUS.vider()
    _EMPREINTES_FIGEES.clear()


installer_json_memorise()
