"""The page « Orientation d'un logement libéré » (issue 8): its form, cached calls and tables.

The figures come from ``dashboard.metrics.orientation`` and ``dashboard.metrics.droits_acquis``
(cached by Streamlit per database file and data version, like ``dashboard.ui.donnees``). The
form is bound to the URL (``?bailleur=OLS01&commune=13055&date=2026-06-30``): a view is a link.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st

from dashboard import vocabulaire as voc
from dashboard.formatting import (
    date_fr,
    en_tete,
    est_indefini,
    formater_tableau,
    nombre,
    pourcentage,
)
from dashboard.metrics import droits_acquis, orientation
from dashboard.ui import donnees
from dashboard.ui.adresse import depuis_url, vers_url
from dashboard.ui.sections import telechargements
from dashboard.ui.texte import texte_brut

# Widget keys (the AppTest reads them).
CLE_BAILLEUR = "orientation_bailleur"
CLE_COMMUNE = "orientation_commune"
CLE_DATE = "orientation_date"
CLE_TYPOLOGIE = "orientation_typologie"
CLE_FINANCEMENT = "orientation_financement"
CLE_QPV = "orientation_qpv"
CLE_SIGNEES = "orientation_signees"
CLE_DEPARTEMENT_DA = "orientation_da_departement"
CLE_TAUX_DA = "orientation_da_taux"
CLE_PROGRAMMES = "orientation_da_programmes"

QPV = {"": "Non renseigné", "OUI": "En QPV", "NON": "Hors QPV"}
LIBELLES_SOURCE = {"assiette": "Assiette", "convention": "Convention", "manquant": "Inconnus"}


def calcul(nom: str, *args, **kwargs):
    """``orientation.<nom>(con, …)``, cached for this database file and data version."""
    return donnees.calcul(f"orientation.{nom}", *args, **kwargs)


def calcul_droits_acquis(nom: str, *args, **kwargs):
    """``droits_acquis.<nom>(con, …)``, cached likewise."""
    return donnees.calcul(f"droits_acquis.{nom}", *args, **kwargs)


# --- the form ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choix:
    bailleur: str
    nom_bailleur: str
    commune: str
    nom_commune: str
    jour: date
    typologie: str
    financement: str
    qpv: bool | None
    statuts: tuple[str, ...]


def _depuis_url(cle: str, nom: str, valides, lire=str) -> None:
    """On a fresh session, give the widget the URL's value when it is valid."""
    if cle in st.session_state:
        return
    valeur = depuis_url(nom, valides, lire)
    if valeur is not None:
        st.session_state[cle] = valeur


def formulaire() -> Choix | None:
    """The bailleur, the freed dwelling and the date; None when the database has no bailleur.
    Stops the page (with a message) when the bailleur has no commune that year."""
    bailleurs = calcul("bailleurs")
    if bailleurs.empty:
        return None
    noms = dict(zip(bailleurs["bailleur_code"], bailleurs["bailleur_nom"]))
    codes = list(noms)
    _depuis_url(CLE_BAILLEUR, "bailleur", codes)
    _depuis_url(CLE_DATE, "date", None, date.fromisoformat)
    haut = st.columns([2, 2, 1], vertical_alignment="bottom")
    bailleur = haut[0].selectbox("Bailleur", codes, key=CLE_BAILLEUR,
                                 format_func=lambda c: f"{noms[c]} ({c})")
    st.session_state.setdefault(CLE_DATE, date.today())
    jour = haut[2].date_input("Date de l'orientation", format="DD/MM/YYYY", key=CLE_DATE)
    communes = calcul("communes_du_bailleur", bailleur, jour.year)
    noms_communes = dict(zip(communes["code_insee"], communes["nom"]))
    options = list(noms_communes)
    _depuis_url(CLE_COMMUNE, "commune", options)
    if st.session_state.get(CLE_COMMUNE) not in options:
        st.session_state.pop(CLE_COMMUNE, None)   # another bailleur's commune
    if not options:
        haut[1].selectbox("Commune du logement", [], key=CLE_COMMUNE,
                          placeholder="Aucune commune de parc pour cette année")
        st.info(f"Aucun parc ni aucune mise à disposition de ce bailleur en {jour.year} : "
                "importez son fichier « parc » pour choisir une commune.",
                icon=":material/info:")
        st.stop()
    commune = haut[1].selectbox(
        "Commune du logement", options, key=CLE_COMMUNE,
        format_func=lambda c: f"{noms_communes[c]} ({c})",
        help="Les communes où le bailleur a du parc ou des mises à disposition cette année.")
    with st.expander("Caractéristiques du logement (facultatives)"):
        a, b, c = st.columns(3)
        typologie = a.selectbox("Typologie", ["", *voc.TYPOLOGIES], key=CLE_TYPOLOGIE,
                                format_func=lambda t: voc.TYPOLOGIES.get(t, "Non renseignée"))
        financement = b.selectbox("Financement", ["", *voc.FINANCEMENTS], key=CLE_FINANCEMENT,
                                  format_func=lambda f: voc.FINANCEMENTS.get(f, "Non renseigné"))
        qpv = c.selectbox("Quartier prioritaire", list(QPV), key=CLE_QPV, format_func=QPV.get)
        st.caption("Elles ne changent pas le classement (aucune règle ne réserve un type de "
                   "logement à un réservataire) : le motif dit combien de logements semblables "
                   "chacun a déjà reçus, pour garder une offre variée.")
    signees = st.toggle("Conventions signées seulement", key=CLE_SIGNEES,
                        help="Par défaut, toutes les conventions de l'année comptent, signées ou "
                             "non, comme dans les bilans.")
    vers_url({"bailleur": bailleur, "commune": commune, "date": jour.isoformat()})
    return Choix(bailleur, noms[bailleur], commune, noms_communes[commune], jour, typologie,
                 financement, None if not qpv else qpv == "OUI",
                 ("SIGNEE",) if signees else ())


# --- tables ------------------------------------------------------------------------------------


def vue(df: pd.DataFrame, colonnes: list[str]) -> pd.DataFrame:
    """The columns in French (``formatting.formater_tableau``: fractions as percentages…), codes
    as labels, French headings."""
    choisies = df[colonnes].copy()
    texte = formater_tableau(choisies)
    if "statut" in colonnes:
        texte["statut"] = [voc.STATUTS_CONVENTION.get(v, "—") if not est_indefini(v) else "—"
                           for v in choisies["statut"]]
    if "perimetre_type" in colonnes:
        texte["perimetre_type"] = [voc.PERIMETRES.get(v, v) for v in choisies["perimetre_type"]]
    if "source" in colonnes:
        texte["source"] = [LIBELLES_SOURCE.get(v, v) for v in choisies["source"]]
    return texte[colonnes].rename(columns=en_tete)


def recommandation(classement: pd.DataFrame, choix: Choix) -> None:
    """Rank 1 in a box, with its motif."""
    premier = classement.iloc[0]
    st.success(f"**Proposer le logement à : {texte_brut(premier['libelle'])}** "
               f"({texte_brut(premier['reservataire_code'])})\n\n{texte_brut(premier['motif'])}",
               icon=":material/assignment_ind:")
    if len(classement) == 1 and premier["reservataire_code"] == orientation.NON_RESERVE:
        st.warning(f"Aucune convention {choix.jour.year} de ce bailleur ne couvre "
                   f"{texte_brut(choix.nom_commune)} : tout le flux y revient au bailleur.")


def fraicheur(choix: Choix) -> None:
    """Say when the date is after the bailleur's latest imported MAD."""
    derniere = calcul("derniere_mise_a_disposition", choix.bailleur)
    if derniere is None:
        st.caption("Aucune mise à disposition importée pour ce bailleur.")
    elif derniere < choix.jour:
        st.caption(f"Mises à disposition importées jusqu'au {date_fr(derniere)} : les droits "
                   f"prévus courent jusqu'au {date_fr(choix.jour)}, les mises à disposition "
                   "plus récentes ne sont pas encore comptées (le classement n'en dépend pas, "
                   "les retards si).")


COLONNES_CLASSEMENT = ["rang", "libelle", "retard_relatif", "retard", "droits_prevus",
                       "mises_a_disposition", "reste_a_mettre_a_disposition", "droits_annuels",
                       "statut", "perimetre_type"]
COLONNES_PROJECTION = ["libelle", "departement", "perimetre_type", "statut", "droits_annuels",
                       "mises_a_disposition", "projection_31_12", "ecart_projete", "taux_projete",
                       "reste_a_mettre_a_disposition"]


def tableau_classement(classement: pd.DataFrame, choix: Choix) -> None:
    """The ranking's figures, then each rank's motif (a sentence: too long for a cell)."""
    st.dataframe(vue(classement, COLONNES_CLASSEMENT), hide_index=True)
    with st.expander("Motif de chaque rang"):
        st.markdown("\n".join(f"{int(r['rang'])}. **{texte_brut(r['libelle'])}** — {texte_brut(r['motif'])}"
                               for r in classement.to_dict("records")))
    telechargements(classement[list(orientation.COLONNES_ORIENTATION)],
                    f"orientation_{choix.bailleur}_{choix.commune}_{choix.jour.isoformat()}",
                    "orientation")


def tableau_projection(projete: pd.DataFrame, choix: Choix) -> None:
    derriere = projete[projete["ecart_projete"] < 0]
    reste = projete["reste_a_mettre_a_disposition"].sum()
    a, b = st.columns(2)
    a.metric("Reste à mettre à disposition d'ici le 31/12", nombre(reste, 0), border=True,
             help="Somme, sur les conventions de l'année, des droits annuels non encore "
                  "atteints par les mises à disposition.")
    b.metric("Réservataires en dessous de leurs droits au 31/12 à ce rythme",
             f"{len(derriere)} sur {len(projete)}", border=True)
    st.dataframe(vue(projete, COLONNES_PROJECTION), hide_index=True)
    telechargements(projete, f"projection_{choix.bailleur}_{choix.jour.isoformat()}",
                    "projection")


# --- droits acquis -----------------------------------------------------------------------------


def _marquer_saisi(cle: str) -> None:
    """Remember that the user typed in a field (its value is then theirs, not the engine's)."""
    st.session_state[cle] = True


def calculatrice_droits_acquis(choix: Choix) -> None:
    """Droits de suite per programme × the bailleur's departmental rotation rate."""
    communes = calcul("communes_du_bailleur", choix.bailleur, choix.jour.year)
    departements = sorted(set(communes["departement"]))
    commune = calcul("commune", choix.commune)
    if commune and commune["departement"] in departements and \
            CLE_DEPARTEMENT_DA not in st.session_state:
        st.session_state[CLE_DEPARTEMENT_DA] = commune["departement"]
    if st.session_state.get(CLE_DEPARTEMENT_DA) not in departements:
        st.session_state.pop(CLE_DEPARTEMENT_DA, None)
    gauche, droite = st.columns([1, 2], gap="medium")
    departement = gauche.selectbox("Département", departements, key=CLE_DEPARTEMENT_DA,
                                   format_func=voc.libelle_departement)
    taux_moteur = calcul_droits_acquis("taux_rotation_departemental", choix.bailleur,
                                       departement, choix.jour.year)
    cle_taux = f"{CLE_TAUX_DA}_{choix.bailleur}_{departement}_{choix.jour.year}"
    # shown rounded to 2 decimals; converted at the engine's exact rate until the user edits it
    cle_saisi = f"{cle_taux}_saisi"
    saisi = gauche.text_input(
        "Taux de rotation (%)",
        value=nombre(taux_moteur * 100, 2) if taux_moteur is not None else "", key=cle_taux,
        on_change=_marquer_saisi, args=(cle_saisi,),
        help="Par défaut, celui du bailleur dans le département cette année (libérations ÷ parc "
             "éligible) ; modifiable si un autre taux est convenu.")
    if taux_moteur is None:
        gauche.caption("Pas de parc déclaré dans ce département cette année : saisissez le "
                       "taux convenu.")
    else:
        gauche.caption(f"Taux du bailleur dans ce département : {pourcentage(taux_moteur, 2)}.")
    texte = droite.text_area(
        "Programmes et droits de suite", key=CLE_PROGRAMMES, height=150,
        placeholder="Les Oliviers ; 40\nLe Mistral ; 25",
        help="Une ligne par programme : nom, puis le nombre de droits de suite (séparés par « ; », "
             "une tabulation — copier-coller d'un tableur — ou une espace). Sans « ; », le "
             "nombre final est lu en entier, espaces des milliers comprises : « Les Oliviers "
             "1 200 » donne 1 200 droits au programme « Les Oliviers » ; pour un nom qui finit "
             "par un nombre, séparez par « ; » (« Les Oliviers 1 ; 200 »).")
    if not texte.strip():
        st.caption("Saisissez les programmes pour calculer les droits uniques par an.")
        return
    try:
        if taux_moteur is not None and not st.session_state.get(cle_saisi):
            taux = taux_moteur
        else:
            taux = droits_acquis.lire_pourcentage(saisi)
        resultat = droits_acquis.convertir(droits_acquis.lire_programmes(texte), taux)
    except ValueError as exc:
        st.error(str(exc), icon=":material/error:")
        return
    total = resultat["droits_uniques"].sum()
    st.metric("Droits uniques par an", nombre(total, 1), border=True,
              help="Σ droits de suite × taux de rotation.")
    st.dataframe(vue(resultat, list(droits_acquis.COLONNES_CONVERSION)), hide_index=True)
    telechargements(resultat, f"droits_acquis_{choix.bailleur}_{departement}", "droits_acquis")
    conventions = calcul_droits_acquis("conventions_droits_acquis", choix.bailleur,
                                       choix.jour.year)
    conventions = conventions[conventions["departement"] == departement]
    for ligne in conventions.to_dict("records"):
        st.caption(f"Pour comparaison, la convention {choix.jour.year} « droits acquis » de "
                   f"{texte_brut(ligne['reservataire_nom'] or ligne['reservataire_code'])} dans ce "
                   f"département indique {nombre(ligne['droits_annuels'], 1)} droits annuels.")
