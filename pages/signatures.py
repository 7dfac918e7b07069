"""Signatures des conventions: who has signed, who has not, and why (DOMAIN §4.6), for the DREAL."""

from dashboard.ui.amorce import amorcer

amorcer()  # a direct link on a fresh server: let app.py route it

import streamlit as st

from dashboard import charts, messages
from dashboard.formatting import pourcentage
from dashboard.ui.cartes import (
    Carte,
    afficher_blocs_et_cartes,
    carte_signatures,
    diapositive_documents,
    section_documents,
)
from dashboard.ui.donnees import calcul
from dashboard.ui.filtres import barre_filtres
from dashboard.ui.mise_en_page import entete, etat_vide, libelles_des_codes
from dashboard.ui.presentation import actif as presentation_active
from dashboard.ui.sections import Bloc, tableau, telechargements

# EPCI: the conventions that cover it (a click on the map sets it, see ui.cartes)
sel = barre_filtres(avec=("departement", "epci", "bailleur", "type"), vue=False)
if not presentation_active():
    entete("Signatures des conventions", sel, periode=False)
a, f = sel.annee, sel.filtres
TAUX = ["libelle", "conventions", "signees", "taux_signature", "droits_annuels", "droits_signes",
        "taux_signature_pondere"]

total = calcul("signatures", a, "total", filtres=f)
if total.empty or not total.iloc[0]["conventions"]:
    etat_vide(f"Aucune convention importée pour {a} avec ces filtres — importez les conventions "
              "de gestion en flux.")
    st.stop()

t = total.iloc[0]
seuils = calcul("seuils_bailleurs", a, filtres=f).iloc[0]
par_type = calcul("signatures", a, "type_reservataire", filtres=f)
par_departement = calcul("signatures", a, "departement", filtres=f)
par_bailleur = calcul("repartition_bailleurs", a, filtres=f)
annees = [x for x in calcul("annees_disponibles") if x <= a][-3:]
cumulees = calcul("signatures_cumulees", annees, filtres=f)

if not presentation_active():
    cols = st.columns(4)
    cols[0].metric("Conventions signées", f"{int(t['signees'])} / {int(t['conventions'])}",
                   border=True)
    cols[1].metric("Taux de signature", pourcentage(t["taux_signature"]), border=True)
    cols[2].metric("Pondéré par les droits", pourcentage(t["taux_signature_pondere"]), border=True,
                   help="Part du flux couverte par une convention signée.")
    cols[3].metric("Bailleurs à plus de 50 % / 75 %",
                   f"{pourcentage(seuils['part_au_dessus_50'], 0)} / "
                   f"{pourcentage(seuils['part_au_dessus_75'], 0)}", border=True,
                   help="Part des bailleurs ayant signé plus de 50 % (75 %) de leurs conventions.")

afficher_blocs_et_cartes("Signatures des conventions", [
    Bloc("Taux de signature par type de réservataire", "sig_type", par_type,
         lambda taille: charts.barres_taux(par_type, taille=taille),
         messages.signature_la_plus_faible(par_type, a), TAUX),
    Bloc("Par département", "sig_departement", par_departement,
         lambda taille: charts.barres_taux(par_departement, taille=taille), None, TAUX),
    Bloc("Part des conventions signées par bailleur", "sig_bailleurs", par_bailleur,
         lambda taille: charts.histogramme_taux(par_bailleur, taille=taille),
         messages.seuils_signature(seuils),
         ["bailleur_nom", "conventions", "signees", "taux_signature"]),
    Bloc("Signatures cumulées, année contre année", "sig_cumul", cumulees,
         lambda taille: charts.courbes_signatures(cumulees, taille=taille),
         "Repères : échéance légale du 24/11/2023 et début de la gestion en flux le 01/01/2024.",
         ["annee", "date_signature", "signees_cumulees"]),
], [
    # after the départements: the map of the EPCI or of the départements
    carte_signatures(calcul, sel, apres="sig_departement"),
    # the EPCI documents: a section of their own below (normal mode), the last slide
    Carte(None, lambda: None, lambda: diapositive_documents(calcul)),
])

if presentation_active():
    st.stop()

st.subheader("Conventions non signées et motifs")
motifs = calcul("motifs_non_signature", a, filtres=f)
if motifs.empty:
    st.success(f"Toutes les conventions {a} sont signées.")
else:
    gauche, droite = st.columns([2, 3], gap="medium")
    with gauche:
        tableau(motifs)
    with droite:
        choix = st.multiselect("Motif", list(motifs["motif_non_signature"]), placeholder="Tous",
                               key="signatures_motif")
        liste = calcul("non_signees", a, filtres=f)
        if choix:
            liste = liste[liste["motif_non_signature"].isin(choix)]
        liste = libelles_des_codes(liste)
        colonnes = ["bailleur_nom", "reservataire_nom", "type_reservataire", "departement",
                    "statut", "motif_non_signature"]
        tableau(liste, colonnes)
        telechargements(liste, f"conventions_non_signees_{a}", "non_signees")

st.subheader("Documents des EPCI (CIL, CIA, PPGDID, cotation)")
documents = calcul("documents_par_departement")
if documents.empty:
    etat_vide("Aucun document d'EPCI importé — importez le fichier « documents des EPCI ».")
else:
    gauche, droite = st.columns(2, gap="medium")
    with gauche:
        st.markdown("**Avancement par département**")
        tableau(libelles_des_codes(documents), ["departement_libelle", "document", "nb_epci",
                                                "adoptes", "en_cours", "non_engages",
                                                "part_adoptes"])
    with droite:
        manquants = calcul("epci_documents_manquants")
        st.markdown(f"**{len(manquants)} EPCI à qui il manque au moins un document**")
        tableau(manquants, ["epci_nom", "departement", "documents_manquants"])
        telechargements(manquants, "epci_documents_manquants", "epci_manquants")
    section_documents(calcul, sel.filtres.epci)
