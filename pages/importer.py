"""Importer des données: upload a CSV or Excel export, check it, import it; the import journal."""

from dashboard.ui.amorce import amorcer

amorcer()  # a direct link on a fresh server: let app.py route it

import streamlit as st

from dashboard import referentiel
from dashboard import vocabulaire as voc
from dashboard.habilitations import DroitsInsuffisants
from dashboard.ui import etat, imports
from dashboard.ui import reservataires as resa
from dashboard.ui.authentification import habilitation, habilitation_actuelle
from dashboard.ui.connexion import connexion
from dashboard.ui.texte import texte_brut
from data_loaders import REJETE, AnnulationImpossible, annuler, journal

st.title("Importer des données")
st.caption(
    "Déposez un export de votre logiciel (CSV ou Excel). Le fichier est d'abord vérifié : "
    "rien n'est écrit tant que vous n'avez pas cliqué sur « Importer »."
)
con = connexion()
hab = habilitation()
types_permis = list(hab.types_importables)   # the page offers only these; the core checks again
if not hab.locale:
    st.caption(f"Vous êtes connecté en tant que {texte_brut(hab.utilisateur)} : "
               f"{hab.description()}.")

if types_permis:
    col_type, col_options = st.columns([2, 3])
    with col_type:
        type_donnees = st.selectbox(
            "Type de données", options=types_permis,
            format_func=voc.TYPES_DONNEES.get, key=etat.IMPORT_TYPE)
    with col_options:
        partiel = st.checkbox(
            "Import partiel : importer les lignes valides et mettre les autres en quarantaine",
            key=etat.IMPORT_PARTIEL)
    fichier = st.file_uploader("Fichier CSV ou Excel (.xlsx)",
                               type=["csv", "txt", "tsv", "xlsx"], key=etat.IMPORT_FICHIER)
    with st.expander("Options avancées"):
        feuille = st.text_input("Feuille du classeur Excel (par défaut : la première)",
                                key=etat.IMPORT_FEUILLE).strip() or None
        mapping_fichier = st.file_uploader(
            "Correspondance de colonnes (JSON {\"colonne\": \"En-tête du fichier\"})",
            type=["json"], key=etat.IMPORT_MAPPING)
else:
    st.info(f"Votre rôle ({hab.description()}) ne permet pas d'importer de données : le "
            "journal des imports ci-dessous est consultable.")
    fichier = None


def _importer(contenu: bytes, nom: str, mapping, feuille, partiel: bool, manuel: bool) -> None:
    imports.demander_import(st.session_state[etat.IMPORT_TYPE], contenu, nom, mapping, feuille,
                            partiel, manuel)


def _resoudre(contenu: bytes, nom: str, mapping, feuille, partiel: bool, manuel: bool,
              importer_ensuite: bool, valeurs: list[str], bailleurs: list[str],
              autres: dict[str, str]) -> None:
    """Button callback: save the réservataires chosen, then (when the file has no other error)
    import it. The rights are those of now."""
    droits = habilitation_actuelle()
    if droits is None:
        st.session_state[etat.IMPORT_REFUS] = imports.SANS_DROITS
        return
    fait, message = resa.enregistrer(con, resa.choix_faits(valeurs), bailleurs, autres, droits)
    st.session_state[etat.IMPORT_RESOLUTION_MESSAGE] = ("succes" if fait else "erreur", message)
    if fait and importer_ensuite:
        _importer(contenu, nom, mapping, feuille, partiel, manuel)


demande = st.session_state.pop(etat.IMPORT_DEMANDE, None)
if demande is not None:
    imports.importer_avec_progression(con, demande)    # its progress here, then the page again
refus = st.session_state.pop(etat.IMPORT_REFUS, None)
if refus is not None:
    st.error(texte_brut(refus))
resolution = st.session_state.pop(etat.IMPORT_RESOLUTION_MESSAGE, None)
if resolution is not None:
    (st.success if resolution[0] == "succes" else st.error)(texte_brut(resolution[1]))
dernier = st.session_state.pop(etat.IMPORT_DERNIER_RAPPORT, None)
if dernier is not None:
    imports.afficher_rapport(dernier, titre="Résultat de l'import")
profil = st.session_state.pop(etat.IMPORT_PROFIL_MESSAGE, None)
if profil is not None:
    st.info(profil, icon=":material/bookmark_added:")

if types_permis and fichier is None:
    st.info("Choisissez le type de données puis déposez un fichier pour le vérifier.")
elif fichier is not None and dernier is None:
    contenu = fichier.getvalue()
    identifiant = imports.identifiant_fichier(contenu, fichier.name, type_donnees)
    manuel = imports.mapping_manuel(identifiant)
    mapping = manuel if manuel is not None else (
        mapping_fichier.getvalue() if mapping_fichier is not None else None)
    apercu = imports.verifier(con, type_donnees, contenu, fichier.name, mapping, feuille, partiel,
                              hab)
    imports.afficher_detection(apercu)
    imports.afficher_correspondance(apercu)
    imports.associer_colonnes(apercu, identifiant)
    imports.afficher_rapport(apercu, titre="Vérification")
    if apercu.erreurs:
        st.download_button("Télécharger le rapport de vérification (CSV)",
                           imports.rapport_de_verification(apercu),
                           file_name=f"verification_{fichier.name}.csv", mime="text/csv")
    arguments = (contenu, fichier.name, mapping, feuille, partiel, manuel is not None)
    importer_ensuite = resa.importable_une_fois_resolu(apercu, partiel)
    resa.etape_resolution(apercu, referentiel.lister(con), resa.bailleurs_du_fichier(apercu, hab),
                          importer_ensuite, sur_clic=_resoudre,
                          args=(*arguments, importer_ensuite))
    st.button("Importer", type="primary", disabled=apercu.statut == REJETE,
              key=etat.IMPORT_BOUTON, on_click=_importer, args=arguments)


def _annuler(import_id: int) -> None:
    """Button callback, so that the journal drawn next already shows the rollback. The rights
    are those of now, not of the run that drew the button."""
    droits = habilitation_actuelle()
    if droits is None:
        st.session_state[etat.ANNULATION_MESSAGE] = ("erreur", imports.SANS_DROITS)
        return
    try:
        st.session_state[etat.ANNULATION_MESSAGE] = (
            "succes", annuler(con, import_id, habilitation=droits))
        st.cache_data.clear()
    except (AnnulationImpossible, DroitsInsuffisants) as exc:
        st.session_state[etat.ANNULATION_MESSAGE] = ("erreur", str(exc))


st.divider()
st.subheader("Journal des imports")
annulation = st.session_state.pop(etat.ANNULATION_MESSAGE, None)
if annulation is not None:
    (st.success if annulation[0] == "succes" else st.error)(texte_brut(annulation[1]))
imports.afficher_journal(journal(con))
if hab.peut_annuler:
    with st.expander("Annuler un import"):
        st.caption("L'import annulé est retiré ; celui qu'il avait remplacé redevient en vigueur.")
        numero = st.number_input("Numéro de l'import", min_value=1, step=1,
                                 key=etat.ANNULATION_ID)
        st.button("Annuler cet import", key=etat.ANNULATION_BOUTON, on_click=_annuler,
                  args=(int(numero),))
