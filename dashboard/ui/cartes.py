"""The maps on the pages: the map with its table beside it, its selectors and the sentence said
beside it; a click on a territory narrows the page to it, as a click on a bar does.

What each map shows is defined in ``dashboard.contenu_cartes``; the figures in
``dashboard.charts.cartes``. Maps are drawn with ``reference_cartes.CONFIG_PLOTLY`` (plotly's
``topojsonURL`` pointing at the app's own empty world topology: nothing is fetched from outside).
In presentation mode each map is a slide, after the part of the page it belongs to.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import streamlit as st

from dashboard import contenu_cartes, reference_cartes
from dashboard.contenu_bilan import Partie
from dashboard.contenu_cartes import PartieCarte
from dashboard.ui import figures
from dashboard.ui.filtres import Selection, demander_filtre
from dashboard.ui.sections import afficher_blocs, tableau, telechargements
from dashboard.ui.texte import texte_brut

# Session keys of the selectors (kept while the person moves between pages).
CLE_INDICATEUR_BILAN = "carte_bilan_indicateur"
CLE_INDICATEUR_COMMUNES = "carte_communes_indicateur"
CLE_MAILLE_SIGNATURES = "carte_signatures_maille"
CLE_PERIMETRES_SIGNATURES = "carte_signatures_perimetres"
CLE_INDICATEUR_SIGNATURES = "carte_signatures_indicateur"
CLE_DOCUMENT = "carte_documents_document"


@dataclass(frozen=True)
class Carte:
    """A map of a page: after the part whose key is ``apres`` (None: after the last part),
    drawn by ``section`` in a page and as the slide ``diapositive()`` (None: no slide)."""

    apres: str | None
    section: Callable[[], None]
    diapositive: Callable[[], Partie | None]


def codes_selectionnes(evenement) -> list[str]:
    """The keys (``customdata``) of the territories clicked, sorted, without repeats."""
    points = evenement.selection.points if evenement and evenement.selection else []
    codes = []
    for p in points:
        donnee = p.get("customdata")
        if isinstance(donnee, list):
            donnee = donnee[0] if donnee else None
        if donnee not in (None, "", "None", "NON_VENTILE"):
            codes.append(str(donnee))
    return sorted(set(codes))


def graphique(figure, cle: str, cliquable: bool = False, hauteur: int | None = None) -> list[str]:
    """Draw a map (offline config); return the keys clicked when ``cliquable``."""
    options = dict(theme=None, key=f"{cle}_carte", config=reference_cartes.CONFIG_PLOTLY)
    if hauteur:
        options["height"] = hauteur
    if not cliquable:
        st.plotly_chart(figure, **options)
        return []
    evenement = st.plotly_chart(figure, on_select="rerun", selection_mode="points", **options)
    return codes_selectionnes(evenement)


def choix(libelle: str, options: dict[str, str], cle: str, defaut: str | None = None) -> str:
    """A horizontal radio of French labels; returns the chosen value."""
    valeurs = list(options)
    if st.session_state.get(cle) not in valeurs:
        st.session_state[cle] = defaut if defaut in valeurs else valeurs[0]
    return st.radio(libelle, valeurs, key=cle, format_func=options.get, horizontal=True)


def partie(fabrique: Callable[..., PartieCarte], *args) -> PartieCarte:
    """``fabrique(*args)`` (a map's part of ``contenu_cartes``), built once per selection and
    data version and shared by every session (``figures.contenu``)."""
    return figures.contenu(fabrique, *args)


def valeur_choisie(cle: str, options: dict[str, str], defaut: str) -> str:
    """A selector's value without drawing it (presentation mode)."""
    valeur = st.session_state.get(cle)
    return valeur if valeur in options else defaut


def dessiner(partie: PartieCarte, actuels: Sequence[str] = ()) -> None:
    """Takeaway, map | table and downloads, the sentence under the map; a click on a territory
    narrows the page (``partie.filtre_au_clic``) unless it already is on those codes."""
    if partie.donnees is None or partie.donnees.empty:
        st.info(partie.vide)
        return
    if partie.message:
        st.markdown(f"**{texte_brut(partie.message)}**")
    gauche, droite = st.columns([3, 2], gap="medium")
    with gauche:
        codes = graphique(figures.figure(partie.figure, "normale"), partie.cle,   # built once
                          bool(partie.filtre_au_clic))
        if partie.note:
            st.markdown(texte_brut(partie.note))
    with droite:
        affiche = partie.tableau
        tableau(affiche, en_tetes=partie.en_tetes, hauteur=min(480, 38 + 35 * len(affiche)))
        telechargements(affiche, partie.cle, partie.cle, figure=lambda: partie.figure("normale"),
                        en_tetes=partie.en_tetes)
    if codes and partie.filtre_au_clic and codes != sorted(actuels):
        demander_filtre(partie.filtre_au_clic, codes)


def diapositive(partie: Partie | None) -> Partie | None:
    """A map as a slide: its takeaway followed by its sentence, in a few words."""
    if isinstance(partie, PartieCarte):
        return dataclasses.replace(partie, message=partie.message_complet(court=True))
    return partie


def afficher_blocs_et_cartes(titre_page: str, blocs: list[Partie], cartes: list[Carte]) -> None:
    """The page's parts with its maps after the parts they belong to: sections, or one slide
    each in presentation mode."""
    from dashboard.ui import presentation

    cles = {b.cle for b in blocs}
    if presentation.actif():
        suite: list[Partie] = []
        for b in blocs:
            suite.append(b)
            suite += [c.diapositive() for c in cartes if c.apres == b.cle]
        suite += [c.diapositive() for c in cartes if c.apres not in cles]
        afficher_blocs(titre_page, [diapositive(p) for p in suite if p is not None])
        return
    for b in blocs:
        afficher_blocs(titre_page, [b])
        for c in cartes:
            if c.apres == b.cle:
                c.section()
    for c in cartes:
        if c.apres not in cles:
            c.section()


# --- Bilan trimestriel -----------------------------------------------------------------------


def cartes_bilan(obtenir: Callable, sel: Selection) -> list[Carte]:
    """The maps of the Bilan trimestriel, after the EPCI bar chart: the EPCI (taux de
    réalisation, écart or MAD), and the communes of the chosen département or EPCI."""
    a, q, v, f = sel.annee, sel.trimestre, sel.vue, sel.filtres

    def section_epci() -> None:
        st.subheader("Carte des EPCI")
        valeur = choix("Colorer les EPCI par", contenu_cartes.INDICATEURS_CARTE_BILAN,
                       CLE_INDICATEUR_BILAN)
        dessiner(partie(contenu_cartes.partie_carte_epci, obtenir, a, q, v, f, valeur), f.epci)

    def section_communes() -> None:
        if not contenu_cartes.territoire_choisi(f):
            return
        st.subheader("Carte des communes du territoire choisi")
        valeur = choix("Colorer les communes par", contenu_cartes.INDICATEURS_CARTE_COMMUNES,
                       CLE_INDICATEUR_COMMUNES)
        dessiner(partie(contenu_cartes.partie_carte_communes, obtenir, a, q, v, f, valeur))

    return [
        Carte("epci", section_epci, lambda: partie(
            contenu_cartes.partie_carte_epci, obtenir, a, q, v, f,
            valeur_choisie(CLE_INDICATEUR_BILAN, contenu_cartes.INDICATEURS_CARTE_BILAN,
                           "taux_realisation"))),
        Carte("epci", section_communes, lambda: partie(
            contenu_cartes.partie_carte_communes, obtenir, a, q, v, f,
            valeur_choisie(CLE_INDICATEUR_COMMUNES, contenu_cartes.INDICATEURS_CARTE_COMMUNES,
                           "mises_a_disposition"))),
    ]


# --- Signatures des conventions --------------------------------------------------------------


def carte_signatures(obtenir: Callable, sel: Selection, apres: str | None) -> Carte:
    """The share of conventions signed per EPCI or per département, on the Signatures page."""
    a, f = sel.annee, sel.filtres

    def section() -> None:
        st.subheader("Carte des signatures")
        colonnes = st.columns([1, 2, 2])
        with colonnes[0]:
            maille = choix("Territoires", contenu_cartes.MAILLES_SIGNATURES,
                           CLE_MAILLE_SIGNATURES)
        with colonnes[1]:
            valeur = choix("Colorer par", contenu_cartes.INDICATEURS_SIGNATURES,
                           CLE_INDICATEUR_SIGNATURES)
        perimetres = "tous"
        if maille == "epci":
            with colonnes[2]:
                perimetres = choix("Conventions comptées", contenu_cartes.PERIMETRES_SIGNATURES,
                                   CLE_PERIMETRES_SIGNATURES)
        actuels = f.epci if maille == "epci" else f.departement
        dessiner(partie(contenu_cartes.partie_signatures, obtenir, a, f, maille, perimetres,
                        valeur), actuels)
        if maille == "epci":
            st.caption(
                "Les conventions d'un EPCI sont celles qui couvrent son territoire : la sienne, "
                "celles de ses communes et les conventions départementales des bailleurs qui y "
                "ont du parc (une convention départementale compte dans chaque EPCI où son "
                "bailleur a du parc, comme sur l'axe EPCI du bilan).")

    def slide() -> Partie:
        maille = valeur_choisie(CLE_MAILLE_SIGNATURES, contenu_cartes.MAILLES_SIGNATURES, "epci")
        return partie(
            contenu_cartes.partie_signatures, obtenir, a, f, maille,
            valeur_choisie(CLE_PERIMETRES_SIGNATURES, contenu_cartes.PERIMETRES_SIGNATURES,
                           "tous") if maille == "epci" else "tous",
            valeur_choisie(CLE_INDICATEUR_SIGNATURES, contenu_cartes.INDICATEURS_SIGNATURES,
                           "taux_signature"))

    return Carte(apres, section, slide)


def section_documents(obtenir: Callable, actuels: Sequence[str] = ()) -> None:
    """The statut of one EPCI document per EPCI, on the map (a selector of the document); a
    click on an EPCI narrows the page to it (``actuels``: the EPCI it is already narrowed to)."""
    st.markdown("**Sur la carte**")
    document = choix("Document", contenu_cartes.DOCUMENTS, CLE_DOCUMENT)
    dessiner(partie(contenu_cartes.partie_documents, obtenir, document), actuels)


def diapositive_documents(obtenir: Callable) -> Partie:
    return partie(contenu_cartes.partie_documents, obtenir,
                  valeur_choisie(CLE_DOCUMENT, contenu_cartes.DOCUMENTS, "CIL"))
