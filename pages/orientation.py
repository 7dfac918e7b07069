"""Orientation d'un logement libéré: which réservataire the bailleur offers the dwelling to, where
each contingent will stand on 31/12, and the conversion of droits acquis (issue 8)."""

from dashboard.ui.amorce import amorcer

amorcer()  # a direct link on a fresh server: let app.py route it

import streamlit as st

from dashboard.metrics.orientation import ElementInconnu
from dashboard.ui import orientation as ui
from dashboard.ui.mise_en_page import etat_vide
from dashboard.ui.texte import texte_brut

st.title("Orientation d'un logement libéré")
st.caption("Les réservataires dont la convention de l'année couvre la commune, et la part non "
           "réservée du bailleur, classés du plus en retard au moins en retard sur leurs droits "
           "au prorata des jours écoulés depuis le 1er janvier : proposez le logement au premier.")

choix = ui.formulaire()
if choix is None:
    etat_vide("Aucun bailleur dans la base — importez les conventions, le parc et les mises à "
              "disposition.")
    st.stop()

try:
    classement = ui.calcul("orienter", choix.bailleur, choix.commune, choix.jour,
                           statuts=choix.statuts, typologie=choix.typologie,
                           financement=choix.financement, qpv=choix.qpv)
    projete = ui.calcul("projection", choix.bailleur, choix.jour, statuts=choix.statuts)
except (ElementInconnu, ValueError) as exc:
    st.error(str(exc), icon=":material/error:")
    st.stop()

ui.recommandation(classement, choix)
ui.fraicheur(choix)

st.subheader(f"Classement des réservataires — {texte_brut(choix.nom_commune)}, au "
             f"{choix.jour:%d/%m/%Y}")
ui.tableau_classement(classement, choix)

st.subheader(f"Projection au 31/12/{choix.jour.year} au rythme actuel")
st.caption(f"Mises à disposition du 01/01 au {choix.jour:%d/%m/%Y} prolongées au même rythme "
           "jusqu'au 31/12, face aux droits annuels de chaque convention du bailleur.")
if projete.empty:
    st.info(f"Aucune convention {choix.jour.year} pour ce bailleur.")
else:
    ui.tableau_projection(projete, choix)

st.subheader("Conversion des droits acquis (Action Logement)")
st.caption("Droits de suite de chaque programme × taux de rotation du bailleur dans le "
           "département = droits uniques par an.")
ui.calculatrice_droits_acquis(choix)
