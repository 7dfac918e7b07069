"""Contrôles: every anomaly of DOMAIN §4.7, filterable and downloadable."""

from dashboard.ui.amorce import amorcer

amorcer()  # a direct link on a fresh server: let app.py route it

import streamlit as st

from dashboard import vocabulaire as voc
from dashboard.formatting import accord
from dashboard.metrics import CONTROLES
from dashboard.ui.donnees import calcul
from dashboard.ui.filtres import barre_filtres
from dashboard.ui.mise_en_page import entete
from dashboard.ui.sections import tableau, telechargements

sel = barre_filtres(avec=("departement", "bailleur", "type", "reservataire"), vue=False)
entete("Contrôles", sel, presentation_possible=False, decompte=False)
st.caption("Anomalies à corriger ou à expliquer : elles sont montrées, jamais masquées.")

anomalies = calcul("controles", sel.annee, sel.trimestre, filtres=sel.filtres)
if anomalies.empty:
    st.success(f"Aucune anomalie pour {sel.annee} avec ces filtres.")
else:
    gauche, droite = st.columns(2)
    niveaux = gauche.multiselect("Niveau", list(voc.NIVEAUX_CONTROLE),
                                 format_func=voc.NIVEAUX_CONTROLE.get,
                                 placeholder="Tous", key="controles_niveau")
    types = droite.multiselect("Contrôle", list(CONTROLES), format_func=CONTROLES.get,
                               placeholder="Tous", key="controles_type")
    vue = anomalies
    if niveaux:
        vue = vue[vue["niveau"].isin(niveaux)]
    if types:
        vue = vue[vue["controle"].isin(types)]
    erreurs = int((vue["niveau"] == "erreur").sum())
    st.markdown(f"**{accord(len(vue), 'anomalie')}**, dont {accord(erreurs, 'erreur')}.")
    vue = vue.assign(controle=vue["controle"].map(CONTROLES),
                     niveau=vue["niveau"].map(voc.NIVEAUX_CONTROLE))
    colonnes = ["niveau", "controle", "bailleur_nom", "reservataire_nom", "departement",
                "trimestre", "message"]
    tableau(vue, colonnes)
    telechargements(vue, f"controles_{sel.annee}", "controles")
