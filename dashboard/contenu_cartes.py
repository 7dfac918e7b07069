"""What the maps show, defined once for the pages (Bilan trimestriel, Signatures), the
presentation mode and the HTML report: each map's title, data, figure, takeaway, the sentence
said beside it, and its table's columns.

No Streamlit here: the figures are read through ``obtenir(nom, *args, **kwargs)`` as in
``contenu_bilan`` (the pages pass their cached ``calcul``, the exports
``contenu_bilan.lecteur(con)``). The map of the EPCI reads the very call the EPCI bar chart
of the bilan reads: ``obtenir("bilan", annee, trimestre, "epci", vue=..., filtres=...)``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from dashboard import reference_cartes, vocabulaire
from dashboard.calendrier import fin_trimestre
from dashboard.charts import cartes
from dashboard.contenu_bilan import COLONNES_TABLEAU, Partie
from dashboard.formatting import accord, date_fr, est_indefini, nombre, pourcentage
from dashboard.metrics import Filtres
from dashboard.metrics.libelles import NON_VENTILE

AUCUNE_DONNEE = "Aucune donnée pour cette sélection."

# The page's selectors: value → French label.
INDICATEURS_CARTE_BILAN = {"taux_realisation": "Taux de réalisation", "ecart": "Écart",
                           "mises_a_disposition": "Mises à disposition"}
INDICATEURS_CARTE_COMMUNES = {"mises_a_disposition": "Mises à disposition",
                              "baux_signes": "Baux signés"}
MAILLES_SIGNATURES = {"epci": "EPCI", "departement": "Département"}
PERIMETRES_SIGNATURES = {"tous": "Toutes les conventions qui couvrent l'EPCI",
                         "epci_communes": "Conventions de l'EPCI et de ses communes"}
INDICATEURS_SIGNATURES = {"taux_signature": "Part des conventions signées",
                          "taux_signature_pondere": "Part des droits couverts"}
DOCUMENTS = {code: ("Cotation" if code == "COTATION" else code)
             for code in vocabulaire.DOCUMENTS_EPCI}

COLONNES_COMMUNES = ["libelle", "mises_a_disposition", "baux_signes", "mad_sans_convention"]
COLONNES_SIGNATURES = ["libelle", "conventions", "signees", "taux_signature", "droits_annuels",
                       "droits_signes", "taux_signature_pondere"]
COLONNES_DOCUMENTS = ["epci_nom", "departement", "statut_libelle", "date_document"]


@dataclass(frozen=True)
class PartieCarte(Partie):
    """A map as a part (section, slide, chapter): with ``note``, the sentence said beside it
    (what the map cannot draw, e.g. the « non ventilé » figures) and ``note_courte``, the same
    in a few words for a slide; ``en_tetes``, French headings of its table's columns that
    ``formatting.en_tete`` does not know."""

    note: str | None = None
    en_tetes: dict[str, str] | None = None
    note_courte: str | None = None

    def message_complet(self, court: bool = False) -> str:
        """The takeaway then the note (``court``: the short note, for a slide)."""
        note = (self.note_courte or self.note) if court else self.note
        return " ".join(t for t in (self.message, note) if t)


# --- the bilan by EPCI -----------------------------------------------------------------------


def bilan_epci(obtenir: Callable, annee: int, trimestre: int, vue: str = "mad",
               filtres: Filtres | None = None) -> pd.DataFrame:
    """The bilan by EPCI — the same call as the EPCI bar chart of the bilan (same cache)."""
    return obtenir("bilan", annee, trimestre, "epci", vue=vue, filtres=filtres or Filtres())


def _au(fin) -> str:
    return f"au {date_fr(fin)}"


def phrase_non_ventile(df: pd.DataFrame, vue: str = "mad", courte: bool = False) -> str | None:
    """The « non ventilé » row of the bilan by EPCI in words (it is no territory: the map cannot
    draw it), or None when there is none; ``courte``: droits and MAD only, for a slide."""
    if df is None or df.empty:
        return None
    lignes = df[df["cle"].astype(str) == NON_VENTILE]
    if lignes.empty:
        return None
    r = lignes.iloc[0]
    realise = ("mise à disposition", "mises à disposition") if vue == "mad" else (
        "bail signé", "baux signés")
    texte_mad = accord(r["mises_a_disposition"], *realise)
    if courte:
        return (f"Hors carte, non ventilé : {nombre(r['droits_prevus'], 1)} droits prévus, "
                f"{texte_mad}.")
    ecart = "" if est_indefini(r["ecart"]) else f", écart {cartes.nombre_signe(r['ecart'], 1)}"
    taux = ("" if est_indefini(r["taux_realisation"])
            else f", taux de réalisation {pourcentage(r['taux_realisation'], 1)}")
    return (f"Hors carte, « non ventilé » (droits départementaux qu'aucun parc connu ne permet "
            f"de répartir entre les EPCI, et mises à disposition dans une commune sans EPCI "
            f"connu) : {nombre(r['droits_prevus'], 1)} droits prévus, {texte_mad}{ecart}{taux}.")


def message_carte_epci(df: pd.DataFrame, fin, vue: str = "mad") -> str:
    """How many EPCI are behind their droits, and the one furthest behind."""
    if df is None or df.empty:
        return AUCUNE_DONNEE
    lignes = df[(df["cle"].astype(str) != NON_VENTILE) & df["ecart"].notna()]
    if lignes.empty:
        return AUCUNE_DONNEE
    retard = lignes[lignes["ecart"] < 0]
    n, total = len(retard), len(lignes)
    if not n:
        return f"Aucun EPCI en retard sur ses droits {_au(fin)} ({total} EPCI)."
    pire = retard.sort_values(["ecart", "cle"]).iloc[0]
    realise = "mise à disposition" if vue == "mad" else "bail signé"
    pluriel = "mises à disposition" if vue == "mad" else "baux signés"
    detail = ("" if est_indefini(pire["taux_realisation"])
              else f", {pourcentage(pire['taux_realisation'], 0)} de ses droits")
    return (f"{n} EPCI sur {total} {'sont' if n > 1 else 'est'} en retard sur leurs droits "
            f"{_au(fin)} ; le plus en retard : {pire['libelle']} "
            f"({accord(-pire['ecart'], realise, pluriel)} de moins que prévu{detail}).")


def partie_carte_epci(obtenir: Callable, annee: int, trimestre: int, vue: str = "mad",
                      filtres: Filtres | None = None,
                      valeur: str = "taux_realisation") -> PartieCarte:
    """The map of the EPCI coloured by ``valeur`` (``INDICATEURS_CARTE_BILAN``), with the
    bilan by EPCI as its table (« non ventilé » included) and that row in words beside it; a
    click on an EPCI narrows the page to it."""
    df = bilan_epci(obtenir, annee, trimestre, vue, filtres)
    fin = fin_trimestre(annee, trimestre)
    nom = cartes.indicateurs_bilan(vue)[valeur].libelle
    return PartieCarte(
        f"Carte des EPCI — {nom.lower() if valeur != 'ecart' else 'écart'}", "carte_epci", df,
        lambda t: cartes.carte_bilan_epci(df, valeur, vue, taille=t),
        message_carte_epci(df, fin, vue), COLONNES_TABLEAU, filtre_au_clic="epci",
        note=phrase_non_ventile(df, vue), note_courte=phrase_non_ventile(df, vue, courte=True))


# --- the communes of a chosen territory ------------------------------------------------------


def territoire_choisi(filtres: Filtres | None) -> bool:
    """A département or an EPCI is chosen: the map of its communes can be drawn."""
    return bool(filtres and (filtres.departement or filtres.epci))


def phrase_hors_carte(df: pd.DataFrame, contours: dict, vue: str = "mad") -> str | None:
    """The MAD of communes that the map cannot draw (no outline, « non ventilé »…)."""
    absents = cartes.cles_sans_contour(df, contours, reference_cartes.CLE_COMMUNE)
    if not absents:
        return None
    n = int(df[df["cle"].astype(str).isin(absents)]["mises_a_disposition"].sum())
    quoi = ("mise à disposition", "mises à disposition") if vue == "mad" else (
        "bail signé", "baux signés")
    return (f"Hors carte : {accord(n, *quoi)} dans {accord(len(absents), 'commune')} "
            f"sans contour ({', '.join(absents[:5])}{'…' if len(absents) > 5 else ''}).")


def message_communes(df: pd.DataFrame, vue: str = "mad") -> str:
    if df is None or df.empty:
        return AUCUNE_DONNEE
    total = int(df["mises_a_disposition"].sum())
    premiere = df.sort_values(["mises_a_disposition", "cle"], ascending=[False, True]).iloc[0]
    quoi = ("mise à disposition", "mises à disposition") if vue == "mad" else (
        "bail signé", "baux signés")
    part = premiere["mises_a_disposition"] / total if total else None
    return (f"{accord(total, *quoi)} dans {accord(len(df), 'commune')} ; la première : "
            f"{premiere['libelle']} ({nombre(premiere['mises_a_disposition'], 0)}, "
            f"{pourcentage(part, 0)}).")


def partie_carte_communes(obtenir: Callable, annee: int, trimestre: int, vue: str = "mad",
                          filtres: Filtres | None = None,
                          valeur: str = "mises_a_disposition") -> PartieCarte | None:
    """Within the chosen département(s) or EPCI: the map of their communes coloured by
    ``valeur`` (``INDICATEURS_CARTE_COMMUNES``; no droits below the EPCI). None when no
    territory is chosen."""
    if not territoire_choisi(filtres):
        return None
    f = filtres or Filtres()
    df = obtenir("territoires.par_commune", annee, trimestre, vue=vue, filtres=f)
    contours = reference_cartes.contours_communes(f.departement, f.epci)
    realise = cartes.LIBELLES_REALISE[vue]
    libelle = realise if valeur == "mises_a_disposition" else "Baux signés"
    return PartieCarte(
        f"Carte des communes du territoire choisi — {libelle.lower()}", "carte_communes", df,
        lambda t: cartes.carte_communes(df, contours, valeur, vue, taille=t),
        message_communes(df, vue), COLONNES_COMMUNES,
        vide="Aucune mise à disposition dans les communes de ce territoire pour cette "
             "sélection.",
        note=phrase_hors_carte(df, contours, vue),
        en_tetes={"libelle": "Commune", "mises_a_disposition": realise})


# --- signatures ------------------------------------------------------------------------------


def phrase_signatures_non_ventile(df: pd.DataFrame) -> str | None:
    """Conventions that cover no EPCI of the map (département-wide, bailleur without parc)."""
    if df is None or df.empty:
        return None
    lignes = df[df["cle"].astype(str) == NON_VENTILE]
    if lignes.empty:
        return None
    r = lignes.iloc[0]
    return (f"Hors carte, « non ventilé » : {accord(r['conventions'], 'convention')} "
            f"départementale{'s' if r['conventions'] > 1 else ''} d'un bailleur sans parc connu "
            f"dans le département, dont {nombre(r['signees'], 0)} "
            f"signée{'s' if r['signees'] > 1 else ''} ({pourcentage(r['taux_signature'], 1)}).")


def message_signatures(df: pd.DataFrame, annee: int, quoi: str, valeur: str) -> str:
    """The territory with the lowest share signed."""
    if df is None or df.empty:
        return AUCUNE_DONNEE
    lignes = df[(df["cle"].astype(str) != NON_VENTILE) & df[valeur].notna()]
    if lignes.empty:
        return AUCUNE_DONNEE
    bas = lignes.sort_values([valeur, "cle"]).iloc[0]
    haut = lignes.sort_values([valeur, "cle"], ascending=[False, True]).iloc[0]
    nom = INDICATEURS_SIGNATURES[valeur].lower()
    if len(lignes) == 1:
        return (f"Conventions {annee}, {bas['libelle']} : {nom} {pourcentage(bas[valeur], 0)} "
                f"({nombre(bas['signees'], 0)} signées sur {nombre(bas['conventions'], 0)}).")
    return (f"Conventions {annee}, {nom} par {quoi} : de {pourcentage(bas[valeur], 0)} "
            f"({bas['libelle']}) à {pourcentage(haut[valeur], 0)} ({haut['libelle']}).")


def partie_signatures(obtenir: Callable, annee: int, filtres: Filtres | None = None,
                      maille: str = "epci", perimetres: str = "tous",
                      valeur: str = "taux_signature") -> PartieCarte:
    """The share of conventions signed (or of droits covered) per EPCI — the conventions that
    cover it, or only its own (``perimetres``), ``territoires.signatures_par_epci`` — or per
    département (``signatures(..., "departement")``); a click narrows the page to the
    territory."""
    f = filtres or Filtres()
    if maille == "epci":
        df = obtenir("territoires.signatures_par_epci", annee, filtres=f, perimetres=perimetres)
        note = phrase_signatures_non_ventile(df)
        titre, quoi = "Carte des signatures par EPCI", "EPCI"
        if perimetres == "epci_communes":
            titre += " (conventions de l'EPCI et de ses communes)"
    elif maille == "departement":
        df = obtenir("signatures", annee, "departement", filtres=f)
        note, titre, quoi = None, "Carte des signatures par département", "département"
    else:
        raise ValueError(f"maille inconnue : {maille!r} (epci ou departement)")
    return PartieCarte(
        titre, f"carte_signatures_{maille}", df,
        lambda t: cartes.carte_signatures(df, maille, valeur, taille=t),
        message_signatures(df, annee, quoi, valeur), COLONNES_SIGNATURES,
        filtre_au_clic=maille, vide=f"Aucune convention {annee} pour cette sélection.",
        note=note,
        en_tetes={"libelle": MAILLES_SIGNATURES[maille],
                  "taux_signature": "Part des conventions signées",
                  "droits_annuels": "Droits annuels" + (" (part de l'EPCI)"
                                                        if maille == "epci" else ""),
                  "taux_signature_pondere": "Part des droits couverts"})


# --- documents of the EPCI -------------------------------------------------------------------


def tableau_documents(documents: pd.DataFrame, document: str) -> pd.DataFrame:
    """Every EPCI of the map with its statut for ``document`` (« Non renseigné » without one):
    ``epci_siren, epci_nom, departement, statut, statut_libelle, date_document``, by
    département then name. The EPCI of the rows that are not on the map come after."""
    lignes = documents[documents["document"] == document] if not documents.empty else documents
    par_siren = {str(r["epci_siren"]): r for _, r in lignes.iterrows()}
    sortie = []
    vus = set()
    for f in reference_cartes.contours_epci()["features"]:
        siren = str(f["properties"]["epci"])
        r = par_siren.get(siren)
        sortie.append(_ligne_document(siren, f["properties"].get("nom", siren), r))
        vus.add(siren)
    for siren, r in par_siren.items():
        if siren not in vus:
            sortie.append(_ligne_document(siren, r["epci_nom"], r))
    df = pd.DataFrame(sortie, columns=["epci_siren", "epci_nom", "departement", "statut",
                                       "statut_libelle", "date_document"])
    df["date_document"] = pd.to_datetime(df["date_document"])
    return df.sort_values(["departement", "epci_nom"], kind="stable",
                          na_position="last").reset_index(drop=True)


def _ligne_document(siren: str, nom: str, r) -> dict:
    statut = None if r is None else r["statut"]
    libelle = cartes.STATUTS_DOCUMENTS.get(statut, (cartes.LIBELLE_NON_RENSEIGNE,))[0]
    return {"epci_siren": siren, "epci_nom": nom if r is None else r["epci_nom"],
            "departement": None if r is None else r["departement"], "statut": statut,
            "statut_libelle": libelle, "date_document": None if r is None else r["date_document"]}


def message_documents(tableau: pd.DataFrame, document: str) -> str:
    """``CIA des 52 EPCI : adopté 8, en cours 13, non engagé 31, non renseigné 0.``"""
    if tableau.empty:
        return AUCUNE_DONNEE
    comptes = tableau["statut_libelle"].value_counts()
    libelles = [lib for lib, _ in cartes.STATUTS_DOCUMENTS.values()]
    parties = [f"{lib.lower()} {comptes.get(lib, 0)}"
               for lib in [*libelles, cartes.LIBELLE_NON_RENSEIGNE]]
    return f"{DOCUMENTS[document]} des {len(tableau)} EPCI : " + ", ".join(parties) + "."


def partie_documents(obtenir: Callable, document: str = "CIL") -> PartieCarte:
    """The statut of ``document`` (CIL, CIA, PPGDID, COTATION) for each EPCI, on the map and in
    its table; a click on an EPCI narrows the page to it."""
    if document not in vocabulaire.DOCUMENTS_EPCI:
        raise ValueError(f"document inconnu : {document!r} "
                         f"({', '.join(vocabulaire.DOCUMENTS_EPCI)})")
    documents = obtenir("documents_epci")
    tableau = tableau_documents(documents, document) if not documents.empty else documents
    return PartieCarte(
        f"Documents des EPCI sur la carte — {vocabulaire.DOCUMENTS_EPCI[document]}",
        f"carte_documents_{document.lower()}", tableau,
        lambda t: cartes.carte_documents(documents, document, taille=t),
        message_documents(tableau, document), COLONNES_DOCUMENTS,
        filtre_au_clic="epci", vide="Aucun document d'EPCI importé.",
        en_tetes={"epci_nom": "EPCI", "statut_libelle": "Statut",
                  "date_document": "Date du document"})


def parties_avec_carte(parties: list[Partie], obtenir: Callable, annee: int, trimestre: int,
                       vue: str = "mad", filtres: Filtres | None = None,
                       valeur: str = "taux_realisation") -> list[Partie]:
    """The bilan's parts with the map of the EPCI after the EPCI bar chart (its sentence said
    after its takeaway), for a report (the HTML one); unchanged without an EPCI part."""
    sortie: list[Partie] = []
    for partie in parties:
        sortie.append(partie)
        if partie.cle == "epci":
            carte = partie_carte_epci(obtenir, annee, trimestre, vue, filtres, valeur)
            sortie.append(dataclasses.replace(carte, message=carte.message_complet()))
    return sortie
