"""Importer des données: upload a CSV or Excel export, check it, import it; the import journal."""

from dashboard.ui.amorce import amorcer

amorcer()  # a direct link on a fresh server: let app.py route it

import streamlit as st

from dashboard import vocabulaire as voc
from dashboard.exports import csv_excel
from dashboard.habilitations import DroitsInsuffisants
from dashboard.ui import etat
from dashboard.ui.authentification import habilitation, habilitation_actuelle
from dashboard.ui.connexion import connexion
from dashboard.ui.imports import (
    afficher_correspondance,
    afficher_detection,
    afficher_journal,
    afficher_rapport,
)
from dashboard.ui.texte import texte_brut
from data_loaders import REJETE, AnnulationImpossible, annuler, importer, journal

st.title("Importer des données")
st.caption(
    "Déposez un export de votre logiciel (CSV ou Excel). Le fichier est d'abord vérifié : "
    "rien n'est écrit tant que vous n'avez pas cliqué sur « Importer »."
)
con = connexion()
hab = habilitation()
types_permis = list(hab.types_importables)   # the page offers only these; the core checks again
if not hab.locale:
    st.caption(f"Vous êtes connecté en tant que {texte_brut(hab.utilisateur)} : "
               f"{hab.description()}.")

if types_permis:
    col_type, col_options = st.columns([2, 3])
    with col_type:
        type_donnees = st.selectbox(
            "Type de données", options=types_permis,
            format_func=voc.TYPES_DONNEES.get, key=etat.IMPORT_TYPE)
    with col_options:
        partiel = st.checkbox(
            "Import partiel : importer les lignes valides et mettre les autres en quarantaine",
            key=etat.IMPORT_PARTIEL)
    fichier = st.file_uploader("Fichier CSV ou Excel (.xlsx)",
                               type=["csv", "txt", "tsv", "xlsx"], key=etat.IMPORT_FICHIER)
    with st.expander("Options avancées"):
        feuille = st.text_input("Feuille du classeur Excel (par défaut : la première)",
                                key=etat.IMPORT_FEUILLE).strip() or None
        mapping_fichier = st.file_uploader(
            "Correspondance de colonnes (JSON {\"colonne\": \"En-tête du fichier\"})",
            type=["json"], key=etat.IMPORT_MAPPING)
else:
    st.info(f"Votre rôle ({hab.description()}) ne permet pas d'importer de données : le "
            "journal des imports ci-dessous est consultable.")
    fichier = None


SANS_DROITS = ("Vous n'êtes plus connecté, ou vos droits ont changé : action refusée. "
               "Rechargez la page.")


def _importer(contenu: bytes, nom: str, mapping, feuille, partiel: bool) -> None:
    """Button callback: the real import, whose report is shown once on the next run. The rights
    are those of now, not of the run that drew the button."""
    droits = habilitation_actuelle()
    if droits is None:
        st.session_state[etat.IMPORT_REFUS] = SANS_DROITS
        return
    try:
        rapport = importer(con, st.session_state[etat.IMPORT_TYPE], contenu, nom,
                           mapping=mapping, feuille=feuille, partiel=partiel,
                           habilitation=droits)
    except DroitsInsuffisants as exc:
        st.session_state[etat.IMPORT_REFUS] = str(exc)
        return
    st.session_state[etat.IMPORT_DERNIER_RAPPORT] = rapport
    st.cache_data.clear()   # figures computed on the old data are stale


refus = st.session_state.pop(etat.IMPORT_REFUS, None)
if refus is not None:
    st.error(texte_brut(refus))
dernier = st.session_state.pop(etat.IMPORT_DERNIER_RAPPORT, None)
if dernier is not None:
    afficher_rapport(dernier, titre="Résultat de l'import")

if types_permis and fichier is None:
    st.info("Choisissez le type de données puis déposez un fichier pour le vérifier.")
elif fichier is not None and dernier is None:
    contenu = fichier.getvalue()
    mapping = mapping_fichier.getvalue() if mapping_fichier is not None else None
    apercu = importer(con, type_donnees, contenu, fichier.name, mapping=mapping, feuille=feuille,
                      partiel=partiel, simulation=True, habilitation=hab)
    afficher_detection(apercu)
    afficher_correspondance(apercu)
    afficher_rapport(apercu, titre="Vérification")
    if apercu.erreurs:
        st.download_button("Télécharger le rapport de vérification (CSV)",
                           csv_excel(apercu.erreurs_frame()),
                           file_name=f"verification_{fichier.name}.csv", mime="text/csv")
    st.button("Importer", type="primary", disabled=apercu.statut == REJETE,
              key=etat.IMPORT_BOUTON, on_click=_importer,
              args=(contenu, fichier.name, mapping, feuille, partiel))


def _annuler(import_id: int) -> None:
    """Button callback, so that the journal drawn next already shows the rollback. The rights
    are those of now, not of the run that drew the button."""
    droits = habilitation_actuelle()
    if droits is None:
        st.session_state[etat.ANNULATION_MESSAGE] = ("erreur", SANS_DROITS)
        return
    try:
        st.session_state[etat.ANNULATION_MESSAGE] = (
            "succes", annuler(con, import_id, habilitation=droits))
        st.cache_data.clear()
    except (AnnulationImpossible, DroitsInsuffisants) as exc:
        st.session_state[etat.ANNULATION_MESSAGE] = ("erreur", str(exc))


st.divider()
st.subheader("Journal des imports")
annulation = st.session_state.pop(etat.ANNULATION_MESSAGE, None)
if annulation is not None:
    (st.success if annulation[0] == "succes" else st.error)(texte_brut(annulation[1]))
afficher_journal(journal(con))
if hab.peut_annuler:
    with st.expander("Annuler un import"):
        st.caption("L'import annulé est retiré ; celui qu'il avait remplacé redevient en vigueur.")
        numero = st.number_input("Numéro de l'import", min_value=1, step=1,
                                 key=etat.ANNULATION_ID)
        st.button("Annuler cet import", key=etat.ANNULATION_BOUTON, on_click=_annuler,
                  args=(int(numero),))
