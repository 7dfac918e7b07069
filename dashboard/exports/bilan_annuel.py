"""The yearly bilan owed to each réservataire (CCH R.441-5-1, DOMAIN §4.8) as an .xlsx workbook,
and every réservataire's at once as a zip.

Sheets: « Présentation » (who, what, period, data freshness, the publics prioritaires against
the 25 % target of L.441-1, definitions), « Synthèse » (per bailleur: droits, MAD, baux signés,
écart, taux de réalisation et de chute, publics prioritaires; the total under the table), then
one sheet per breakdown of the law — typologie, financement, QPV / hors QPV, commune,
construction period — with the MAD proposed and attributed per bailleur (and, with several
bailleurs, for all of them: rows « Ensemble des bailleurs »), and « Hors flux » (R.441-5: the
following year's forecast of mutations and relogements, the year's realised, per bailleur,
département and commune). Every figure comes from ``dashboard.metrics.bilan_annuel``; the
breakdowns add up to the summary.

The zip reads every réservataire's figures in one pass (``lire_donnees``: a few queries in all)
and writes each workbook from its slices.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

import duckdb
import pandas as pd

from dashboard import vocabulaire
from dashboard.exports.couverture import NOM_FEUILLE, ecrire_couverture
from dashboard.exports.tableaux import (
    RienAExporter,
    csv_excel,
    ecrire_tableau,
    nom_feuille,
    nouveau_classeur,
    octets,
)
from dashboard.formatting import accord, en_tete, pourcentage
from dashboard.metrics import bilan_annuel as ba
from dashboard.metrics import fraicheur, prioritaires
from dashboard.metrics.libelles import libelle_type

FEUILLE_SYNTHESE = "Synthèse"
FEUILLE_HORS_FLUX = "Hors flux"
# The « Hors flux » sheet's columns (R.441-5), from ``bilan_annuel.hors_flux_annuel``.
COLONNES_FEUILLE_HORS_FLUX = (
    "niveau",
    "bailleur_code",
    "bailleur_nom",
    "departement",
    "code_insee",
    "libelle",
    "mutations_prevues",
    "relogements_prevus",
    "mutations",
    "mutations_baux_signes",
    "relogements",
    "relogements_baux_signes",
)
# Sheet of each breakdown.
FEUILLES_AXES = {
    "typologie": "Par typologie",
    "financement": "Par financement",
    "qpv": "QPV - hors QPV",
    "commune": "Par commune",
    "periode_construction": "Par période de construction",
}
# The headings of this bilan's tables, on the page, in its downloads and in the workbook alike:
# those of ``formatting.EN_TETES`` but for the columns that say something else here (the
# summary's ``cle`` is a bailleur, its MAD are the dwellings « proposés »…).
EN_TETES_SYNTHESE = {
    "cle": "Bailleur",
    "libelle": "Nom du bailleur",
    "mises_a_disposition": "Logements proposés",
    "baux_signes": "Logements attribués",
    "baux_prioritaires": "Attribués à des publics prioritaires",
    "part_prioritaires": "Part publics prioritaires",
    "baux_prioritaires_inconnus": "Attribués, public prioritaire non renseigné",
}


def en_tetes_repartition(axe: str) -> dict[str, str]:
    """The headings of a breakdown's table that ``formatting.EN_TETES`` cannot know: its
    modality code and label (``"QPV / hors QPV"``…)."""
    return {
        "modalite": "Code INSEE" if axe == "commune" else "Code",
        "libelle": ba.AXES_BILAN_ANNUEL[axe],
    }


def definitions(annee: int) -> list[tuple[str, str]]:
    """The definitions written on the cover sheet (the choices of this bilan, in French)."""
    return [
        ("Logements proposés",
         f"Mises à disposition (catégorie « Flux réservataire ») orientées vers le réservataire et "
         f"datées du 01/01/{annee} au 31/12/{annee} (date de mise à disposition), quelle que soit "
         "leur issue, qu'elles relèvent ou non d'une convention."),
        ("Logements attribués",
         "Parmi ces logements proposés, ceux dont l'issue est « Bail signé », quelle que soit la "
         "date du bail : un logement proposé en décembre et loué en janvier compte dans l'année "
         "de sa mise à disposition. C'est le décompte « baux signés » des bilans trimestriels."),
        ("Baux signés dans l'année (date du bail)",
         f"Pour information : baux signés du 01/01/{annee} au 31/12/{annee} selon la date du "
         "bail, quelle que soit l'année de la mise à disposition (décompte « baux signés » par "
         "date de bail)."),
        ("Droits annuels",
         "Droits de réservation prévus par les conventions de l'année : taux de la convention × "
         "flux annuel du périmètre (méthode de l'assiette), ou droits inscrits dans la convention "
         "(droits acquis, ou estimation faute de parc connu). Vide quand ils sont inconnus."),
        ("Écart", "Logements proposés − droits annuels (négatif : le réservataire a reçu moins "
                  "que ses droits)."),
        ("Taux de réalisation", "Logements proposés ÷ droits annuels."),
        ("Taux de chute",
         "Mises à disposition refusées (refus du demandeur, refus CALEOL) ou sans candidat, "
         "rapportées aux mises à disposition dont l'issue est connue (hors « en cours »)."),
        ("QPV", "Logement situé en quartier prioritaire de la politique de la ville."),
        ("Période de construction",
         "Année de construction du logement : avant 1950, 1950 à 1974, 1975 à 1989, 1990 à 2004, "
         "2005 à 2014, 2015 et après ; « Inconnue » quand elle n'est pas renseignée."),
        ("Ensemble des bailleurs",
         "Lignes totalisant tous les bailleurs du bilan (présentes quand il y en a plusieurs) : "
         "ne pas les additionner aux lignes des bailleurs."),
        ("Non renseigné",
         "Attribut absent de l'export du bailleur : le logement est compté dans la modalité "
         "« non renseigné(e) » pour que chaque répartition totalise la synthèse."),
        ("Publics prioritaires",
         "Parmi les logements attribués, ceux dont le ménage relève des publics prioritaires "
         "(reconnu DALO ou prioritaire) ; part = ces logements ÷ logements attribués. Objectif "
         "(article L.441-1 du CCH) : 25 % au moins pour chaque réservataire autre que l'État et "
         "pour les logements non réservés du bailleur ; le contingent préfectoral, consacré aux "
         "publics prioritaires, n'a pas d'objectif, ni celui des agents de l'État. Une "
         "attribution sans l'information reste comptée parmi les logements attribués."),
        ("Hors flux : prévisions",
         f"Mutations et relogements (ANRU/NPNRU, ORCOD, LHI) prévus en {annee + 1} : "
         f"estimations portées par le parc {annee + 1} de chaque bailleur, dans les communes du "
         "périmètre du réservataire (celui de ses conventions avec le bailleur). « Parc non "
         "importé » : le bailleur n'a pas encore transmis son parc de l'année, la prévision est "
         "inconnue."),
        ("Hors flux : réalisé",
         f"Mises à disposition de {annee} des catégories « Mutation interne » et « Relogement », "
         "et parmi elles celles dont l'issue est « Bail signé » ; lignes « Département » : "
         "total du bailleur dans le département, suivies de ses communes."),
    ]


def nom_fichier(annee: int, reservataire: str, bailleur: str | None = None) -> str:
    """``bilan_annuel_2025_ALS.xlsx`` (``…_ALS_OLS01.xlsx`` for one bailleur)."""
    propre = "".join(c if c.isalnum() or c in "-_" else "_" for c in reservataire)
    suffixe = ""
    if bailleur:
        suffixe = "_" + "".join(c if c.isalnum() or c in "-_" else "_" for c in bailleur)
    return f"bilan_annuel_{annee}_{propre}{suffixe}.xlsx"


def _fraicheur(df: pd.DataFrame, bailleurs: list[str]) -> tuple[object, object, list[str]]:
    """Latest import and latest MAD of the year of ``bailleurs`` (from the engine's
    ``fraicheur``); those without any MAD imported."""
    df = df[df["bailleur_code"].isin(bailleurs)]
    dernier = df["dernier_import"].max() if len(df) else None
    derniere = df["derniere_mad"].max() if len(df) else None
    sans = sorted(df.loc[df["dernier_import"].isna(), "bailleur_code"].astype(str))
    dernier, derniere = _horodatage(dernier), _horodatage(derniere)
    return dernier, derniere.date() if derniere else None, sans


def _horodatage(valeur) -> datetime | None:
    return None if valeur is None or pd.isna(valeur) else pd.Timestamp(valeur).to_pydatetime()


@dataclass(frozen=True)
class DonneesBilans:
    """Everything the yearly bilans of a selection need, read once: the réservataires owed one,
    the data's freshness, and every réservataire's summary, breakdowns and hors flux (each
    table with its ``reservataire_code`` column)."""

    liste: pd.DataFrame
    fraicheur: pd.DataFrame
    syntheses: pd.DataFrame
    repartitions: pd.DataFrame
    hors_flux: pd.DataFrame
    nom_bailleur: str | None


def lire_donnees(con: duckdb.DuckDBPyConnection, annee: int, reservataire: str | None = None,
                 bailleur: str | None = None) -> DonneesBilans:
    """The figures of the yearly bilans of ``annee`` (of one ``reservataire`` and one
    ``bailleur`` when given): a handful of queries whatever the number of réservataires."""
    return DonneesBilans(
        liste=ba.reservataires(con, annee, bailleur),
        fraicheur=fraicheur(con, annee),
        syntheses=ba.syntheses(con, annee, reservataire, bailleur),
        repartitions=ba.repartitions(con, annee, reservataire, bailleur),
        hors_flux=ba.hors_flux_annuel(con, annee, reservataire, bailleur),
        nom_bailleur=ba.nom_bailleur(con, bailleur) if bailleur else None,
    )


def _par_reservataire(df: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Each réservataire's rows (with its ``reservataire_code`` column: the sheets name the
    columns they write)."""
    return {str(code): partie for code, partie in df.groupby("reservataire_code", sort=False)}


def classeur(
    con: duckdb.DuckDBPyConnection,
    annee: int,
    reservataire: str,
    bailleur: str | None = None,
    aujourd_hui: date | None = None,
) -> bytes:
    """The yearly bilan of ``reservataire`` for ``annee`` (of one ``bailleur`` when given).

    Raises ``RienAExporter`` when the réservataire has neither convention nor MAD that year.
    """
    donnees = lire_donnees(con, annee, reservataire, bailleur)
    syntheses = _par_reservataire(donnees.syntheses)
    if reservataire not in syntheses:
        qui = f" chez le bailleur {bailleur}" if bailleur else ""
        raise RienAExporter(
            f"rien à exporter : le réservataire {reservataire} n'a ni convention ni mise à "
            f"disposition en {annee}{qui}.")
    return _classeur(donnees, annee, reservataire, bailleur, aujourd_hui or date.today(),
                     syntheses[reservataire],
                     _par_reservataire(donnees.repartitions).get(reservataire),
                     _par_reservataire(tableau_hors_flux(annee, donnees.hors_flux))
                     .get(reservataire))


def phrase_prioritaires(type_r: str, totaux) -> str:
    """What the cover (and the page) says of the publics prioritaires (CCH L.441-1) of a
    réservataire of type ``type_r``, from its summary's total row ``totaux``."""
    baux, prio = int(totaux["baux_signes"]), int(totaux["baux_prioritaires"])
    inconnus = int(totaux["baux_prioritaires_inconnus"])
    if not baux:
        constat = "aucun logement attribué dans l'année"
    else:
        constat = (f"{prio} sur {accord(baux, 'logement attribué', 'logements attribués')} "
                   f"({pourcentage(totaux['part_prioritaires'], 1)}) à des ménages relevant des "
                   "publics prioritaires")
        if inconnus:
            constat += (f", dont {accord(inconnus, 'attribution', 'attributions')} sans "
                        "l'information")
    cible = prioritaires.cible(type_r)
    if pd.isna(cible):
        objectif = prioritaires.objectif(type_r).replace("Sans objectif", "sans objectif de 25 %")
    elif not baux:
        objectif = "objectif de 25 % au moins"
    elif totaux["part_prioritaires"] < cible:
        objectif = "sous l'objectif de 25 % au moins"
    else:
        objectif = "objectif de 25 % au moins atteint"
    return f"{constat} — {objectif}."


def phrase_parc_suivant(annee: int, hors_flux: pd.DataFrame | None) -> str:
    """What the cover (and the page) says of the forecast of ``annee + 1``: known, or which
    bailleurs' parc of that year is not imported yet (``hors_flux``: one réservataire's
    ``hors_flux_annuel``)."""
    total = hors_flux[hors_flux["niveau"] == ba.NIVEAUX_HORS_FLUX["total"]] \
        if hors_flux is not None else hors_flux
    if total is None or total.empty:
        return "aucun périmètre connu pour ce réservataire"
    manquants = total.iloc[0]["bailleurs_sans_parc_suivant"]
    if not manquants:
        return (f"prévisions {annee + 1} tirées du parc {annee + 1} importé de chaque bailleur ; "
                f"réalisé {annee} tiré des mises à disposition.")
    return (f"parc {annee + 1} non importé pour {manquants} : leurs prévisions {annee + 1} sont "
            "inconnues (jamais comptées 0).")


def _parc_non_importe(annee: int) -> str:
    return f"parc {annee + 1} non importé"


def tableau_hors_flux(annee: int, hors_flux: pd.DataFrame) -> pd.DataFrame:
    """``hors_flux_annuel`` (any number of réservataires) as the « Hors flux » sheet writes it:
    an unknown forecast (parc of ``annee + 1`` not imported) in words, never 0; a known one as a
    whole number."""
    df = hors_flux.copy()
    total = ba.NIVEAUX_HORS_FLUX["total"]
    for col in ("mutations_prevues", "relogements_prevus"):
        df[col] = pd.Series([
            int(v) if v == v
            else f"incomplet : {_parc_non_importe(annee)} pour {m}" if n == total
            else _parc_non_importe(annee)
            for v, n, m in zip(df[col].tolist(), df["niveau"].tolist(),
                               df["bailleurs_sans_parc_suivant"].tolist())],
            index=df.index, dtype=object)
    return df


def en_tetes_hors_flux(annee: int) -> dict[str, str]:
    """The headings of the « Hors flux » table: years written in."""
    return {
        "code_insee": "Code INSEE",
        "libelle": "Département / commune",
        "mutations_prevues": f"Mutations prévues en {annee + 1}",
        "relogements_prevus": f"Relogements prévus en {annee + 1}",
        "mutations": f"Mutations en {annee}",
        "mutations_baux_signes": f"Mutations {annee} : baux signés",
        "relogements": f"Relogements en {annee}",
        "relogements_baux_signes": f"Relogements {annee} : baux signés",
    }


def _classeur(donnees: DonneesBilans, annee: int, reservataire: str, bailleur: str | None,
              aujourd_hui: date, synthese: pd.DataFrame, repartitions: pd.DataFrame | None,
              hors_flux: pd.DataFrame | None) -> bytes:
    """One réservataire's workbook from its slices of ``donnees`` (``hors_flux``: as
    ``tableau_hors_flux`` writes it)."""
    synthese = synthese.reset_index(drop=True)
    lignes = synthese[synthese["cle"] != "TOTAL"].reset_index(drop=True)
    total = synthese[synthese["cle"] == "TOTAL"].reset_index(drop=True)
    total["cle"], total["libelle"] = "Total", ba.LIBELLE_ENSEMBLE
    bailleurs = [str(c) for c in lignes["cle"]]
    liste = donnees.liste
    infos = liste[liste["reservataire_code"] == reservataire]
    nom_r = str(infos.iloc[0]["reservataire_nom"]) if len(infos) else reservataire
    type_r = str(infos.iloc[0]["type_reservataire"]) if len(infos) else vocabulaire.TYPE_INCONNU
    dernier_import, derniere_mad, sans_mad = _fraicheur(donnees.fraicheur, bailleurs)
    if bailleur:
        qui_bailleur = f"{donnees.nom_bailleur or bailleur} ({bailleur})"
    else:
        qui_bailleur = f"Tous les bailleurs ({len(bailleurs)})"
    totaux = total.iloc[0]

    wb = nouveau_classeur()
    feuilles = [(FEUILLE_SYNTHESE, "Droits, logements proposés et attribués, écart et taux, "
                                   "publics prioritaires, par bailleur ; le total sous le "
                                   "tableau.")]
    feuilles += [(FEUILLES_AXES[a], f"Logements proposés et attribués par "
                                    f"{ba.AXES_BILAN_ANNUEL[a].lower()}, par bailleur.")
                 for a in ba.AXES_BILAN_ANNUEL]
    feuilles.append((FEUILLE_HORS_FLUX,
                     f"Logements hors flux (article R.441-5) : mutations et relogements prévus "
                     f"en {annee + 1}, réalisés en {annee} (et leurs baux signés), par bailleur, "
                     "département et commune du périmètre du réservataire."))
    informations: list[tuple[str, object]] = [
        ("Réservataire", f"{nom_r} ({reservataire})"),
        ("Type de réservataire", libelle_type(type_r)),
        ("Bailleur", qui_bailleur),
        ("Année", int(annee)),
        ("Début de la période", date(annee, 1, 1)),
        ("Fin de la période", date(annee, 12, 31)),
        ("Cadre", f"Articles R.441-5-1 et R.441-5 du code de la construction et de "
                  f"l'habitation : bilan des logements proposés et attribués en {annee}, et des "
                  f"logements hors flux (prévus en {annee + 1}, réalisés en {annee}), à "
                  f"transmettre au réservataire avant le 28/02/{annee + 1}."),
        ("Publics prioritaires (article L.441-1)", phrase_prioritaires(type_r, totaux)),
        (f"Hors flux {annee + 1}", phrase_parc_suivant(annee, hors_flux)),
        ("Dernier import des mises à disposition", dernier_import or "aucun"),
        (f"Dernière mise à disposition de {annee}", derniere_mad or "aucune"),
    ]
    if sans_mad:
        informations.append(("Bailleurs sans mise à disposition importée", ", ".join(sans_mad)))
    informations.append(("Édité le", aujourd_hui))
    ecrire_couverture(
        wb.create_sheet(NOM_FEUILLE),
        f"Bilan annuel {annee} des logements proposés et attribués — {nom_r}",
        informations, definitions(annee), feuilles)

    ecrire_tableau(wb.create_sheet(FEUILLE_SYNTHESE), lignes, en_tetes=EN_TETES_SYNTHESE,
                   total=total, colonnes=ba.COLONNES_SYNTHESE)
    vide = pd.DataFrame(columns=["axe", *ba.COLONNES_REPARTITION])
    par_axe = dict(tuple(repartitions.groupby("axe", sort=False))) if repartitions is not None \
        else {}
    ligne_totale = pd.DataFrame([{
        "bailleur_code": "Total", "bailleur_nom": None, "modalite": None, "libelle": None,
        "proposes": int(totaux["mises_a_disposition"]), "attribues": int(totaux["baux_signes"]),
    }])
    for axe in ba.AXES_BILAN_ANNUEL:
        ecrire_tableau(wb.create_sheet(nom_feuille(FEUILLES_AXES[axe])), par_axe.get(axe, vide),
                       en_tetes=en_tetes_repartition(axe), total=ligne_totale,
                       colonnes=ba.COLONNES_REPARTITION)
    if hors_flux is None:
        hors_flux = pd.DataFrame(columns=list(ba.COLONNES_HORS_FLUX_ANNUEL))
    est_total = (hors_flux["niveau"] == ba.NIVEAUX_HORS_FLUX["total"]).to_numpy()
    ecrire_tableau(wb.create_sheet(FEUILLE_HORS_FLUX), hors_flux[~est_total],
                   en_tetes=en_tetes_hors_flux(annee), total=hors_flux[est_total],
                   colonnes=COLONNES_FEUILLE_HORS_FLUX)
    return octets(wb)


def archive(
    con: duckdb.DuckDBPyConnection,
    annee: int,
    bailleur: str | None = None,
    aujourd_hui: date | None = None,
    progression: Callable[[int, int, str], None] | None = None,
) -> tuple[bytes, pd.DataFrame]:
    """Every réservataire's yearly bilan for ``annee`` (of one ``bailleur`` when given) in a zip,
    with ``sommaire.csv`` (French Excel CSV) listing them; returns (zip bytes, the summary).

    Every réservataire's figures are read in one pass (``lire_donnees``), then each workbook is
    written from its slices. Raises ``RienAExporter`` when no réservataire has a convention or a
    MAD that year.

    ``progression(k, n, code)`` (optional) is called before the k-th workbook of n (1 ≤ k ≤ n),
    ``code`` its réservataire's code: the page says « Bilan 12 sur 40 : ETAT-13 ».
    """
    liste = ba.reservataires(con, annee, bailleur)
    if liste.empty:
        qui = f" pour le bailleur {bailleur}" if bailleur else ""
        raise RienAExporter(f"rien à exporter : aucune convention ni mise à disposition en "
                            f"{annee}{qui}.")
    donnees = lire_donnees(con, annee, None, bailleur)
    aujourd_hui = aujourd_hui or date.today()
    syntheses = _par_reservataire(donnees.syntheses)
    repartitions = _par_reservataire(donnees.repartitions)
    hors_flux = _par_reservataire(tableau_hors_flux(annee, donnees.hors_flux))
    tampon = io.BytesIO()
    fichiers = []
    horodatage = datetime.now().timetuple()[:6]
    with zipfile.ZipFile(tampon, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        codes = list(liste["reservataire_code"])
        for k, code in enumerate(codes, start=1):
            if progression is not None:
                progression(k, len(codes), code)
            nom = nom_fichier(annee, code, bailleur)
            contenu = _classeur(donnees, annee, code, bailleur, aujourd_hui, syntheses[code],
                                repartitions.get(code), hors_flux.get(code))
            zf.writestr(zipfile.ZipInfo(nom, horodatage), contenu,
                        compress_type=zipfile.ZIP_DEFLATED)
            fichiers.append(nom)
        sommaire = liste.assign(fichier=fichiers)
        sommaire["type_reservataire"] = [libelle_type(t) for t in sommaire["type_reservataire"]]
        sommaire = sommaire.rename(columns=en_tete)
        zf.writestr(zipfile.ZipInfo("sommaire.csv", horodatage), csv_excel(sommaire),
                    compress_type=zipfile.ZIP_DEFLATED)
    return tampon.getvalue(), sommaire
