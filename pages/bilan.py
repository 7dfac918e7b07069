"""Bilan trimestriel: droits prévus against mises à disposition réelles, on every axis."""

from dashboard.ui.amorce import amorcer

amorcer()  # a direct link on a fresh server: let app.py route it

from dashboard import charts, messages
from dashboard.ui.donnees import calcul
from dashboard.ui.filtres import barre_filtres
from dashboard.ui.mise_en_page import entete, etat_vide
from dashboard.ui.presentation import actif as presentation_active
from dashboard.ui.sections import Bloc, afficher_blocs

sel = barre_filtres()
if not presentation_active():
    entete("Bilan trimestriel", sel)
a, q, v, f, fin = sel.annee, sel.trimestre, sel.vue, sel.filtres, sel.fin_periode
# Shown beside each chart (and downloaded): the full bilan is in the CLI and the exports.
BILAN = ["libelle", "droits_prevus", "mises_a_disposition", "ecart", "taux_realisation",
         "baux_signes"]

total = calcul("total", a, q, vue=v, filtres=f)
if messages.bilan_vide(total):
    etat_vide(f"Aucune mise à disposition importée ni convention pour {a} avec ces filtres — "
              "importez un export ou élargissez la sélection.")
else:
    par_reservataire = calcul("bilan_top", a, q, "reservataire", n=12, vue=v, filtres=f)
    par_type = calcul("bilan", a, q, "type_reservataire", vue=v, filtres=f)
    par_bailleur = calcul("bilan", a, q, "bailleur", vue=v, filtres=f).sort_values("ecart")
    croise = calcul("bilan_croise", a, q, lignes="bailleur", colonnes="type_reservataire",
                    vue=v, filtres=f)
    cumuls = calcul("cumuls", a, q, vue=v, filtres=f)
    par_epci = calcul("bilan", a, q, "epci", vue=v, filtres=f).sort_values("ecart")
    entonnoir = calcul("entonnoir", a, q, vue=v, filtres=f)
    hors_flux = calcul("hors_flux", a, q, "bailleur", filtres=f)
    hors_flux_total = calcul("hors_flux", a, q, "total", filtres=f)

    afficher_blocs("Bilan trimestriel", [
        Bloc("Droits prévus et mises à disposition par réservataire", "reservataire",
             par_reservataire, lambda t: charts.barres_droits_mad(par_reservataire, vue=v, taille=t),
             messages.realisation_principale(par_reservataire, fin), BILAN,
             filtre_au_clic="reservataire"),
        Bloc("Par type de réservataire", "type", par_type,
             lambda t: charts.barres_droits_mad(par_type, vue=v, taille=t),
             messages.plus_en_retard(par_type, fin, "type de réservataire"), BILAN,
             filtre_au_clic="type"),
        Bloc("Écart par bailleur", "bailleur", par_bailleur,
             lambda t: charts.barres_ecart(par_bailleur, vue=v, taille=t),
             messages.bailleurs_en_retard(par_bailleur, fin), BILAN, filtre_au_clic="bailleur"),
        Bloc("Taux de réalisation par bailleur et type de réservataire", "croise", croise,
             lambda t: charts.carte_chaleur(croise, taille=t), messages.plus_faible_croise(croise),
             ["libelle_ligne", "libelle_colonne", "droits_prevus", "mises_a_disposition",
              "taux_realisation"]),
        Bloc("Cumul trimestre par trimestre", "cumuls", cumuls,
             lambda t: charts.courbes_cumulees(cumuls, taille=t), messages.cumul(cumuls, fin),
             ["libelle", "droits_prevus", "mises_a_disposition", "baux_signes"]),
        Bloc("Par EPCI", "epci", par_epci, lambda t: charts.barres_ecart(par_epci, vue=v, taille=t),
             messages.plus_en_retard(par_epci, fin, "EPCI"), BILAN, filtre_au_clic="epci"),
        Bloc("Des mises à disposition aux baux", "entonnoir", entonnoir,
             lambda t: charts.entonnoir(entonnoir, taille=t),
             messages.chute(entonnoir, total.iloc[0]["taux_chute"]),
             ["libelle", "nombre", "part"]),
        Bloc("Hors flux par bailleur", "hors_flux", hors_flux,
             lambda t: charts.barres_hors_flux(hors_flux, taille=t),
             messages.part_hors_flux(hors_flux_total),
             ["libelle", "mutations", "relogements", "premieres_locations", "stock",
              "part_hors_flux"]),
    ])
