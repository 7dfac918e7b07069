"""Mises à disposition: the rows behind a figure of the bilan, one per MAD it counts (issue 13).

The figure is in the address: the bilan's filters, ``par`` and ``cle`` (axis and key), ``periode``.
"""

from dashboard.ui.amorce import amorcer

amorcer()  # a direct link on a fresh server: let app.py route it

import streamlit as st

from dashboard.metrics.detail import EN_TETES_DETAIL, titre_detail
from dashboard.ui import detail as ui
from dashboard.ui.donnees import calcul
from dashboard.ui.figures import contenu
from dashboard.ui.filtres import VUES, barre_filtres
from dashboard.ui.sections import telechargements
from dashboard.ui.texte import texte_brut

sel = barre_filtres(avec=ui.FILTRES)
par, cle = ui.figure_demandee()
periode = ui.choix_periode(par)

st.title("Mises à disposition")
lignes = calcul("detail", sel.annee, sel.trimestre, par, cle, vue=sel.vue, periode=periode,
                filtres=sel.filtres)
libelle = calcul("detail.libelle_cle", par, cle) if par else None
st.subheader(texte_brut(titre_detail(par, cle, libelle, sel.annee, sel.trimestre, len(lignes),
                                     sel.vue, periode)))
contexte = [f"décompte : **{VUES[sel.vue].lower()}**"
            + (" (par date de bail)" if sel.vue == "baux" else " (par date de mise à disposition)")]
if not sel.filtres.est_vide():
    contexte.append(f"filtres : {texte_brut(sel.filtres.description())}")
st.caption(" · ".join(contexte))
ui.liens_de_navigation(sel, par)

if lignes.empty:
    st.info("Aucune mise à disposition pour cette sélection : élargissez les filtres ou "
            "choisissez un autre trimestre.", icon=":material/info:")
    st.stop()

# written for people once per selection and data version, shared by the sessions
lisibles = contenu(ui.lignes_lisibles, calcul, sel, par, cle, periode)
ui.tableau_detail(ui.page_de_lignes(lisibles, (sel, par, cle, periode)), hauteur=600)
telechargements(lisibles, ui.nom_fichier(sel, par, cle), "detail", en_tetes=EN_TETES_DETAIL)
