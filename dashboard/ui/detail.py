"""Links from a figure of the bilan to the rows behind it (page « Mises à disposition »).

The page ``pages/mises-a-disposition.py`` (URL path ``mises-a-disposition``) lists the MAD a
figure counts; every link to it carries the figure's filters in the address, with the names of
``dashboard.ui.filtres`` (``annee``, ``trimestre``, ``vue``, ``departement``, ``epci``,
``bailleur``, ``type``, ``reservataire``, ``statut``), then ``par`` and ``cle`` (the figure's axis
and key) and ``periode`` (only when not ``cumul``): a link opens the same rows in any session.

- ``lien_detail(par, cle, selection, **restrictions)``: the URL of the rows of one figure (a
  bar, a table row, a map's territory; a heatmap's cell with ``restrictions``);
- ``colonne_liens(df, par, selection)``: a table of the bilan with a link column;
- ``lien_selection(selection, total)``: « Voir les N mises à disposition — … » under a page's
  heading (the key of the only filter set, once a click on a bar has narrowed the page);
- ``liens_par_axe(calcul, selection)``: an expander with, for each axis of the bilan, a table of
  its keys with their count and a link each;
- ``tableau_detail(df)``: the rows for people, sortable (dates kept as dates).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from dashboard.formatting import VIDE
from dashboard.metrics import AXES
from dashboard.metrics.detail import EN_TETES_DETAIL, NOMS_AXES_DETAIL, decompte, intitule
from dashboard.ui import figures
from dashboard.ui.filtres import CHAMPS_FILTRES, Selection
from dashboard.ui.liens import lien_page
from dashboard.ui.texte import texte_brut

URL_PATH = "mises-a-disposition"
PAGE = "pages/mises-a-disposition.py"
# The bilan's axes a filter of the pages narrows to (URL parameter -> axis).
AXES_DES_FILTRES = {"departement": "departement", "epci": "epci", "bailleur": "bailleur",
                    "type": "type_reservataire", "reservataire": "reservataire"}
LIBELLE_LIEN = "Voir les mises à disposition"


def parametres_detail(selection: Selection, par: str | None = None, cle: str | None = None,
                      periode: str = "cumul") -> dict[str, str]:
    """The query parameters of the rows of a figure (the filters' names of ``ui.filtres``)."""
    params = {"annee": str(selection.annee), "trimestre": str(selection.trimestre)}
    if selection.vue != "mad":
        params["vue"] = selection.vue
    for nom, champ in CHAMPS_FILTRES.items():
        codes = getattr(selection.filtres, champ)
        if codes:
            params[nom] = ",".join(codes)
    if par is not None and cle is not None:
        params["par"] = par
        params["cle"] = str(cle)
    if periode != "cumul":
        params["periode"] = periode
    return params


def restreindre(selection: Selection, **codes: str | tuple[str, ...]) -> Selection:
    """``selection`` with some filters replaced (fields of ``Filtres``): the second key of a
    heatmap cell, e.g. ``restreindre(sel, bailleur="OLS01")`` for the cell OLS01 × ETAT."""
    from dataclasses import replace

    return replace(selection, filtres=replace(selection.filtres, **codes))


def lien_detail(par: str | None, cle: str | None, selection: Selection,
                periode: str = "cumul", **restrictions: str | tuple[str, ...]) -> str:
    """The URL (relative to the app's pages: it works under any base path) of the MAD the bilan
    counts for key ``cle`` of axis ``par`` with the filters of ``selection`` — the whole
    selection when ``par`` and ``cle`` are None. E.g.
    ``mises-a-disposition?annee=2025&trimestre=2&departement=13&par=reservataire&cle=ETAT-13``.

    ``restrictions`` replace filters (fields of ``Filtres``) for a figure with two keys: the
    heatmap's cell OLS01 × ETAT is ``lien_detail("type_reservataire", "ETAT", sel,
    bailleur="OLS01")``; a map's EPCI is ``lien_detail("epci", siren, sel)``."""
    if restrictions:
        selection = restreindre(selection, **restrictions)
    return URL_PATH + "?" + urlencode(parametres_detail(selection, par, cle, periode), safe=",")


def colonne_liens(df: pd.DataFrame, par: str, selection: Selection, colonne_cle: str = "cle",
                  nom: str = "Lien") -> tuple[pd.DataFrame, dict]:
    """``df`` (rows of the bilan on axis ``par``) with a column ``nom`` holding each row's link
    to its MAD, and the ``column_config`` that shows it as « Voir les mises à disposition » in
    ``st.dataframe``: ``st.dataframe(table, column_config=config)``."""
    table = df.copy()
    table[nom] = [lien_detail(par, str(c), selection) for c in df[colonne_cle]]
    return table, {nom: st.column_config.LinkColumn(nom, display_text=LIBELLE_LIEN)}


def figure_de_la_selection(selection: Selection) -> tuple[str | None, str | None]:
    """(axis, key) when the selection is narrowed to one key of one axis (a click on a bar sets
    such a filter), (None, None) otherwise."""
    poses = [(nom, getattr(selection.filtres, champ)) for nom, champ in CHAMPS_FILTRES.items()
             if getattr(selection.filtres, champ)]
    if len(poses) == 1 and poses[0][0] in AXES_DES_FILTRES and len(poses[0][1]) == 1:
        return AXES_DES_FILTRES[poses[0][0]], poses[0][1][0]
    return None, None


def lien_selection(selection: Selection, total: pd.DataFrame,
                   libelle: Callable[[str, str], str] | None = None) -> None:
    """« Voir les 56 mises à disposition — Réservataire … » (or « de la sélection »): a link to
    the rows behind the page's figures. ``total``: the bilan's total row of the selection;
    ``libelle(par, cle)`` names a key."""
    if total is None or total.empty:
        return
    n = int(total.iloc[0]["mises_a_disposition"])
    if n == 0:
        return
    par, cle = figure_de_la_selection(selection)
    if par is not None:
        nom = libelle(par, cle) if libelle is not None else cle
        de = f"— {intitule(par, cle, nom)}"
    else:
        de = "de la sélection"
    if n == 1:
        quoi = "la mise à disposition" if selection.vue == "mad" else "le bail signé"
    else:
        quoi = "les " + decompte(n, selection.vue).removesuffix(" (par date de bail)")
    lien_page(PAGE, label=texte_brut(f"Voir {quoi} {de}"), icon=":material/table_rows:",
              query_params=parametres_detail(selection, par, cle))


def liens_par_axe(calcul: Callable, selection: Selection,
                  axes: tuple[str, ...] = AXES) -> None:
    """An expander « Les mises à disposition derrière chaque chiffre »: for each axis a tab with
    its keys (label, count) and a link each to their rows. ``calcul``: the page's cached
    ``dashboard.ui.donnees.calcul``."""
    with st.expander("Les mises à disposition derrière chaque chiffre", icon=":material/link:"):
        st.caption("Chaque lien ouvre la liste des mises à disposition comptées dans le chiffre "
                   "de la ligne, avec les filtres de la page.")
        for onglet, par in zip(st.tabs([NOMS_AXES_DETAIL[p] for p in axes]), axes):
            with onglet:
                # built once per selection and data version, shared by every session
                liens = figures.contenu(_liens_de_l_axe, calcul, selection, par)
                if liens is None:
                    st.info("Aucune mise à disposition pour cette sélection.")
                    continue
                table, config = liens
                st.dataframe(figures.tableau(lambda table=table: table), hide_index=True,
                             key=f"liens_detail_{par}", column_config=config)


def _liens_de_l_axe(calcul: Callable, selection: Selection,
                    par: str) -> tuple[pd.DataFrame, dict] | None:
    """The keys of axis ``par`` with MAD (label, key, count) and a link each to their rows, with
    the ``column_config`` showing the links; None when no key has any."""
    a, q, v, f = selection.annee, selection.trimestre, selection.vue, selection.filtres
    df = calcul("bilan", a, q, par, vue=v, filtres=f)
    df = df[df["mises_a_disposition"] > 0]
    if df.empty:
        return None
    return colonne_liens(pd.DataFrame({
        "Libellé": df["libelle"].astype(object),
        "Clé": df["cle"].astype(object),
        "Mises à disposition" if v == "mad" else "Baux signés":
            df["mises_a_disposition"].astype("int64"),
    }), par, selection, colonne_cle="Clé")


# --- the rows for people ------------------------------------------------------------------------

COLONNES_DATES = ("date_mise_a_disposition", "date_bail")


def lignes_lisibles(calcul: Callable, selection: Selection, par: str | None, cle: str | None,
                    periode: str) -> pd.DataFrame:
    """``metrics.detail.lisible`` of the rows behind the figure (``calcul``: the page's cached
    ``dashboard.ui.donnees.calcul``)."""
    from dashboard.metrics.detail import lisible

    return lisible(calcul("detail", selection.annee, selection.trimestre, par, cle,
                          vue=selection.vue, periode=periode, filtres=selection.filtres))


def tableau_detail(lisibles: pd.DataFrame, hauteur: int | None = None) -> None:
    """The rows of ``metrics.detail.lisible`` in a sortable table: French headings, dates kept as
    dates (sorting by date works) shown ``30/06/2025``, missing values as « — »."""
    vue = lisibles.copy()
    for col in vue.columns:
        if col not in COLONNES_DATES:
            vue[col] = vue[col].map(lambda x: VIDE if x is None or x is pd.NA else x)
    vue = vue.rename(columns=EN_TETES_DETAIL)
    st.dataframe(vue, hide_index=True, height=hauteur if hauteur else "auto", column_config={
        EN_TETES_DETAIL[c]: st.column_config.DateColumn(EN_TETES_DETAIL[c], format="DD/MM/YYYY")
        for c in COLONNES_DATES})


# --- the page « Mises à disposition » -----------------------------------------------------------

# Every filter of the bilan, statut included.
FILTRES = ("departement", "epci", "bailleur", "type", "reservataire", "statut")
TAILLE_PAGE = 500
CLE_PERIODE = "detail_periode"
CLE_TRI = "detail_tri"
CLE_PAGE = "detail_page"
CLE_SIGNATURE = "_detail_signature"
PERIODES = {"cumul": "Cumul depuis le 1er janvier", "trimestre": "Trimestre seul"}
# Sort orders of the whole selection (before it is cut into pages): column, then the date.
TRIS = {
    "date_mise_a_disposition": "Date de mise à disposition",
    "date_bail": "Date du bail",
    "bailleur": "Bailleur",
    "commune": "Commune",
    "reservataire": "Réservataire",
    "issue": "Issue",
    "convention": "Convention",
}


def figure_demandee() -> tuple[str | None, str | None]:
    """The figure's axis and key from the address (``par``, ``cle``): both, or neither."""
    from dashboard.ui.adresse import depuis_url

    par = depuis_url("par", AXES)
    cle = depuis_url("cle")
    if par is None or not cle:
        return None, None
    return par, cle


def choix_periode(par: str | None) -> str:
    """The period of the figure (``periode`` in the address; « cumul » by default). No choice on
    the axis 'trimestre', where each key is its own quarter."""
    from dashboard.ui.adresse import depuis_url, vers_url

    if par == "trimestre":
        vers_url({"periode": None})
        return "cumul"
    if CLE_PERIODE not in st.session_state:
        st.session_state[CLE_PERIODE] = depuis_url("periode", PERIODES, defaut="cumul")
    periode = st.sidebar.radio("Période", list(PERIODES), format_func=PERIODES.get,
                               key=CLE_PERIODE)
    vers_url({"periode": None if periode == "cumul" else periode})
    return periode


def toute_la_selection() -> None:
    """Forget the figure (``par``, ``cle``): the page then lists the whole selection."""
    from dashboard.ui.adresse import vers_url

    vers_url({"par": None, "cle": None, "page": None})


def liens_de_navigation(selection: Selection, par: str | None) -> None:
    """Back to the bilan (same filters), and from one figure to the whole selection."""
    gauche, droite = st.columns(2)
    with gauche:
        lien_page("pages/bilan.py", label="Retour au bilan trimestriel",
                  icon=":material/arrow_back:", query_params=parametres_detail(selection))
    if par is not None:
        droite.button("Toute la sélection", on_click=toute_la_selection, key="detail_tout",
                      icon=":material/select_all:")


def _trier(lisibles: pd.DataFrame, tri: str) -> pd.DataFrame:
    if tri == "date_mise_a_disposition":
        return lisibles
    # missing values last, the rows' order (by date) kept within equal values
    return lisibles.sort_values(tri, kind="stable", na_position="last",
                                key=lambda s: s if s.dtype.kind == "M" else
                                s.map(lambda x: None if x is None else str(x).casefold()))


def page_de_lignes(lisibles: pd.DataFrame, signature: tuple) -> pd.DataFrame:
    """Sort (« Trier par ») and page selector (``TAILLE_PAGE`` rows a page, « lignes 1 à 500
    sur 12 345 »), both in the address (``tri``, ``page``); back to page 1 when the selection
    (``signature``) or the order changes. Returns the rows of the page."""
    from dashboard.formatting import nombre
    from dashboard.ui.adresse import depuis_url, vers_url

    n = len(lisibles)
    pages = max(1, -(-n // TAILLE_PAGE))
    if CLE_TRI not in st.session_state:
        st.session_state[CLE_TRI] = depuis_url("tri", TRIS, defaut="date_mise_a_disposition")
    gauche, milieu, droite = st.columns([2, 2, 3], vertical_alignment="bottom")
    tri = gauche.selectbox("Trier par", list(TRIS), format_func=TRIS.get, key=CLE_TRI)
    signature = (*signature, tri)
    if CLE_PAGE not in st.session_state:       # a new visit: the address says which page
        st.session_state[CLE_PAGE] = depuis_url("page", range(1, pages + 1), int, 1)
    elif (st.session_state.get(CLE_SIGNATURE) != signature
          or st.session_state[CLE_PAGE] > pages):
        st.session_state[CLE_PAGE] = 1
    st.session_state[CLE_SIGNATURE] = signature
    page = milieu.selectbox("Page", list(range(1, pages + 1)), key=CLE_PAGE,
                            format_func=lambda p: f"{p} sur {pages}", disabled=pages == 1)
    debut, fin = (page - 1) * TAILLE_PAGE, min(page * TAILLE_PAGE, n)
    droite.markdown(f"lignes {nombre(debut + 1)} à {nombre(fin)} sur {nombre(n)}")
    vers_url({"tri": None if tri == "date_mise_a_disposition" else tri,
              "page": None if page == 1 else str(page)})
    # sorted once per selection and order (figures.contenu), then cut
    return figures.contenu(_trier, lisibles, tri).iloc[debut:fin]


def nom_fichier(selection: Selection, par: str | None, cle: str | None) -> str:
    """``mises_a_disposition_2025_T2_reservataire_ETAT-13`` (no character a file name fears)."""
    import re

    nom = f"mises_a_disposition_{selection.annee}_T{selection.trimestre}"
    if selection.vue == "baux":
        nom += "_baux"
    if par is not None:
        nom += f"_{par}_{cle}"
    return re.sub(r"[^0-9A-Za-z_.-]+", "_", nom)
