"""Bilans annuels réservataires: the yearly bilan each bailleur owes every réservataire before
28 February (CCH R.441-5-1) — on screen, as an .xlsx per réservataire, or all of them as a zip."""

from dashboard.ui.amorce import amorcer

amorcer()  # a direct link on a fresh server: let app.py route it

import streamlit as st

from dashboard.exports import bilan_annuel as export_annuel
from dashboard.formatting import accord, pourcentage
from dashboard.metrics import bilan_annuel, prioritaires
from dashboard.ui.adresse import depuis_url, vers_url
from dashboard.ui.archives import archive_des_bilans
from dashboard.ui.connexion import connexion
from dashboard.ui.donnees import calcul
from dashboard.ui.mise_en_page import etat_vide, indicateur
from dashboard.ui.sections import tableau, telechargements
from dashboard.ui.texte import texte_brut

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TOUS = ""


def annuel(nom: str, *args):
    """``metrics.bilan_annuel.<nom>(con, *args)``, cached for this database and data version."""
    return calcul(f"bilan_annuel.{nom}", *args)


st.title("Bilans annuels réservataires")
st.caption("Logements proposés (mises à disposition) et attribués (baux signés) dans l'année, "
           "publics prioritaires, et logements hors flux (prévus l'année suivante, réalisés "
           "dans l'année), à transmettre à chaque réservataire avant le 28 février (articles "
           "R.441-5-1 et R.441-5 du code de la construction et de l'habitation).")

annees = calcul("annees_disponibles")
if not annees:
    etat_vide("Aucune donnée importée : importez des conventions et des mises à disposition.")
    st.stop()
defaut = bilan_annuel.annee_due(annees)
gauche, milieu, droite = st.columns([1, 2, 3])
annee = gauche.selectbox("Année", annees, index=annees.index(depuis_url("annee", annees, int, defaut)),
                         key="annuel_annee")
bailleurs = calcul("options_filtres", annee)["bailleur"]
codes_bailleurs = [TOUS] + list(bailleurs["cle"])
noms_bailleurs = dict(zip(bailleurs["cle"], bailleurs["libelle"]))
bailleur = milieu.selectbox(
    "Bailleur", codes_bailleurs,
    index=codes_bailleurs.index(depuis_url("bailleur", codes_bailleurs, defaut=TOUS)),
    format_func=lambda c: "Tous les bailleurs" if c == TOUS else f"{noms_bailleurs[c]} ({c})",
    key="annuel_bailleur")
liste = annuel("reservataires", annee, bailleur or None)
if liste.empty:
    etat_vide(f"Aucune convention ni mise à disposition en {annee} pour cette sélection.")
    st.stop()
codes = list(liste["reservataire_code"])
noms = dict(zip(liste["reservataire_code"], liste["reservataire_nom"]))
reservataire = droite.selectbox(
    "Réservataire", codes, index=codes.index(depuis_url("reservataire", codes, defaut=codes[0])),
    format_func=lambda c: f"{noms[c]} ({c})", key="annuel_reservataire")
vers_url({"annee": str(annee), "bailleur": bailleur, "reservataire": reservataire})

suffixe = f"_{bailleur}" if bailleur else ""
st.markdown("**Télécharger**")
gauche, droite = st.columns(2)
nom_classeur = export_annuel.nom_fichier(annee, reservataire, bailleur or None)
gauche.download_button(
    f"Bilan {annee} de {reservataire} (.xlsx)",
    lambda: export_annuel.classeur(connexion(), annee, reservataire, bailleur or None),
    file_name=nom_classeur, mime=XLSX, key=f"annuel_{nom_classeur}", icon=":material/download:",
    on_click="ignore", width="stretch")
with droite:   # every réservataire's bilan: made on demand, its progress shown
    archive_des_bilans(annee, bailleur or None, noms, f"bilans_annuels_{annee}{suffixe}.zip")

synthese = annuel("synthese", annee, reservataire, bailleur or None)
st.subheader(f"{texte_brut(noms[reservataire])} — bilan {annee}")
if synthese.empty:
    st.info("Ni convention ni mise à disposition pour ce réservataire cette année.")
    st.stop()
t = synthese[synthese["cle"] == "TOTAL"].iloc[0]
type_r = str(liste.loc[liste["reservataire_code"] == reservataire, "type_reservataire"].iloc[0])
c1, c2, c3, c4, c5, c6 = st.columns(6)
indicateur(c1, "Droits annuels", t["droits_annuels"])
indicateur(c2, "Logements proposés", t["mises_a_disposition"],
           aide="Mises à disposition de l'année (date de mise à disposition)")
indicateur(c3, "Logements attribués", t["baux_signes"],
           aide="Parmi les logements proposés, ceux dont l'issue est « Bail signé »")
indicateur(c4, "Écart", t["ecart"], aide="Logements proposés − droits annuels")
indicateur(c5, "Taux de chute", t["taux_chute"], genre="pourcentage")
indicateur(c6, "Publics prioritaires", t["part_prioritaires"], genre="pourcentage",
           aide="Part des logements attribués à des ménages relevant des publics prioritaires "
                f"(article L.441-1) — objectif : {prioritaires.objectif(type_r).lower()}")
st.caption(f"{accord(t['mises_a_disposition'], 'logement proposé', 'logements proposés')}, "
           f"dont {accord(t['baux_signes'], 'attribué')} ; taux de réalisation "
           f"{pourcentage(t['taux_realisation'])} des droits annuels. Pour information, "
           f"{accord(t['baux_signes_date_bail'], 'bail signé', 'baux signés')} en {annee} selon "
           "la date du bail.")
st.caption("Publics prioritaires : " + export_annuel.phrase_prioritaires(type_r, t))

lignes = synthese[synthese["cle"] != "TOTAL"]
onglets = st.tabs(["Synthèse par bailleur", *bilan_annuel.AXES_BILAN_ANNUEL.values(),
                   "Hors flux (R.441-5)"])
with onglets[0]:
    colonnes = ["cle", "libelle", "droits_annuels", "mises_a_disposition", "baux_signes", "ecart",
                "taux_realisation", "taux_chute", "baux_prioritaires", "part_prioritaires"]
    tableau(lignes, colonnes, en_tetes=export_annuel.EN_TETES_SYNTHESE)
    telechargements(lignes[colonnes], f"bilan_annuel_{annee}_{reservataire}_synthese",
                    "annuel_synthese", en_tetes=export_annuel.EN_TETES_SYNTHESE)
for onglet, axe in zip(onglets[1:-1], bilan_annuel.AXES_BILAN_ANNUEL):
    with onglet:
        df = annuel("repartition", annee, axe, reservataire, bailleur or None)
        vue = df.drop(columns=["modalite"])
        en_tetes = export_annuel.en_tetes_repartition(axe)
        tableau(vue, en_tetes=en_tetes)
        telechargements(vue, f"bilan_annuel_{annee}_{reservataire}_{axe}", f"annuel_{axe}",
                        en_tetes=en_tetes)
with onglets[-1]:
    # R.441-5: the following year's forecast and the year's realised, per département and commune
    hors_flux = annuel("hors_flux_annuel", annee, reservataire, bailleur or None)
    st.caption(f"Hors flux {annee + 1} : " + export_annuel.phrase_parc_suivant(annee, hors_flux))
    if hors_flux.empty:
        st.info("Aucun périmètre connu pour ce réservataire.")
    else:
        en_tetes = export_annuel.en_tetes_hors_flux(annee)
        vue = hors_flux[list(export_annuel.COLONNES_FEUILLE_HORS_FLUX)]
        tableau(vue, en_tetes=en_tetes)
        telechargements(vue, f"bilan_annuel_{annee}_{reservataire}_hors_flux", "annuel_hors_flux",
                        en_tetes=en_tetes)
