"""Bilan trimestriel: droits prévus against mises à disposition réelles, on every axis."""

from dashboard.ui.amorce import amorcer

amorcer()  # a direct link on a fresh server: let app.py route it

from dashboard import contenu_bilan, messages
from dashboard.exports import trimestriel
from dashboard.ui import detail as lignes_des_chiffres  # the rows behind a figure (issue 13)
from dashboard.ui.cartes import afficher_blocs_et_cartes, cartes_bilan
from dashboard.ui.connexion import connexion
from dashboard.ui.donnees import calcul
from dashboard.ui.figures import contenu  # parts built once per selection, shared
from dashboard.ui.filtres import barre_filtres
from dashboard.ui.mise_en_page import entete, etat_vide
from dashboard.ui.presentation import actif as presentation_active
from dashboard.ui.rapport_pdf import bouton_rapport_pdf
from dashboard.ui.sections import fichiers_du_rapport

sel = barre_filtres()
if not presentation_active():
    entete("Bilan trimestriel", sel)
a, q, v, f = sel.annee, sel.trimestre, sel.vue, sel.filtres

total = contenu_bilan.total(calcul, a, q, vue=v, filtres=f)
if messages.bilan_vide(total):
    etat_vide(f"Aucune mise à disposition importée ni convention pour {a} avec ces filtres — "
              "importez un export ou élargissez la sélection.")
else:
    if not presentation_active():
        fichiers_du_rapport("Bilan trimestriel à diffuser (sélection en cours)", [
            ("Rapport HTML (graphiques)", trimestriel.nom_fichier(a, q, "html"),
             lambda: trimestriel.rapport_html(connexion(), a, q, v, f).encode("utf-8"),
             "text/html"),
            ("Classeur .xlsx (une feuille par axe)", trimestriel.nom_fichier(a, q, "xlsx"),
             lambda: trimestriel.classeur(connexion(), a, q, v, f),
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ], "pack")
        bouton_rapport_pdf(a, q, v, f, lambda: connexion().cursor())  # made on click
        lignes_des_chiffres.lien_selection(
            sel, total, lambda par, cle: calcul("detail.libelle_cle", par, cle))
    # the maps of the EPCI and of the chosen territory's communes after the EPCI bar chart
    afficher_blocs_et_cartes("Bilan trimestriel", contenu(contenu_bilan.parties, calcul, a, q, v, f),
                             cartes_bilan(calcul, sel))
    if not presentation_active():
        lignes_des_chiffres.liens_par_axe(calcul, sel)
