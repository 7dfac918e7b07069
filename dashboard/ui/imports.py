"""Drawing an import report and the import journal (Importer des données page)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import vocabulaire as voc
from dashboard.formatting import nombre
from dashboard.ui.texte import texte_brut
from data_loaders import IMPORTE, INCHANGE, RapportImport


def afficher_detection(rapport: RapportImport) -> None:
    lecture = rapport.lecture
    if lecture is None:
        return
    st.markdown(" · ".join(f"**{nom}** : {texte_brut(valeur)}"
                           for nom, valeur in lecture.description()))
    if rapport.apercu is not None and not rapport.apercu.empty:
        with st.expander("Aperçu des premières lignes, telles qu'elles seront importées"):
            colonnes = [c for c in rapport.apercu.columns
                        if c == "_ligne" or not c.startswith(("b_", "n_"))]
            st.dataframe(rapport.apercu[colonnes].rename(columns={"_ligne": "ligne"}),
                         hide_index=True)


def afficher_correspondance(rapport: RapportImport) -> None:
    if rapport.correspondance is None:
        return
    with st.expander("Correspondance des colonnes", expanded=False):
        df = rapport.correspondance_frame()
        df["en_tete"] = df["en_tete"].fillna("— absente —")
        st.dataframe(df, hide_index=True, column_config={
            "colonne": "Colonne attendue", "description": "Description",
            "obligatoire": st.column_config.CheckboxColumn("Obligatoire"),
            "en_tete": "En-tête du fichier"})
        if rapport.correspondance.ignorees:
            st.caption("Colonnes du fichier ignorées : "
                       + ", ".join(f"« {texte_brut(c)} »"
                                   for c in rapport.correspondance.ignorees))


def afficher_rapport(rapport: RapportImport, titre: str) -> None:
    st.subheader(titre)
    if rapport.statut == IMPORTE:
        (st.warning if rapport.erreurs else st.success)(texte_brut(rapport.message))
    elif rapport.statut == INCHANGE:
        st.info(texte_brut(rapport.message))
    else:
        st.error(texte_brut(rapport.message))
        if rapport.type_suggere:
            st.info("Ce fichier ressemble plutôt à des « "
                    f"{voc.TYPES_DONNEES[rapport.type_suggere].lower()} » : choisissez ce type "
                    "de données ci-dessus.")
    if rapport.erreurs:
        sur = (f" sur {nombre(rapport.lignes_rejetees)} ligne(s)"
               if rapport.lignes_rejetees else "")
        st.markdown(f"**{nombre(len(rapport.erreurs))} erreur(s)**{sur} :")
        st.dataframe(rapport.erreurs_frame(), hide_index=True, column_config={
            "ligne": st.column_config.NumberColumn("Ligne", format="%d"),
            "colonne": "Colonne", "en_tete": "En-tête du fichier", "valeur": "Valeur lue",
            "message": st.column_config.TextColumn("Problème", width="large")})


def afficher_journal(df: pd.DataFrame) -> None:
    if df.empty:
        st.info("Aucun import pour l'instant : déposez un premier fichier ci-dessus.")
        return
    vue = df.drop(columns=["sha256"]).copy()
    vue["type_donnees"] = vue["type_donnees"].map(lambda t: voc.TYPES_DONNEES.get(t, t))
    vue["statut"] = vue["statut"].map(lambda s: voc.STATUTS_IMPORT.get(s, s))
    for col in ("horodatage", "annule_le"):
        vue[col] = pd.to_datetime(vue[col]).dt.strftime("%d/%m/%Y %H:%M")
    st.dataframe(vue, hide_index=True, column_config={
        "import_id": st.column_config.NumberColumn("N°", format="%d"),
        "type_donnees": "Données", "perimetre": "Périmètre", "nom_fichier": "Fichier",
        "lignes_lues": st.column_config.NumberColumn("Lues", format="localized"),
        "lignes_importees": st.column_config.NumberColumn("Importées", format="localized"),
        "lignes_rejetees": st.column_config.NumberColumn("Rejetées", format="localized"),
        "statut": "Statut", "utilisateur": "Par", "horodatage": "Le",
        "annule_par": "Annulé par", "annule_le": "Annulé le"})
