"""A chart with its table beside it and downloads of exactly the data shown (CSV for French
Excel, .xlsx, and the chart as a PNG image), plus the download bar of whole reports."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pandas as pd
import streamlit as st

from dashboard.contenu_bilan import Partie
from dashboard.exports import csv_excel, xlsx
from dashboard.formatting import en_tete, formater_tableau
from dashboard.ui import figures
from dashboard.ui.filtres import demander_filtre
from dashboard.ui.texte import texte_brut


def _titres(en_tetes: Mapping[str, str] | None):
    """Column -> French heading: ``en_tetes`` first, then ``formatting.en_tete``."""
    return lambda colonne: (en_tetes or {}).get(colonne) or en_tete(colonne)


def telechargements(tableau: pd.DataFrame, nom_fichier: str, cle: str,
                    figure: Callable[[], object] | None = None,
                    en_tetes: Mapping[str, str] | None = None) -> None:
    """CSV for French Excel and .xlsx of the table — and, given its ``figure``, the chart as a
    PNG image —, each generated only when clicked. Without Chromium on the server, the PNG
    button is replaced by a French note saying so.

    Both files have the headings the page shows (``formatting.en_tete``, ``en_tetes`` overriding
    it for the columns it names, see ``tableau``)."""

    def fichier_csv() -> bytes:
        return csv_excel(tableau.rename(columns=_titres(en_tetes)))

    # one row that wraps when narrow (a horizontal container: half the elements of columns)
    ligne = st.container(horizontal=True, gap="small")
    ligne.download_button("CSV (Excel)", fichier_csv, file_name=f"{nom_fichier}.csv",
                      mime="text/csv", key=f"{cle}_csv", icon=":material/download:",
                      on_click="ignore")
    ligne.download_button("Classeur .xlsx", lambda: xlsx({nom_fichier[:31]: tableau}, en_tetes),
                      file_name=f"{nom_fichier}.xlsx", key=f"{cle}_xlsx",
                      mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                      icon=":material/download:", on_click="ignore")
    if figure is not None:
        _bouton_png(ligne, figure, nom_fichier, cle)


def _bouton_png(ligne, figure: Callable[[], object], nom_fichier: str, cle: str) -> None:
    from dashboard.exports import images

    raison = images.indisponibilite()
    if raison:
        ligne.caption(raison)
        return
    ligne.download_button("Image PNG", lambda: images.png(figure()),
                          file_name=f"{nom_fichier}.png", mime="image/png", key=f"{cle}_png",
                          icon=":material/image:", on_click="ignore")


def tableau(df: pd.DataFrame, colonnes: list[str] | None = None, hauteur: int | None = None,
            en_tetes: Mapping[str, str] | None = None) -> None:
    """A table in French formats and headings (``en_tetes`` overriding ``formatting.en_tete``
    for the columns it names)."""
    vue = df[colonnes] if colonnes else df
    # formatted once per content and data version (dashboard.ui.figures)
    st.dataframe(figures.tableau(lambda: formater_tableau(vue).rename(columns=_titres(en_tetes))),
                 hide_index=True, height=hauteur if hauteur else "auto")


def section(
    titre: str,
    cle: str,
    donnees: pd.DataFrame,
    figure: Callable[[], object],
    colonnes: list[str] | None = None,
    message: str | None = None,
    vide: str = "Aucune donnée pour cette sélection.",
    filtre_au_clic: str | None = None,
    nom_fichier: str | None = None,
    affiche: pd.DataFrame | None = None,
) -> None:
    """Title, takeaway, chart | table, downloads. A click on a bar narrows the page to its code
    when `filtre_au_clic` names the filter to set. ``affiche``: the table shown, when already
    reduced to ``colonnes`` (``Partie.tableau``)."""
    st.subheader(titre)
    if donnees is None or donnees.empty:
        st.info(vide)
        return
    if message:
        st.markdown(f"**{texte_brut(message)}**")
    gauche, droite = st.columns([3, 2], gap="medium")
    with gauche:
        if filtre_au_clic:
            evenement = st.plotly_chart(figure(), theme=None, key=f"{cle}_graphique",
                                        on_select="rerun", selection_mode="points")
            points = (evenement.selection.points if evenement and evenement.selection else [])
            codes = [str(p["customdata"][0] if isinstance(p.get("customdata"), list)
                         else p.get("customdata")) for p in points if p.get("customdata")]
            codes = [c for c in codes if c not in ("AUTRES", "None")]
            if codes:
                demander_filtre(filtre_au_clic, sorted(set(codes)))
        else:
            st.plotly_chart(figure(), theme=None, key=f"{cle}_graphique")
    with droite:
        if affiche is None:
            affiche = donnees[colonnes] if colonnes else donnees
        tableau(affiche)
        telechargements(affiche, nom_fichier or cle, cle, figure=figure)


# One chart of a page, drawn as a section (normal mode) or a slide (presentation mode): defined
# once in the core, where the quarterly bilan's report (HTML, PNG) builds the same parts.
Bloc = Partie


def fichiers_du_rapport(titre: str, fichiers: list[tuple[str, str, Callable[[], bytes], str]],
                        cle: str) -> None:
    """A row of download buttons for whole reports: (label, file name, bytes maker, MIME type).
    Each file is made only when its button is clicked."""
    st.markdown(f"**{titre}**")
    for colonne, (libelle, nom, produire, mime) in zip(st.columns(len(fichiers)), fichiers):
        colonne.download_button(libelle, produire, file_name=nom, mime=mime,
                                key=f"{cle}_{nom}", icon=":material/download:",
                                on_click="ignore", width="stretch")


def afficher_blocs(titre_page: str, blocs: list[Bloc]) -> None:
    """Every bloc as a section, or, in presentation mode, one bloc per screen."""
    from dashboard.ui import presentation

    if presentation.actif():
        presentation.diaporama(titre_page, [
            presentation.Diapositive(
                b.titre, b.message or "",
                None if b.donnees is None or b.donnees.empty
                else (lambda b=b: figures.figure(b.figure, "presentation")),
                b.vide)
            for b in blocs])
        return
    for b in blocs:   # each figure built once per content and data version (ui.figures)
        section(b.titre, b.cle, b.donnees, lambda b=b: figures.figure(b.figure, "normale"),
                colonnes=b.colonnes, message=b.message, vide=b.vide,
                filtre_au_clic=b.filtre_au_clic, affiche=b.tableau)
