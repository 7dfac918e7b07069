"""Accueil: the headline figures of the bilan and the freshness of each bailleur's data."""

from dashboard.ui.amorce import amorcer

amorcer()  # a direct link on a fresh server: let app.py route it

import streamlit as st

from dashboard import messages
from dashboard.formatting import accord
from dashboard.ui.donnees import calcul
from dashboard.ui.filtres import barre_filtres
from dashboard.ui.mise_en_page import entete, etat_vide, indicateur
from dashboard.ui.sections import tableau, telechargements

selection = barre_filtres()
entete("Gestion en flux des réservations", selection, presentation_possible=False)

total = calcul("total", selection.annee, selection.trimestre, vue=selection.vue,
               filtres=selection.filtres)
signature = calcul("signatures", selection.annee, "total", filtres=selection.filtres)

if messages.bilan_vide(total):
    etat_vide(f"Aucune mise à disposition ni convention pour {selection.annee} avec ces filtres — "
              "importez un export ou élargissez la sélection.")
else:
    t = total.iloc[0]
    mad = "Baux signés (décompte)" if selection.vue == "baux" else "Mises à disposition"
    ligne1 = st.columns(4)
    indicateur(ligne1[0], "Droits prévus", t["droits_prevus"], decimales=0,
               aide="Droits annuels des conventions × trimestres écoulés ÷ 4.")
    indicateur(ligne1[1], mad, t["mises_a_disposition"])
    indicateur(ligne1[2], "Écart", t["ecart"], aide="Mises à disposition − droits prévus : "
               "négatif, les réservataires sont en retard.")
    indicateur(ligne1[3], "Taux de réalisation", t["taux_realisation"], "pourcentage")
    ligne2 = st.columns(4)
    indicateur(ligne2[0], "Baux signés", t["baux_signes"])
    indicateur(ligne2[1], "Taux de chute", t["taux_chute"], "pourcentage",
               aide="Refus et absences de candidat ÷ mises à disposition résolues.")
    s = signature.iloc[0] if not signature.empty else None
    indicateur(ligne2[2], "Conventions signées", None if s is None else s["taux_signature"],
               "pourcentage", aide="Part des conventions de l'année qui sont signées.")
    indicateur(ligne2[3], "MAD sans convention", t.get("mad_sans_convention"))

st.subheader("Fraîcheur des données par bailleur")
st.caption("Dernier import et dernière mise à disposition reçus : un export manquant se voit ici.")
fraicheur = calcul("fraicheur", selection.annee)
if fraicheur.empty:
    etat_vide(f"Aucun bailleur n'a encore de données pour {selection.annee} — importez un export.")
else:
    manquants = fraicheur[fraicheur["trimestres_sans_mad"].fillna("") != ""]
    if not manquants.empty:
        st.warning(f"{accord(len(manquants), 'bailleur')} sans mise à disposition sur un "
                   "trimestre écoulé : " + ", ".join(manquants["bailleur_nom"].fillna(manquants["bailleur_code"])))
    tableau(fraicheur)
    telechargements(fraicheur, f"fraicheur_{selection.annee}", "fraicheur")
