"""Réservataires et correspondances: the referential of réservataires, each bailleur's
correspondences (value written in its files → identity), editing one, CSV export and import."""

from dashboard.ui.amorce import amorcer

amorcer()  # a direct link on a fresh server: let app.py route it

import streamlit as st

from dashboard import referentiel
from dashboard import vocabulaire as voc
from dashboard.formatting import accord, nombre
from dashboard.ui import etat
from dashboard.ui import reservataires as resa
from dashboard.ui.authentification import habilitation
from dashboard.ui.connexion import connexion
from dashboard.ui.texte import texte_brut

st.title("Réservataires et correspondances")
st.caption("Chaque réservataire a une seule identité, quel que soit le nom que lui donnent les "
           "fichiers des bailleurs : les correspondances disent, pour chaque bailleur, quelle "
           "identité désigne chaque valeur écrite dans ses fichiers.")
con = connexion()
hab = habilitation()
ref = referentiel.lister(con)

# ------------------------------------------------------------------------ the referential
st.subheader("Référentiel des réservataires")
col_types, col_recherche = st.columns([2, 3])
types = col_types.multiselect("Type de réservataire", options=list(voc.TYPES_RESERVATAIRE),
                              format_func=voc.TYPES_RESERVATAIRE.get, key=etat.REFERENTIEL_TYPES,
                              placeholder="Tous les types")
recherche = col_recherche.text_input("Rechercher un code ou un nom",
                                     key=etat.REFERENTIEL_RECHERCHE)
vue = resa.referentiel_filtre(ref, types, recherche)
st.caption(f"{accord(len(vue), 'identité')} sur {nombre(len(ref))}.")
resa.tableau_referentiel(vue)

# ---------------------------------------------------------------------- correspondences
st.subheader("Correspondances des bailleurs")
message = st.session_state.pop(etat.CORRESPONDANCES_MESSAGE, None)
if message is not None:
    genre, texte, erreurs = message
    (st.success if genre == "succes" else st.error)(texte_brut(texte))
    if erreurs is not None:
        resa.tableau_erreurs(erreurs)

visibles = resa.bailleurs_visibles(con, hab)
choix = st.selectbox("Bailleur", options=[None, *visibles],
                     format_func=lambda b: b or "Tous les bailleurs",
                     key=etat.CORRESPONDANCES_BAILLEUR)
bailleurs = resa.perimetre(hab, choix, visibles)
liste = resa.correspondances_vue(con, bailleurs, ref)
if liste.empty:
    st.info("Aucune correspondance pour l'instant : elles s'enregistrent à l'import (valeurs "
            "reconnues automatiquement, ou choisies sur la page « Importer des données ») ou "
            "par un fichier CSV ci-dessous.")
else:
    st.caption(f"{accord(len(liste), 'correspondance')}.")
    resa.tableau_correspondances(liste)
st.download_button("Télécharger les correspondances (CSV)", resa.export(con, bailleurs),
                   file_name=f"correspondances{'_' + choix if choix else ''}.csv",
                   mime="text/csv", key=etat.CORRESPONDANCES_EXPORT)

# ------------------------------------------------------------------------ edit, import
modifiables = resa.bailleurs_modifiables(hab, list(liste["bailleur_code"].unique()))
if not resa.peut_modifier(hab):
    st.info(f"Votre rôle ({hab.description()}) permet de consulter les correspondances, pas de "
            "les modifier.")
else:
    with st.expander("Modifier une correspondance", expanded=bool(modifiables)):
        if not modifiables:
            st.caption("Aucune correspondance à modifier.")
        else:
            resa.formulaire_modification(con, liste, modifiables, ref)
    with st.expander("Importer un fichier de correspondances"):
        st.caption("Fichier CSV bailleur_code;valeur;reservataire_code (et nom;type_reservataire "
                   "pour créer un réservataire Autre), tel que l'export ci-dessus. Tout ou rien : "
                   "une seule ligne en erreur et rien n'est enregistré.")
        fichier = st.file_uploader("Fichier de correspondances (CSV)", type=["csv", "txt"],
                                   key=etat.CORRESPONDANCES_FICHIER)
        st.button("Importer les correspondances", type="primary", disabled=fichier is None,
                  key=etat.CORRESPONDANCES_IMPORT_BOUTON, on_click=resa.importer_correspondances,
                  args=(con, fichier.getvalue() if fichier else b"",
                        fichier.name if fichier else ""))
