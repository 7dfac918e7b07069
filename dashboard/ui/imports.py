"""Drawing an import report and the import journal (Importer des données page); the columns
matched by hand, and the real import (with the profile of headers it saves)."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from dashboard import vocabulaire as voc
from dashboard.exports import csv_excel
from dashboard.formatting import accord, en_tete, formater_tableau
from dashboard.habilitations import DroitsInsuffisants
from dashboard.ui import etat
from dashboard.ui.authentification import habilitation_actuelle
from dashboard.ui.texte import texte_brut
from data_loaders import IMPORTE, INCHANGE, JEUX, REJETE, RapportImport, importer, profils

# The headings of a check's errors (the table and its CSV).
EN_TETES_ERREURS = {"ligne": "Ligne", "colonne": "Colonne", "en_tete": "En-tête du fichier",
                    "valeur": "Valeur lue", "message": "Problème"}
# The option of a column select that takes no header of the file.
AUCUNE = "\x00aucune"
SANS_DROITS = ("Vous n'êtes plus connecté, ou vos droits ont changé : action refusée. "
               "Rechargez la page.")


def afficher_detection(rapport: RapportImport) -> None:
    lecture = rapport.lecture
    if lecture is None:
        return
    st.markdown(" · ".join(f"**{nom}** : {texte_brut(valeur)}"
                           for nom, valeur in lecture.description()))
    if rapport.apercu is not None and not rapport.apercu.empty:
        with st.expander("Aperçu des premières lignes, telles qu'elles seront importées"):
            # the file's columns as they will be stored, not the pipeline's working ones
            colonnes = [c for c in rapport.apercu.columns
                        if c == "_ligne" or not (c.startswith(("b_", "n_"))
                                                 or c == "reservataire_erreur")]
            # French headings and formats (dates 15/03/2025, « — » for an empty cell)
            apercu = formater_tableau(rapport.apercu[colonnes].rename(columns={"_ligne": "ligne"}))
            st.dataframe(apercu.rename(columns=en_tete), hide_index=True)


def afficher_correspondance(rapport: RapportImport) -> None:
    if rapport.profil_applique:
        st.info("Correspondance des colonnes reprise du profil enregistré (les mêmes en-têtes "
                "ont déjà été associés à la main).", icon=":material/bookmark:")
    if rapport.correspondance is None:
        return
    for phrase in rapport.correspondance.avertissements():
        st.warning(texte_brut(phrase))
    with st.expander("Correspondance des colonnes", expanded=False):
        df = rapport.correspondance_frame()
        df["en_tete"] = df["en_tete"].fillna("— absente —")
        st.dataframe(df, hide_index=True, column_config={
            "colonne": "Colonne attendue", "description": "Description",
            "obligatoire": st.column_config.CheckboxColumn("Obligatoire"),
            "en_tete": "En-tête du fichier"})
        if rapport.correspondance.ignorees:
            st.caption("Colonnes du fichier ignorées : "
                       + ", ".join(f"« {texte_brut(c)} »"
                                   for c in rapport.correspondance.ignorees))


def afficher_rapport(rapport: RapportImport, titre: str) -> None:
    st.subheader(titre)
    if rapport.statut == IMPORTE:
        (st.warning if rapport.erreurs else st.success)(texte_brut(rapport.message))
    elif rapport.statut == INCHANGE:
        st.info(texte_brut(rapport.message))
    else:
        st.error(texte_brut(rapport.message))
        if rapport.type_suggere:
            st.info("Ce fichier ressemble plutôt à des « "
                    f"{voc.TYPES_DONNEES[rapport.type_suggere].lower()} » : choisissez ce type "
                    "de données ci-dessus.")
    if rapport.erreurs:
        sur = (f" sur {accord(rapport.lignes_rejetees, 'ligne')}"
               if rapport.lignes_rejetees else "")
        st.markdown(f"**{accord(len(rapport.erreurs), 'erreur')}**{sur} :")
        erreurs = rapport.erreurs_frame()
        erreurs["valeur"] = erreurs["valeur"].fillna("")     # an empty cell, not « None »
        st.dataframe(erreurs, hide_index=True, column_config={
            "ligne": st.column_config.NumberColumn(EN_TETES_ERREURS["ligne"], format="%d"),
            "colonne": EN_TETES_ERREURS["colonne"], "en_tete": EN_TETES_ERREURS["en_tete"],
            "valeur": EN_TETES_ERREURS["valeur"],
            "message": st.column_config.TextColumn(EN_TETES_ERREURS["message"], width="large")})


def rapport_de_verification(rapport: RapportImport) -> bytes:
    """The errors of a check as a CSV for French Excel, with the headings the page shows."""
    return csv_excel(rapport.erreurs_frame().rename(columns=EN_TETES_ERREURS))


def afficher_journal(df: pd.DataFrame) -> None:
    if df.empty:
        st.info("Aucun import pour l'instant : déposez un premier fichier ci-dessus.")
        return
    vue = df.drop(columns=["sha256"]).copy()
    vue["type_donnees"] = vue["type_donnees"].map(lambda t: voc.TYPES_DONNEES.get(t, t))
    vue["statut"] = vue["statut"].map(lambda s: voc.STATUTS_IMPORT.get(s, s))
    for col in ("horodatage", "annule_le"):
        vue[col] = pd.to_datetime(vue[col]).dt.strftime("%d/%m/%Y %H:%M")
    st.dataframe(vue, hide_index=True, column_config={
        "import_id": st.column_config.NumberColumn("N°", format="%d"),
        "type_donnees": "Données", "perimetre": "Périmètre", "nom_fichier": "Fichier",
        "lignes_lues": st.column_config.NumberColumn("Lues", format="localized"),
        "lignes_importees": st.column_config.NumberColumn("Importées", format="localized"),
        "lignes_rejetees": st.column_config.NumberColumn("Rejetées", format="localized"),
        "statut": "Statut", "utilisateur": "Par", "horodatage": "Le",
        "annule_par": "Annulé par", "annule_le": "Annulé le"})


# ------------------------------------------------------------------ columns matched by hand


def identifiant_fichier(contenu: bytes, nom: str, type_donnees: str) -> str:
    """What a matching by hand belongs to: this content, under this name, as this dataset."""
    return f"{type_donnees}|{nom}|{hashlib.sha256(contenu).hexdigest()}"


def mapping_manuel(identifiant: str) -> dict[str, str] | None:
    """The matching applied by hand to this file, if any (another file forgets it)."""
    manuel = st.session_state.get(etat.IMPORT_MAPPING_MANUEL)
    if manuel and manuel["fichier"] == identifiant:
        return manuel["mapping"]
    return None


def _cle_colonne(nom: str) -> str:
    return etat.PREFIXE_IMPORT_COLONNE + nom


def _appliquer_colonnes(identifiant: str, type_donnees: str, entetes: list[str]) -> None:
    """Form callback: the headers chosen become the explicit mapping of this file (a header
    chosen for two columns is refused)."""
    choisis = {col.nom: st.session_state.get(_cle_colonne(col.nom))
               for col in JEUX[type_donnees].colonnes}
    mapping = {nom: h for nom, h in choisis.items() if h and h != AUCUNE and h in entetes}
    vus: dict[str, list[str]] = {}
    for nom, h in mapping.items():
        vus.setdefault(h, []).append(JEUX[type_donnees].colonne(nom).nom_affiche)
    doubles = {h: noms for h, noms in vus.items() if len(noms) > 1}
    if doubles:
        st.session_state[etat.IMPORT_COLONNES_MESSAGE] = " ".join(
            f"L'en-tête « {h} » est choisi pour plusieurs colonnes ("
            + ", ".join(f"« {n} »" for n in noms) + ") : une colonne du fichier n'en alimente "
            "qu'une." for h, noms in doubles.items())
        return
    st.session_state[etat.IMPORT_MAPPING_MANUEL] = {"fichier": identifiant, "mapping": mapping}


def _revenir_automatique() -> None:
    st.session_state.pop(etat.IMPORT_MAPPING_MANUEL, None)


def associer_colonnes(rapport: RapportImport, identifiant: str) -> None:
    """« Associer les colonnes à la main »: one select per column of the dataset, whose options
    are the file's headers (with a few of their values), preselected with the matching in
    use; applying it checks the file again with that mapping."""
    lecture = rapport.lecture
    if lecture is None or not lecture.entetes:
        return
    jeu = JEUX[rapport.type_donnees]
    manuel = mapping_manuel(identifiant)
    if rapport.correspondance is not None:
        preselection = dict(rapport.correspondance.entetes)
    else:
        preselection = dict(manuel or {})
    # The selects show the matching in use: set again whenever it changes (new file, mapping
    # applied), never while the person is choosing.
    signature = (identifiant, tuple(sorted(preselection.items())))
    if st.session_state.get(etat.IMPORT_COLONNES_INITIALES) != signature:
        for col in jeu.colonnes:
            h = preselection.get(col.nom)
            st.session_state[_cle_colonne(col.nom)] = h if h in lecture.entetes else AUCUNE
        st.session_state[etat.IMPORT_COLONNES_INITIALES] = signature

    exemples = rapport.exemples or {}

    def libelle(h: str) -> str:
        if h == AUCUNE:
            return "— aucune —"
        valeurs = exemples.get(h) or []
        return f"{h} (ex. : {', '.join(valeurs)})" if valeurs else f"{h} (vide)"

    # Open when a required column was not found (the core then gives the matching found so
    # far, or none at all).
    manquante = rapport.correspondance is None or any(
        c.obligatoire and c.nom not in rapport.correspondance.colonnes
        for c in JEUX[rapport.type_donnees].colonnes)
    with st.expander("Associer les colonnes à la main", expanded=manquante or manuel is not None):
        st.caption("Pour chaque colonne attendue, choisissez l'en-tête du fichier qui la contient "
                   "(entre parenthèses, des valeurs du fichier). Une colonne laissée à « — aucune "
                   "— » est reconnue automatiquement si un en-tête lui correspond par son nom. "
                   "Une fois le fichier importé, cette correspondance est enregistrée : les "
                   "prochains fichiers avec les mêmes en-têtes seront lus de la même façon.")
        message = st.session_state.pop(etat.IMPORT_COLONNES_MESSAGE, None)
        if message:
            st.error(texte_brut(message))
        options = [AUCUNE, *lecture.entetes]
        with st.form(etat.IMPORT_COLONNES_FORMULAIRE, border=False):
            grille = st.columns(2)
            for i, col in enumerate(jeu.colonnes):
                nom = col.nom_affiche[:1].upper() + col.nom_affiche[1:]
                grille[i % 2].selectbox(
                    f"{nom}{' (obligatoire)' if col.obligatoire else ''}", options=options,
                    format_func=libelle, key=_cle_colonne(col.nom))
            st.form_submit_button("Appliquer cette correspondance", type="primary",
                                  key=etat.IMPORT_COLONNES_BOUTON, on_click=_appliquer_colonnes,
                                  args=(identifiant, rapport.type_donnees,
                                        list(lecture.entetes)))
        if manuel is not None:
            st.button("Revenir à la correspondance automatique",
                      key=etat.IMPORT_COLONNES_AUTOMATIQUE, on_click=_revenir_automatique)


# ------------------------------------------------------------------------- the real import


def _etape(statut, texte: str) -> None:
    """A stage of the work in progress: the status box's title, and a line inside it."""
    statut.update(label=texte)
    statut.caption(texte)


def verifier(con, type_donnees: str, contenu: bytes, nom: str, mapping, feuille, partiel: bool,
             habilitation) -> RapportImport:
    """The check of a file (an import simulated: nothing written), its stages shown as they
    run (« Lecture du fichier… », « Vérification de 8 447 lignes… ») in a status box that
    says at the end what was read."""
    with st.status("Vérification du fichier…", expanded=False) as statut:
        rapport = importer(con, type_donnees, contenu, nom, mapping=mapping, feuille=feuille,
                           partiel=partiel, simulation=True, habilitation=habilitation,
                           progression=lambda texte: _etape(statut, texte))
        lues = (f" : {accord(rapport.lignes_lues, 'ligne lue', 'lignes lues')}"
                if rapport.lecture is not None else "")
        statut.update(label=f"Fichier vérifié{lues}.",
                      state="error" if rapport.statut == REJETE else "complete")
    return rapport


def demander_import(type_donnees: str, contenu: bytes, nom: str, mapping, feuille,
                    partiel: bool, manuel: bool) -> None:
    """Button callback: the import is asked; the page runs it where the button is, with its
    progress (``importer_avec_progression``)."""
    st.session_state[etat.IMPORT_DEMANDE] = (type_donnees, contenu, nom, mapping, feuille,
                                             partiel, manuel)


def importer_avec_progression(con, demande: tuple) -> None:
    """The import asked (``demander_import``): its stages shown as they run (« Lecture du
    fichier… », « Vérification de 8 447 lignes… », « Écriture de 8 447 lignes… »), then the
    page again, with its report at the top and the journal updated."""
    with st.status("Import du fichier…", expanded=True) as statut:
        lancer_import(con, *demande, progression=lambda texte: _etape(statut, texte))
        statut.update(label="Import terminé.", state="complete", expanded=False)
    st.rerun()


def lancer_import(con, type_donnees: str, contenu: bytes, nom: str, mapping, feuille,
                  partiel: bool, manuel: bool, progression=None) -> None:
    """The real import, whose report is shown once on the next run. The rights are those of
    now, not of the run that drew the button. A matching made by hand that led to an import is
    saved as the profile of these headers. ``progression``: told each stage (see
    ``data_loaders.importer``)."""
    droits = habilitation_actuelle()
    if droits is None:
        st.session_state[etat.IMPORT_REFUS] = SANS_DROITS
        return
    try:
        rapport = importer(con, type_donnees, contenu, nom, mapping=mapping, feuille=feuille,
                           partiel=partiel, habilitation=droits, progression=progression)
    except DroitsInsuffisants as exc:
        st.session_state[etat.IMPORT_REFUS] = str(exc)
        return
    st.session_state[etat.IMPORT_DERNIER_RAPPORT] = rapport
    st.cache_data.clear()   # figures computed on the old data are stale
    if manuel and rapport.statut == IMPORTE and rapport.correspondance is not None:
        bailleurs = rapport.bailleurs_du_fichier
        # profils.enregistrer takes the database's write lock itself
        profils.enregistrer(con, type_donnees, list(rapport.lecture.entetes),
                            dict(rapport.correspondance.entetes),
                            bailleurs[0] if len(bailleurs) == 1 else None,
                            droits.utilisateur)
        st.session_state[etat.IMPORT_PROFIL_MESSAGE] = (
            "Correspondance des colonnes enregistrée : les prochains fichiers avec les mêmes "
            "en-têtes seront lus de la même façon.")
        st.session_state.pop(etat.IMPORT_MAPPING_MANUEL, None)
