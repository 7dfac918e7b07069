"""What every bilan page shows at the top: title, period, active filters, links."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import vocabulaire as voc
from dashboard.formatting import date_fr, est_indefini, nombre, pourcentage
from dashboard.ui import presentation
from dashboard.ui.filtres import VUES, Selection
from dashboard.ui.liens import lien_page


def entete(titre: str, selection: Selection, presentation_possible: bool = True,
           periode: bool = True, decompte: bool = True) -> None:
    """Title, then the period and decompte the figures are for (when they depend on them)."""
    st.title(titre)
    if periode:
        ligne = [f"Bilan au **{date_fr(selection.fin_periode)}** (cumul depuis le 01/01/"
                 f"{selection.annee})"]
        if decompte:
            ligne.append(f"décompte : **{VUES[selection.vue].lower()}**")
    else:
        ligne = [f"Conventions **{selection.annee}**"]
    if not selection.filtres.est_vide():
        ligne.append(f"filtres : {selection.filtres.description()}")
    colonnes = st.columns([4, 1], vertical_alignment="center")
    colonnes[0].caption(" · ".join(ligne))
    if presentation_possible:
        colonnes[1].link_button("Mode présentation", presentation.lien(False),
                                icon=":material/slideshow:", width="stretch")


def indicateur(colonne, libelle: str, valeur, genre: str = "nombre", aide: str | None = None,
               decimales: int = 0) -> None:
    """One headline figure in French format ("—" when undefined)."""
    if est_indefini(valeur):
        texte = "—"
    elif genre == "pourcentage":
        texte = pourcentage(valeur, 1)
    else:
        texte = nombre(valeur, decimales)
    colonne.metric(libelle, texte, help=aide, border=True)


def etat_vide(message: str) -> None:
    """An empty state that says what to do, with the way to do it."""
    st.info(message, icon=":material/info:")
    lien_page("pages/importer.py", label="Importer des données", icon=":material/upload_file:")


# Code columns of the conventions' tables shown with their French labels.
LIBELLES_DES_CODES: dict[str, dict[str, str]] = {
    "type_reservataire": voc.TYPES_RESERVATAIRE,
    "statut": voc.STATUTS_CONVENTION,
    "methode": voc.METHODES,
    "perimetre_type": voc.PERIMETRES,
    "mode_gestion": voc.MODES_GESTION,
    "document": {code: ("Cotation" if code == "COTATION" else code)
                 for code in voc.DOCUMENTS_EPCI},
    "source": {"assiette": "Assiette", "convention": "Convention", "manquant": "Inconnus"},
}


def libelles_des_codes(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose code columns (``LIBELLES_DES_CODES``: type de réservataire,
    statut of a convention, méthode…) hold their French labels (« SIGNEE » → « Signée »); a
    code without a label is kept as it is."""
    sortie = df.copy()
    for colonne, libelles in LIBELLES_DES_CODES.items():
        if colonne in sortie.columns:
            sortie[colonne] = [libelles.get(v, v) if isinstance(v, str) else v
                               for v in sortie[colonne]]
    return sortie
