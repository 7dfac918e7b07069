"""The yearly bilan owed to each réservataire (CCH R.441-5-1, DOMAIN §4.8) as an .xlsx workbook,
and every réservataire's at once as a zip.

Sheets: « Présentation » (who, what, period, data freshness, definitions), « Synthèse » (per
bailleur: droits, MAD, baux signés, écart, taux de réalisation et de chute; the total under the
table), then one sheet per breakdown of the law — typologie, financement, QPV / hors QPV, commune,
construction period — with the MAD proposed and attributed per bailleur (and, with several
bailleurs, for all of them: rows « Ensemble des bailleurs »). Every figure comes from
``dashboard.metrics.bilan_annuel``; the breakdowns add up to the summary.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import duckdb
import pandas as pd

from dashboard import vocabulaire
from dashboard.formatting import en_tete
from dashboard.exports.couverture import NOM_FEUILLE, ecrire_couverture
from dashboard.exports.tableaux import (
    RienAExporter,
    csv_excel,
    ecrire_tableau,
    nom_feuille,
    nouveau_classeur,
    octets,
)
from dashboard.metrics import bilan_annuel as ba
from dashboard.metrics import fraicheur
from dashboard.metrics.libelles import libelle_type

FEUILLE_SYNTHESE = "Synthèse"
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


def classeur(
    con: duckdb.DuckDBPyConnection,
    annee: int,
    reservataire: str,
    bailleur: str | None = None,
    aujourd_hui: date | None = None,
    _communs: tuple[pd.DataFrame, pd.DataFrame] | None = None,
) -> bytes:
    """The yearly bilan of ``reservataire`` for ``annee`` (of one ``bailleur`` when given).

    Raises ``RienAExporter`` when the réservataire has neither convention nor MAD that year.
    ``_communs``: the réservataires' list and the freshness table, when already read (zip).
    """
    synthese = ba.synthese(con, annee, reservataire, bailleur)
    if synthese.empty:
        qui = f" chez le bailleur {bailleur}" if bailleur else ""
        raise RienAExporter(
            f"rien à exporter : le réservataire {reservataire} n'a ni convention ni mise à "
            f"disposition en {annee}{qui}.")
    aujourd_hui = aujourd_hui or date.today()
    lignes = synthese[synthese["cle"] != "TOTAL"].reset_index(drop=True)
    total = synthese[synthese["cle"] == "TOTAL"].reset_index(drop=True)
    total["cle"], total["libelle"] = "Total", ba.LIBELLE_ENSEMBLE
    bailleurs = [str(c) for c in lignes["cle"]]
    liste, fraiche = _communs or (ba.reservataires(con, annee, bailleur), fraicheur(con, annee))
    infos = liste[liste["reservataire_code"] == reservataire]
    nom_r = str(infos.iloc[0]["reservataire_nom"]) if len(infos) else reservataire
    type_r = str(infos.iloc[0]["type_reservataire"]) if len(infos) else vocabulaire.TYPE_INCONNU
    dernier_import, derniere_mad, sans_mad = _fraicheur(fraiche, bailleurs)
    if bailleur:
        qui_bailleur = f"{ba.nom_bailleur(con, bailleur)} ({bailleur})"
    else:
        qui_bailleur = f"Tous les bailleurs ({len(bailleurs)})"

    wb = nouveau_classeur()
    feuilles = [(FEUILLE_SYNTHESE, "Droits, logements proposés et attribués, écart et taux, "
                                   "par bailleur ; le total sous le tableau.")]
    feuilles += [(FEUILLES_AXES[a], f"Logements proposés et attribués par "
                                    f"{ba.AXES_BILAN_ANNUEL[a].lower()}, par bailleur.")
                 for a in ba.AXES_BILAN_ANNUEL]
    informations: list[tuple[str, object]] = [
        ("Réservataire", f"{nom_r} ({reservataire})"),
        ("Type de réservataire", libelle_type(type_r)),
        ("Bailleur", qui_bailleur),
        ("Année", int(annee)),
        ("Début de la période", date(annee, 1, 1)),
        ("Fin de la période", date(annee, 12, 31)),
        ("Cadre", f"Article R.441-5-1 du code de la construction et de l'habitation : bilan des "
                  f"logements proposés et attribués en {annee}, à transmettre au réservataire "
                  f"avant le 28/02/{annee + 1}."),
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
                   total=total)
    totaux = total.iloc[0]
    for axe in ba.AXES_BILAN_ANNUEL:
        df = ba.repartition(con, annee, axe, reservataire, bailleur)
        ligne_totale = pd.DataFrame([{
            "bailleur_code": "Total", "bailleur_nom": None, "modalite": None, "libelle": None,
            "proposes": int(totaux["mises_a_disposition"]), "attribues": int(totaux["baux_signes"]),
        }])
        ecrire_tableau(wb.create_sheet(nom_feuille(FEUILLES_AXES[axe])), df,
                       en_tetes=en_tetes_repartition(axe), total=ligne_totale)
    return octets(wb)


def archive(
    con: duckdb.DuckDBPyConnection,
    annee: int,
    bailleur: str | None = None,
    aujourd_hui: date | None = None,
) -> tuple[bytes, pd.DataFrame]:
    """Every réservataire's yearly bilan for ``annee`` (of one ``bailleur`` when given) in a zip,
    with ``sommaire.csv`` (French Excel CSV) listing them; returns (zip bytes, the summary).

    Raises ``RienAExporter`` when no réservataire has a convention or a MAD that year.
    """
    liste = ba.reservataires(con, annee, bailleur)
    if liste.empty:
        qui = f" pour le bailleur {bailleur}" if bailleur else ""
        raise RienAExporter(f"rien à exporter : aucune convention ni mise à disposition en "
                            f"{annee}{qui}.")
    communs = (liste, fraicheur(con, annee))
    tampon = io.BytesIO()
    fichiers = []
    horodatage = datetime.now().timetuple()[:6]
    with zipfile.ZipFile(tampon, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for code in liste["reservataire_code"]:
            nom = nom_fichier(annee, code, bailleur)
            zf.writestr(zipfile.ZipInfo(nom, horodatage),
                        classeur(con, annee, code, bailleur, aujourd_hui, communs),
                        compress_type=zipfile.ZIP_DEFLATED)
            fichiers.append(nom)
        sommaire = liste.assign(fichier=fichiers)
        sommaire["type_reservataire"] = [libelle_type(t) for t in sommaire["type_reservataire"]]
        sommaire = sommaire.rename(columns=en_tete)
        zf.writestr(zipfile.ZipInfo("sommaire.csv", horodatage), csv_excel(sommaire),
                    compress_type=zipfile.ZIP_DEFLATED)
    return tampon.getvalue(), sommaire

