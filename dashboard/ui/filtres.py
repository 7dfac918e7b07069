"""The filters of the bilan pages, bound to the URL: any view is a link that reopens it.

Each filter lives in three places: the widget (its session-state key), a shadow copy that
survives page changes (Streamlit forgets the state of widgets a page does not draw), and the
query string (`?annee=2025&trimestre=2&bailleur=OLS01,OLS02&vue=baux`). On a fresh session the
URL wins; afterwards the widgets do, and the URL follows them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import streamlit as st

from dashboard.calendrier import fin_trimestre
from dashboard.metrics import Filtres
from dashboard.ui import etat
from dashboard.ui.adresse import depuis_url, vers_url
from dashboard.ui.donnees import calcul

# URL parameter -> (kind, Filtres field or None)
PARAMETRES = {
    "annee": "entier",
    "trimestre": "entier",
    "vue": "texte",
    "departement": "liste",
    "epci": "liste",
    "bailleur": "liste",
    "type": "liste",
    "reservataire": "liste",
    "statut": "liste",
}
CHAMPS_FILTRES = {"departement": "departement", "epci": "epci", "bailleur": "bailleur",
                  "type": "type_reservataire", "reservataire": "reservataire",
                  "statut": "statut"}
LIBELLES = {"departement": "Département", "epci": "EPCI", "bailleur": "Bailleur",
            "type": "Type de réservataire", "reservataire": "Réservataire",
            "statut": "Statut de la convention"}
VUES = {"mad": "Mises à disposition", "baux": "Baux signés"}
FINS_TRIMESTRE = {1: "31/03", 2: "30/06", 3: "30/09", 4: "31/12"}


@dataclass(frozen=True)
class Selection:
    annee: int
    trimestre: int
    vue: str
    filtres: Filtres

    @property
    def fin_periode(self) -> date:
        """Last day of the quarter: the bilan is "au 30/06/2025"."""
        return fin_trimestre(self.annee, self.trimestre)


def _cle(nom: str) -> str:
    return f"{etat.PREFIXE_FILTRE}{nom}"


def _ombre(nom: str) -> str:
    return f"{etat.PREFIXE_OMBRE}{nom}"


_LECTEURS = {"entier": int, "liste": lambda brut: [c for c in str(brut).split(",") if c]}


def _depuis_url(nom: str):
    return depuis_url(nom, lire=_LECTEURS.get(PARAMETRES[nom], str))


def _page_courante() -> str:
    """Which page is running (Streamlit mixes the page into each widget's identity)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return getattr(ctx, "page_script_hash", "") or ""


def _initialiser(nom: str, defaut, valides=None, nouvelle_page: bool = False) -> None:
    """Give the widget its value before it is drawn: URL on a fresh session, else the shadow.

    On the first run of a page reached from another one, the key of the other page's widget is
    still in the session state but the new widget would not take its value: it is set again.
    """
    cle = _cle(nom)
    if cle in st.session_state and not nouvelle_page:
        return
    valeur = st.session_state.get(_ombre(nom))
    if valeur is None or not st.session_state.get(etat.FILTRES_INITIALISES):
        depuis_url = _depuis_url(nom)
        if depuis_url is not None:
            valeur = depuis_url
    if valeur is None:
        valeur = defaut
    if valides is not None:
        if isinstance(valeur, list):
            valeur = [v for v in valeur if v in valides]
        elif valeur not in valides:
            valeur = defaut
    st.session_state[cle] = valeur


def appliquer_selection_en_attente() -> None:
    """A clicked bar narrows the page: its code, queued by `demander_filtre`, is applied here,
    before the widgets are drawn."""
    attente = st.session_state.pop(etat.FILTRE_EN_ATTENTE, None)
    if attente:
        nom, codes = attente
        st.session_state[_cle(nom)] = list(codes)
        st.session_state[_ombre(nom)] = list(codes)


def demander_filtre(nom: str, codes: list[str]) -> None:
    """Queue a filter change (from a chart selection) and rerun the page."""
    st.session_state[etat.FILTRE_EN_ATTENTE] = (nom, list(codes))
    st.rerun()


def barre_filtres(avec: tuple[str, ...] = ("departement", "epci", "bailleur", "type",
                                          "reservataire"), vue: bool = True) -> Selection:
    """Draw the filters in the sidebar and return the selection; keep the URL in step."""
    appliquer_selection_en_attente()
    page = _page_courante()
    nouvelle_page = st.session_state.get(etat.PAGE_DES_FILTRES) != page
    st.session_state[etat.PAGE_DES_FILTRES] = page
    annees = calcul("annees_disponibles")
    annee_defaut, trimestre_defaut = calcul("periode_par_defaut")
    if not annees:
        annees = [annee_defaut]
    barre = st.sidebar
    barre.header("Filtres")
    _initialiser("annee", annee_defaut, annees, nouvelle_page)
    annee = barre.selectbox("Année", annees, key=_cle("annee"))
    _initialiser("trimestre", trimestre_defaut, [1, 2, 3, 4], nouvelle_page)
    # The label must not depend on the year: the browser matches the value by its label.
    trimestre = barre.selectbox("Bilan au", [1, 2, 3, 4], key=_cle("trimestre"),
                                format_func=lambda q: f"T{q} — {FINS_TRIMESTRE[q]}")
    choix_vue = "mad"
    if vue:
        _initialiser("vue", "mad", list(VUES), nouvelle_page)
        choix_vue = barre.radio("Décompte", list(VUES), key=_cle("vue"), format_func=VUES.get,
                                horizontal=True)
    options = calcul("options_filtres", annee)
    valeurs = {}
    for nom in avec:
        table = options[CHAMPS_FILTRES[nom]]
        codes = list(table["cle"])
        libelles = dict(zip(table["cle"], table["libelle"]))
        _initialiser(nom, [], codes, nouvelle_page)
        valeurs[nom] = barre.multiselect(LIBELLES[nom], codes, key=_cle(nom),
                                         format_func=lambda c, l=libelles: l.get(c, c),
                                         placeholder="Tous")
    st.session_state[etat.FILTRES_INITIALISES] = True
    for nom in ("annee", "trimestre", "vue", *avec):
        if _cle(nom) in st.session_state:
            st.session_state[_ombre(nom)] = st.session_state[_cle(nom)]
    selection = Selection(int(annee), int(trimestre), choix_vue,
                          Filtres(**{CHAMPS_FILTRES[n]: tuple(v) for n, v in valeurs.items()}))
    _vers_url(selection, avec, (annee_defaut, trimestre_defaut))
    return selection


def _vers_url(selection: Selection, avec: tuple[str, ...], defauts: tuple[int, int]) -> None:
    """Write the selection into the query string (keeping other parameters such as `mode`)."""
    voulu = {"annee": str(selection.annee), "trimestre": str(selection.trimestre)}
    if selection.vue != "mad":
        voulu["vue"] = selection.vue
    for nom in avec:
        codes = getattr(selection.filtres, CHAMPS_FILTRES[nom])
        if codes:
            voulu[nom] = ",".join(codes)
    vers_url({nom: voulu.get(nom) for nom in PARAMETRES})
