"""Assiette et droits: from each bailleur's parc to the flux annuel, and each convention's droits."""

from dashboard.ui.amorce import amorcer

amorcer()  # a direct link on a fresh server: let app.py route it

import streamlit as st

from dashboard import charts
from dashboard.formatting import accord
from dashboard.ui.donnees import calcul
from dashboard.ui.filtres import barre_filtres
from dashboard.ui.mise_en_page import entete, etat_vide, libelles_des_codes
from dashboard.ui.sections import tableau, telechargements

sel = barre_filtres(avec=("departement", "bailleur", "type", "reservataire"), vue=False)
entete("Assiette et droits", sel, presentation_possible=False, periode=False)
st.caption("Méthode de l'assiette : parc − logements exclus = parc éligible ; × taux de rotation "
           "= base ; − mutations et relogements prévus = flux annuel (jamais négatif).")

assiette = calcul("assiette", sel.annee, filtres=sel.filtres)
if assiette.empty:
    etat_vide(f"Aucun parc déclaré pour {sel.annee} avec ces filtres — importez le fichier "
              "« parc » des bailleurs.")
else:
    assiette = assiette.sort_values(["bailleur_nom", "departement"]).reset_index(drop=True)
    choix = st.selectbox(
        "Bailleur et département", assiette.index,
        format_func=lambda i: f"{assiette.at[i, 'bailleur_nom']} — {assiette.at[i, 'departement']}",
        key="assiette_choix")
    gauche, droite = st.columns([3, 2], gap="medium")
    with gauche:
        st.plotly_chart(charts.cascade_assiette(assiette.loc[choix]), theme=None,
                        key="assiette_cascade")
    with droite:
        tableau(assiette.loc[[choix]], ["parc_total", "logements_exclus", "parc_eligible",
                                         "taux_rotation", "base", "mutations_prevues",
                                         "relogements_prevus", "flux_annuel"])
    st.subheader("Assiette de chaque bailleur, par département")
    tableau(assiette)
    telechargements(assiette, f"assiette_{sel.annee}", "assiette")

st.subheader("Droits de chaque convention")
droits = calcul("droits_conventions", sel.annee, filtres=sel.filtres)
if droits.empty:
    etat_vide(f"Aucune convention pour {sel.annee} avec ces filtres — importez les conventions.")
else:
    colonnes = ["bailleur_nom", "reservataire_nom", "type_reservataire", "departement",
                "perimetre_type", "perimetre_code", "statut", "methode", "taux_flux",
                "flux_annuel", "droits_annuels", "source"]
    inconnus = int((droits["source"] == "manquant").sum())
    if inconnus:
        st.warning(f"{accord(inconnus, 'convention')} sans droits connus : ni parc déclaré ni "
                   "estimation dans la convention.")
    droits = libelles_des_codes(droits[colonnes])
    tableau(droits)
    telechargements(droits, f"droits_conventions_{sel.annee}", "droits")
