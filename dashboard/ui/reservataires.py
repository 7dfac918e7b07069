"""Réservataires in the browser (DOMAIN §3.6): the resolution step of the import page, and the
page « Réservataires et correspondances » (referential, correspondences, edit, CSV in and out).

The core keeps the referential (dashboard.referentiel) and the correspondences
(data_loaders.correspondances); this module only draws them and turns the widgets' choices
into `Definition`s.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from dashboard import vocabulaire as voc
from dashboard.formatting import accord, nombre
from dashboard.habilitations import BAILLEUR, LECTEUR, DroitsInsuffisants, Habilitation
from dashboard.ui import etat
from dashboard.ui.authentification import habilitation_actuelle
from dashboard.ui.imports import SANS_DROITS
from dashboard.ui.texte import texte_brut
from data_loaders import FichierRejete, RapportImport
from data_loaders import correspondances as corr
from data_loaders.identites import code_autre
from data_loaders.specs import cle

# The option of a réservataire select that creates an AUTRE identity named after the value.
CREER = "\x00creer"
ORIGINES = {"manuelle": "Manuelle", "automatique": "Automatique", "convention": "Convention"}


# ----------------------------------------------------------------------- pure helpers


def cle_reservataire(valeur: str) -> str:
    """The widget key of the select of one unresolved value (any text: a digest of it)."""
    return etat.PREFIXE_IMPORT_RESERVATAIRE + hashlib.sha1(valeur.encode("utf-8")).hexdigest()[:12]


def codes_autres(valeurs: list[str], pris: set[str]) -> dict[str, str]:
    """The code each value would get as a new AUTRE identity (the core's rule,
    identites.code_autre: « Bailleur social X contingent » → AUT-BSXC), unique against `pris`
    (the referential's codes) and against one another (AUT-BSXC-2…)."""
    pris = {cle(c) for c in pris}
    codes: dict[str, str] = {}
    for valeur in valeurs:
        code = code_autre(valeur, None, lambda c: cle(c) in pris)
        pris.add(cle(code))
        codes[valeur] = code
    return codes


def bailleurs_du_fichier(rapport: RapportImport, hab: Habilitation) -> list[str]:
    """The bailleurs the correspondences of a file are set for: those whose lines hold an
    unresolved value (every bailleur of the file when the core does not say); for a bailleur
    user, only its own codes (the lines of other bailleurs are errors anyway)."""
    codes = {b for bailleurs in rapport.bailleurs_par_valeur.values() for b in bailleurs}
    if not codes:
        codes = set(rapport.bailleurs_du_fichier)
    if hab.role == BAILLEUR:
        codes &= set(hab.bailleurs)
    return sorted(codes)


def importable_une_fois_resolu(rapport: RapportImport, partiel: bool) -> bool:
    """Whether the file can be imported once its unresolved réservataires are matched: in a
    partial import always (the other faulty lines go to the quarantine), in a strict one when
    every error is about an unresolved réservataire."""
    if partiel:
        return True
    valeurs = {r["valeur"] for r in rapport.reservataires_non_resolus}
    return all(e.colonne == "reservataire_code" and e.valeur in valeurs for e in rapport.erreurs)


def noms_du_referentiel(ref: pd.DataFrame) -> dict[str, str]:
    return dict(zip(ref["reservataire_code"], ref["nom"]))


def libelle_identite(code: str, noms: dict[str, str]) -> str:
    nom = noms.get(code)
    return f"{code} — {nom}" if nom else code


@dataclass(frozen=True)
class Choix:
    """What the resolution step offers for one unresolved value."""

    valeur: str
    lignes: int
    suggestions: tuple[str, ...]
    code_autre: str


def choix_de_resolution(rapport: RapportImport, ref: pd.DataFrame) -> list[Choix]:
    codes = set(ref["reservataire_code"])
    valeurs = [r["valeur"] for r in rapport.reservataires_non_resolus]
    autres = codes_autres(valeurs, codes)
    return [Choix(r["valeur"], int(r["lignes"]),
                  tuple(s for s in r.get("suggestions") or [] if s in codes), autres[r["valeur"]])
            for r in rapport.reservataires_non_resolus]


def definitions(choisis: dict[str, str | None], bailleurs: list[str],
                autres: dict[str, str]) -> list[corr.Definition]:
    """One Definition per (bailleur, value chosen); « create » gives the value's AUTRE code
    and the value as its name."""
    resultat = []
    for valeur, code in choisis.items():
        if not code:
            continue
        for bailleur in bailleurs:
            if code == CREER:
                resultat.append(corr.Definition(bailleur, valeur, autres[valeur], nom=valeur))
            else:
                resultat.append(corr.Definition(bailleur, valeur, code))
    return resultat


def enregistrer(con, choisis: dict[str, str | None], bailleurs: list[str],
                autres: dict[str, str], droits: Habilitation) -> tuple[bool, str]:
    """Set the chosen correspondences (all or nothing): (done, French message)."""
    a_definir = definitions(choisis, bailleurs, autres)
    if not bailleurs:
        return False, ("Aucun bailleur dans le fichier pour lequel vous pouvez enregistrer des "
                       "correspondances.")
    if not a_definir:
        return False, "Choisissez un réservataire pour au moins une valeur."
    try:
        resultat = corr.definir(con, a_definir, habilitation=droits)
    except DroitsInsuffisants as exc:
        return False, str(exc)
    except FichierRejete as exc:
        return False, "Correspondances non enregistrées : " + " ".join(
            e.message for e in exc.erreurs)
    qui = f"Bailleur{'s' if len(bailleurs) > 1 else ''} {', '.join(bailleurs)}"
    return True, f"{qui} : {resultat.message}"


def referentiel_filtre(ref: pd.DataFrame, types: list[str], recherche: str) -> pd.DataFrame:
    """The referential restricted to some types and to the codes or names holding the search
    (case, accents and punctuation aside)."""
    vue = ref
    if types:
        vue = vue[vue["type_reservataire"].isin(types)]
    k = cle(recherche)
    if k:
        vue = vue[vue["reservataire_code"].map(cle).str.contains(k, regex=False)
                  | vue["nom"].map(cle).str.contains(k, regex=False)]
    return vue


def correspondances_vue(con, bailleurs: list[str] | None, ref: pd.DataFrame) -> pd.DataFrame:
    """The correspondences of these bailleurs (None: all), with each identity's name."""
    if bailleurs is None:
        df = corr.lister(con)
    else:
        df = pd.concat([corr.lister(con, b) for b in bailleurs], ignore_index=True) if bailleurs \
            else corr.lister(con).iloc[0:0]
    noms = noms_du_referentiel(ref)
    df = df.copy()
    df.insert(3, "nom", df["reservataire_code"].map(noms))
    df["origine"] = df["origine"].map(lambda o: ORIGINES.get(o, o))
    return df


def peut_modifier(hab: Habilitation) -> bool:
    """Whether this user may set correspondences at all (a reader may not)."""
    return hab.role != LECTEUR


def bailleurs_modifiables(hab: Habilitation, connus: list[str]) -> list[str]:
    """The bailleurs whose correspondences this user may set, among `connus`."""
    if hab.role == LECTEUR:
        return []
    if hab.role == BAILLEUR:
        return sorted(b for b in connus if b in hab.bailleurs)
    return sorted(connus)


def bailleurs_visibles(con, hab: Habilitation) -> list[str]:
    """The bailleurs whose correspondences this user sees: a bailleur its own codes, anybody
    else every bailleur that has some."""
    if hab.role == BAILLEUR:
        return sorted(hab.bailleurs)
    return sorted(corr.lister(con)["bailleur_code"].unique())


def perimetre(hab: Habilitation, choix: str | None, visibles: list[str]) -> list[str] | None:
    """The bailleurs shown: the one chosen, else all those visible (None: every bailleur)."""
    if choix:
        return [choix]
    return visibles if hab.role == BAILLEUR else None


def export(con, bailleurs: list[str] | None) -> bytes:
    """The CSV export of these bailleurs' correspondences (None: all), one header line."""
    return corr.exporter(con, bailleurs)


# ---------------------------------------------------------------- the import page's step


def _format_option(code: str, noms: dict[str, str], choix: Choix) -> str:
    if code == CREER:
        return f"Créer un réservataire Autre : {choix.code_autre} — {choix.valeur}"
    libelle = libelle_identite(code, noms)
    return f"{libelle} (suggestion)" if code in choix.suggestions else libelle


def etape_resolution(rapport: RapportImport, ref: pd.DataFrame, bailleurs: list[str],
                     importer_ensuite: bool, sur_clic, args: tuple) -> None:
    """The unresolved réservataires of a checked file, each with a select of the referential
    (suggestions first, then « create », then every identity); the values resolved
    automatically, collapsed; the button that saves the choices (then imports). `sur_clic`
    gets `args` then the values, the bailleurs and the AUTRE codes."""
    noms = noms_du_referentiel(ref)
    tous = list(ref["reservataire_code"])
    if rapport.reservataires_non_resolus:
        choix = choix_de_resolution(rapport, ref)
        st.subheader("Réservataires à identifier")
        n = len(choix)
        pour = (f"pour {'le bailleur' if len(bailleurs) == 1 else 'les bailleurs'} "
                f"{texte_brut(', '.join(bailleurs))}" if bailleurs else "")
        st.markdown(
            f"{accord(n, 'valeur')} de la colonne des réservataires "
            f"{'ne correspond' if n == 1 else 'ne correspondent'} à aucun réservataire connu. "
            f"Choisissez pour chacune l'identité du référentiel : la correspondance est "
            f"enregistrée {pour} et servira aux prochains imports.")
        # A form: choosing does not check the file again, only the button acts.
        with st.form(etat.IMPORT_RESOLUTION_FORMULAIRE, border=False):
            for c in choix:
                options = ([*c.suggestions, CREER]
                           + [x for x in tous if x not in c.suggestions])
                st.selectbox(
                    f"« {texte_brut(c.valeur)} » — {accord(c.lignes, 'ligne')}", options=options,
                    index=None, placeholder="Choisir un réservataire…",
                    key=cle_reservataire(c.valeur),
                    format_func=lambda code, c=c: _format_option(code, noms, c))
            if not bailleurs:
                st.warning("Aucun bailleur de ce fichier n'est dans vos droits : vous ne pouvez "
                           "pas enregistrer ces correspondances.")
            elif not importer_ensuite:
                st.caption("Le fichier a d'autres erreurs : les correspondances seront "
                           "enregistrées puis le fichier vérifié de nouveau (cochez « Import "
                           "partiel » pour importer les lignes valides).")
            st.form_submit_button(
                "Enregistrer les correspondances et importer" if importer_ensuite
                else "Enregistrer les correspondances", type="primary",
                key=etat.IMPORT_RESOLUTION_BOUTON, disabled=not bailleurs, on_click=sur_clic,
                args=(*args, [c.valeur for c in choix], bailleurs,
                      {c.valeur: c.code_autre for c in choix}))
    automatiques = rapport.reservataires_resolus_automatiquement
    if automatiques or rapport.reservataires_crees:
        with st.expander(f"Réservataires reconnus automatiquement ({nombre(len(automatiques))})"):
            if automatiques:
                st.dataframe(pd.DataFrame({
                    "Valeur du fichier": [a["valeur"] for a in automatiques],
                    "Réservataire": [libelle_identite(a["reservataire_code"], noms)
                                     for a in automatiques],
                    "Lignes": [a["lignes"] for a in automatiques]}), hide_index=True,
                    column_config={"Lignes": st.column_config.NumberColumn(format="localized")})
            if rapport.reservataires_crees:
                st.caption("Réservataires créés par l'import : " + ", ".join(
                    texte_brut(f"{i['reservataire_code']} — {i['nom']}")
                    for i in rapport.reservataires_crees) + ".")


def choix_faits(valeurs: list[str]) -> dict[str, str | None]:
    """The identity chosen for each value (None when the select is still empty)."""
    return {v: st.session_state.get(cle_reservataire(v)) for v in valeurs}


# ------------------------------------------------------------- the réservataires page


def tableau_referentiel(vue: pd.DataFrame) -> None:
    st.dataframe(
        vue.assign(type_reservataire=vue["type_reservataire"].map(
            lambda t: voc.TYPES_RESERVATAIRE.get(t, t))),
        hide_index=True, column_config={
            "reservataire_code": "Code", "nom": "Nom", "type_reservataire": "Type",
            "territoire": "Territoire"})


def tableau_correspondances(vue: pd.DataFrame) -> None:
    st.dataframe(vue, hide_index=True, column_config={
        "bailleur_code": "Bailleur", "valeur": "Valeur écrite dans les fichiers",
        "reservataire_code": "Réservataire", "nom": "Nom du réservataire",
        "origine": "Origine"})


def erreurs_fichier(exc: FichierRejete) -> pd.DataFrame:
    return pd.DataFrame([e.as_dict() for e in exc.erreurs],
                        columns=["ligne", "colonne", "valeur", "message"])


def tableau_erreurs(df: pd.DataFrame) -> None:
    st.dataframe(df.fillna({"valeur": ""}), hide_index=True, column_config={
        "ligne": st.column_config.NumberColumn("Ligne", format="%d"), "colonne": "Colonne",
        "valeur": "Valeur lue", "message": st.column_config.TextColumn("Problème",
                                                                         width="large")})



def _modifier(con, bailleur: str, valeur: str) -> None:
    """Button callback: the identity chosen for this bailleur's value (rights of now)."""
    code = st.session_state.get(etat.CORRESPONDANCE_MODIF_RESERVATAIRE)
    droits = habilitation_actuelle()
    if droits is None:
        st.session_state[etat.CORRESPONDANCES_MESSAGE] = ("erreur", SANS_DROITS, None)
        return
    try:
        resultat = corr.definir(con, [corr.Definition(bailleur, valeur, code)],
                                habilitation=droits)
    except DroitsInsuffisants as exc:
        st.session_state[etat.CORRESPONDANCES_MESSAGE] = ("erreur", str(exc), None)
        return
    except FichierRejete as exc:
        st.session_state[etat.CORRESPONDANCES_MESSAGE] = (
            "erreur", "Correspondance non modifiée : "
            + " ".join(e.message for e in exc.erreurs), None)
        return
    st.session_state[etat.CORRESPONDANCES_MESSAGE] = (
        "succes", f"« {valeur} » ({bailleur}) → {code} : {resultat.message}", None)


def formulaire_modification(con, liste: pd.DataFrame, modifiables: list[str],
                            ref: pd.DataFrame) -> None:
    """Choose a bailleur, one of its values, another identity; save (re-attaches the rows
    already imported with that value)."""
    noms = noms_du_referentiel(ref)
    col_b, col_v = st.columns(2)
    bailleur = col_b.selectbox("Bailleur de la correspondance", options=modifiables,
                               key=etat.CORRESPONDANCE_MODIF_BAILLEUR)
    lignes = liste[liste["bailleur_code"] == bailleur]
    valeurs = list(lignes["valeur"])
    valeur = col_v.selectbox("Valeur écrite dans les fichiers", options=valeurs,
                             key=etat.CORRESPONDANCE_MODIF_VALEUR)
    if valeur is None:
        return
    actuel = str(lignes.loc[lignes["valeur"] == valeur, "reservataire_code"].iloc[0])
    # The identity select starts on the current one whenever another value is chosen.
    if st.session_state.get(etat.CORRESPONDANCE_MODIF_INITIALE) != (bailleur, valeur):
        st.session_state[etat.CORRESPONDANCE_MODIF_RESERVATAIRE] = actuel
        st.session_state[etat.CORRESPONDANCE_MODIF_INITIALE] = (bailleur, valeur)
    code = st.selectbox("Réservataire", options=list(ref["reservataire_code"]),
                        format_func=lambda c: libelle_identite(c, noms),
                        key=etat.CORRESPONDANCE_MODIF_RESERVATAIRE)
    st.caption(f"Actuellement : {texte_brut(libelle_identite(actuel, noms))}. Les lignes déjà "
               "importées avec cette valeur sont rattachées au réservataire choisi.")
    st.button("Enregistrer la correspondance", type="primary", disabled=code == actuel,
              key=etat.CORRESPONDANCE_MODIF_BOUTON, on_click=_modifier,
              args=(con, bailleur, valeur))


def importer_correspondances(con, contenu: bytes, nom: str) -> None:
    """Button callback: a CSV file of correspondences, all or nothing (rights of now)."""
    droits = habilitation_actuelle()
    if droits is None:
        st.session_state[etat.CORRESPONDANCES_MESSAGE] = ("erreur", SANS_DROITS, None)
        return
    try:
        resultat = corr.importer_fichier(con, contenu, nom, habilitation=droits)
    except DroitsInsuffisants as exc:
        st.session_state[etat.CORRESPONDANCES_MESSAGE] = ("erreur", str(exc), None)
        return
    except FichierRejete as exc:
        n = len(exc.erreurs)
        st.session_state[etat.CORRESPONDANCES_MESSAGE] = (
            "erreur", f"Fichier rejeté : rien n'a été enregistré. {accord(n, 'erreur')} :",
            erreurs_fichier(exc))
        return
    st.session_state[etat.CORRESPONDANCES_MESSAGE] = (
        "succes", f"Fichier « {nom} » importé : {resultat.message}", None)
