"""The quarterly bilan pack of the club régional: an .xlsx workbook with one sheet per axis, and
a standalone .html report with the charts, tables and takeaways, to e-mail and project.

The HTML report opens without any network: plotly.js is embedded once (no CDN), MathJax is not
used, no web font, no image or stylesheet loaded from elsewhere; figures are French
(``formatting``). Its parts are the page's (``contenu_bilan.parties``).
"""

from __future__ import annotations

import html
from datetime import date, datetime

import duckdb
import pandas as pd

from dashboard import contenu_bilan, contenu_cartes, messages
from dashboard.calendrier import fin_trimestre
from dashboard.exports.couverture import NOM_FEUILLE, ecrire_couverture
from dashboard.exports.tableaux import (
    RienAExporter,
    ecrire_tableau,
    nom_feuille,
    nouveau_classeur,
    octets,
)
from dashboard.formatting import (
    date_fr,
    en_tete,
    est_indefini,
    formater_tableau,
    genre,
    nombre,
    pourcentage,
)
from dashboard.metrics import (
    COLONNES_TOUTES,
    Filtres,
    bilan,
    controles,
    fraicheur,
    hors_flux,
    prioritaires,
    total,
)
from dashboard.reference_cartes import script_assets_geo

# One sheet per axis of the bilan (DOMAIN §4.4), in reading order.
FEUILLES_AXES = {
    "reservataire": "Par réservataire",
    "type_reservataire": "Par type de réservataire",
    "bailleur": "Par bailleur",
    "departement": "Par département",
    "epci": "Par EPCI",
    "trimestre": "Par trimestre",
}
FEUILLE_PRIORITAIRES = "Publics prioritaires"
VUES = {"mad": "mises à disposition (date de mise à disposition)",
        "baux": "baux signés (date du bail)"}


def verifier(con, annee: int, trimestre: int, vue: str, filtres: Filtres) -> pd.DataFrame:
    """The total row of the selection; raises ``RienAExporter`` when it holds nothing."""
    ligne = total(con, annee, trimestre, vue, "cumul", filtres)
    if messages.bilan_vide(ligne):
        precision = f" avec les filtres {filtres.description()}" if not filtres.est_vide() else ""
        raise RienAExporter(f"rien à exporter : ni convention ni mise à disposition en {annee}"
                            f"{precision}.")
    return ligne


def titre(annee: int, trimestre: int) -> str:
    return f"Bilan trimestriel au {date_fr(fin_trimestre(annee, trimestre))}"


def nom_fichier(annee: int, trimestre: int, extension: str) -> str:
    """``bilan_trimestriel_2025_T2.xlsx``."""
    return f"bilan_trimestriel_{annee}_T{trimestre}.{extension}"


def informations_du_bilan(con, annee, trimestre, vue, filtres,
                          aujourd_hui) -> list[tuple[str, object]]:
    fraiche = fraicheur(con, annee)
    dernier = fraiche["dernier_import"].max() if len(fraiche) else None
    infos: list[tuple[str, object]] = [
        ("Période", f"du {date_fr(date(annee, 1, 1))} au "
                    f"{date_fr(fin_trimestre(annee, trimestre))} (cumul depuis le "
                    "1er janvier)"),
        ("Fin de la période", fin_trimestre(annee, trimestre)),
        ("Décompte", VUES[vue]),
        ("Filtres", filtres.description() or "aucun (toute la région)"),
        ("Dernier import des mises à disposition",
         pd.Timestamp(dernier).to_pydatetime() if dernier is not None and not pd.isna(dernier)
         else "aucun"),
        ("Édité le", aujourd_hui),
    ]
    return infos


_DEFINITIONS_COMMUNES = {
    "droits": ("Droits prévus", "Droits annuels des conventions × trimestre ÷ 4 (prorata "
                                "temporis)."),
    "non_ventile": ("Non ventilé", "Droits départementaux qui ne peuvent être répartis entre EPCI "
                                   "faute de parc connu."),
    "prioritaires": ("Publics prioritaires",
                     "Parmi les baux signés de la colonne « Baux signés », ceux dont le ménage "
                     "relève des publics prioritaires (reconnu DALO ou prioritaire) ; part = ces "
                     "baux ÷ baux signés. Objectif : 25 % au moins (article L.441-1 du CCH) pour "
                     "chaque réservataire autre que l'État et pour les logements non réservés des "
                     "bailleurs ; le contingent préfectoral, consacré aux publics prioritaires, "
                     "n'a pas d'objectif, ni celui des agents de l'État. Un bail dont "
                     "l'information manque reste compté parmi les baux signés (colonne « Baux "
                     "signés public prioritaire non renseigné »)."),
}


def definitions(vue: str = "mad") -> list[tuple[str, str]]:
    """The definitions written on the cover sheet, for the view of the pack: in the « baux » view
    the columns « Mises à disposition », « Écart », « Taux de réalisation », « Baux signés » and
    « Part réelle » count the baux signés by date of bail (DOMAIN §4.3)."""
    if vue == "baux":
        comptes = [
            ("Mises à disposition",
             "Dans ce décompte « baux signés » : baux signés (issue « Bail signé ») des logements "
             "du flux orientés vers le réservataire, dont la date du bail va du 1er janvier à la "
             "fin du trimestre, quelle que soit la date de leur mise à disposition."),
            ("Écart", "Baux signés − droits prévus (négatif : en retard)."),
            ("Taux de réalisation", "Baux signés ÷ droits prévus."),
            ("Baux signés", "Les mêmes baux signés, comptés par date du bail."),
            ("Taux de chute", "Refus (demandeur, CALEOL) et sans candidat ÷ mises à disposition "
                              "résolues (hors « en cours ») datées de la période (date de mise à "
                              "disposition : un refus n'a pas de date de bail)."),
            ("Part prévue / part réelle", "Droits ÷ flux annuel des périmètres, face aux baux "
                                          "signés ÷ tous les baux signés du flux de la période "
                                          "(date du bail)."),
        ]
    else:
        comptes = [
            ("Mises à disposition", "Logements du flux orientés vers le réservataire, datés du "
                                    "1er janvier à la fin du trimestre (date de mise à "
                                    "disposition), quelle que soit leur issue."),
            ("Écart", "Mises à disposition − droits prévus (négatif : en retard)."),
            ("Taux de réalisation", "Mises à disposition ÷ droits prévus."),
            ("Baux signés", "Mises à disposition dont l'issue est « Bail signé »."),
            ("Taux de chute", "Refus (demandeur, CALEOL) et sans candidat ÷ mises à disposition "
                              "résolues (hors « en cours »)."),
            ("Part prévue / part réelle", "Droits ÷ flux annuel des périmètres, face aux mises à "
                                          "disposition ÷ toutes les mises à disposition du "
                                          "flux."),
        ]
    return [_DEFINITIONS_COMMUNES["droits"], *comptes, _DEFINITIONS_COMMUNES["prioritaires"],
            _DEFINITIONS_COMMUNES["non_ventile"]]


def classeur(con: duckdb.DuckDBPyConnection, annee: int, trimestre: int, vue: str = "mad",
             filtres: Filtres | None = None, aujourd_hui: date | None = None) -> bytes:
    """The pack's workbook: « Présentation », one sheet per axis (every column of the bilan, the
    total under the table), « Hors flux », « Contrôles ». Raises ``RienAExporter`` when the
    selection is empty."""
    filtres = filtres or Filtres()
    ligne_totale = verifier(con, annee, trimestre, vue, filtres)
    aujourd_hui = aujourd_hui or date.today()
    colonnes = list(COLONNES_TOUTES)
    wb = nouveau_classeur()
    feuilles = [(nom, "Chaque trimestre de l'année avec ses propres chiffres." if a == "trimestre"
                 else "Droits prévus, mises à disposition, écart et taux ; le total sous le "
                      "tableau.")
                for a, nom in FEUILLES_AXES.items()]
    feuilles += [("Hors flux", "Mutations, relogements, premières locations et stock par "
                               "bailleur."),
                 (FEUILLE_PRIORITAIRES, "Part des baux signés avec des publics prioritaires "
                                        "par réservataire et pour les logements non réservés "
                                        "des bailleurs, face à l'objectif de 25 % (article "
                                        "L.441-1 du CCH)."),
                 ("Contrôles", "Anomalies des conventions et des mises à disposition.")]
    informations = informations_du_bilan(con, annee, trimestre, vue, filtres, aujourd_hui)
    lecture = contenu_bilan.lecteur(con)
    # each takeaway labelled by its part's title, as on the page and in the HTML report
    informations += [(f"À retenir — {p.titre}", p.message)
                     for p in contenu_bilan.parties(lecture, annee, trimestre, vue, filtres)
                     if p.message and p.message != messages.AUCUNE_DONNEE]
    ecrire_couverture(wb.create_sheet(NOM_FEUILLE), titre(annee, trimestre), informations,
                      definitions(vue), feuilles)
    for axe, nom in FEUILLES_AXES.items():
        df = bilan(con, annee, trimestre, axe, vue, "cumul", filtres)
        ecrire_tableau(wb.create_sheet(nom_feuille(nom)), df[colonnes],
                       total=ligne_totale[colonnes])
    hf = hors_flux(con, annee, trimestre, "bailleur", "cumul", filtres)
    hf_total = hors_flux(con, annee, trimestre, "total", "cumul", filtres)
    ecrire_tableau(wb.create_sheet("Hors flux"), hf, total=hf_total)
    prio = prioritaires.par_reservataire(con, annee, trimestre, vue, "cumul", filtres)
    ecrire_tableau(wb.create_sheet(FEUILLE_PRIORITAIRES),
                   prio[["cle", *contenu_bilan.COLONNES_PRIORITAIRES_RESERVATAIRES]])
    ecrire_tableau(wb.create_sheet("Contrôles"), controles(con, annee, trimestre, filtres))
    return octets(wb)


# --- HTML ------------------------------------------------------------------------------------

_STYLE = """
body { font-family: Inter, Arial, Helvetica, sans-serif; color: #161616; margin: 2rem auto;
       max-width: 1200px; padding: 0 1rem; }
h1 { color: #000091; } h2 { color: #000091; margin-top: 2.5rem; }
.chiffres { display: flex; flex-wrap: wrap; gap: 1rem; }
.chiffre { border: 1px solid #ddd; border-radius: 6px; padding: .6rem 1rem; min-width: 10rem; }
.chiffre .valeur { font-size: 1.6rem; font-weight: bold; }
.message { font-weight: bold; }
table { border-collapse: collapse; margin: 1rem 0; font-size: .9rem; }
th, td { border: 1px solid #ddd; padding: .25rem .5rem; }
th { background: #f6f6f6; text-align: left; }
td.nombre { text-align: right; white-space: nowrap; }
.note { color: #666; font-size: .85rem; }
@media print { section { page-break-inside: avoid; } }
"""


def table_html(df: pd.DataFrame, colonnes: list[str] | None = None,
                classe: str | None = None) -> str:
    vue = df[colonnes] if colonnes else df
    texte = formater_tableau(vue)
    droite = {c: genre(c, vue[c]) not in ("texte", "date") for c in vue.columns}
    ouverture = f"<table class=\"{classe}\">" if classe else "<table>"
    lignes = [ouverture, "<thead><tr>"
              + "".join(f"<th>{html.escape(en_tete(c))}</th>" for c in vue.columns)
              + "</tr></thead>", "<tbody>"]
    for enregistrement in texte.itertuples(index=False):
        lignes.append("<tr>" + "".join(
            f"<td class=\"nombre\">{html.escape(str(v))}</td>" if droite[c]
            else f"<td>{html.escape(str(v))}</td>"
            for c, v in zip(vue.columns, enregistrement)) + "</tr>")
    lignes += ["</tbody>", "</table>"]
    return "\n".join(lignes)


def chiffres_cles(t: pd.Series, vue: str) -> list[tuple[str, str]]:
    """The six key figures of the selection's total row, French formats."""
    libelle_mad = "Mises à disposition" if vue == "mad" else "Baux signés (décompte)"
    return [
        ("Droits prévus", nombre(t["droits_prevus"], 0)),
        (libelle_mad, nombre(t["mises_a_disposition"], 0)),
        ("Écart", nombre(t["ecart"], 0)),
        ("Taux de réalisation", pourcentage(t["taux_realisation"], 1)),
        ("Baux signés", nombre(t["baux_signes"], 0)),
        ("Taux de chute", pourcentage(t["taux_chute"], 1)),
    ]


def parties_du_rapport(con, annee, trimestre, vue, filtres) -> list[contenu_bilan.Partie]:
    """The report's parts: the page's, with the map of the EPCI after the EPCI bar chart
    (plotly's world topology given by script_assets_geo in <head>: the map draws offline)."""
    lecture = contenu_bilan.lecteur(con)
    return contenu_cartes.parties_avec_carte(
        contenu_bilan.parties(lecture, annee, trimestre, vue, filtres), lecture, annee,
        trimestre, vue, filtres)


def debut_de_partie(partie: contenu_bilan.Partie, ouverture: str,
                    classe_vide: str | None = None) -> tuple[list[str], bool]:
    """The HTML a report's part opens with — ``ouverture`` (its ``<section …>``), its title, then
    its takeaway, or, when it has no data, its « nothing » sentence and the section's end — and
    whether it had no data (the HTML report and the print layout share it)."""
    lignes = [ouverture, f"<h2>{html.escape(partie.titre)}</h2>"]
    if partie.donnees is None or partie.donnees.empty:
        classe = f" class=\"{classe_vide}\"" if classe_vide else ""
        return lignes + [f"<p{classe}>{html.escape(partie.vide)}</p></section>"], True
    if partie.message:
        lignes.append(f"<p class=\"message\">{html.escape(partie.message)}</p>")
    return lignes, False


def _chiffre(libelle: str, valeur: str) -> str:
    return (f"<div class=\"chiffre\"><div>{html.escape(libelle)}</div>"
            f"<div class=\"valeur\">{html.escape(valeur)}</div></div>")


def rapport_html(con: duckdb.DuckDBPyConnection, annee: int, trimestre: int, vue: str = "mad",
                 filtres: Filtres | None = None, aujourd_hui: date | None = None) -> str:
    """The standalone HTML report (one file, plotly.js embedded once, no network needed).
    Raises ``RienAExporter`` when the selection is empty."""
    filtres = filtres or Filtres()
    t = verifier(con, annee, trimestre, vue, filtres).iloc[0]
    aujourd_hui = aujourd_hui or date.today()
    corps = [f"<h1>{html.escape(titre(annee, trimestre))}</h1>"]
    infos = informations_du_bilan(con, annee, trimestre, vue, filtres, aujourd_hui)
    corps.append("<p class=\"note\">" + " · ".join(
        f"{html.escape(libelle)} : {html.escape(valeur_en_texte(valeur))}"
        for libelle, valeur in infos if libelle != "Fin de la période") + "</p>")
    corps.append("<div class=\"chiffres\">" + "".join(
        _chiffre(libelle, valeur) for libelle, valeur in chiffres_cles(t, vue)) + "</div>")
    plotly_inclus = False
    for partie in parties_du_rapport(con, annee, trimestre, vue, filtres):
        debut, vide = debut_de_partie(partie, f"<section id=\"{html.escape(partie.cle)}\">")
        corps += debut
        if vide:
            continue
        figure = partie.figure("normale")
        corps.append(figure.to_html(
            full_html=False, include_plotlyjs=not plotly_inclus, include_mathjax=False,
            div_id=f"graphique_{partie.cle}",
            config={"displaylogo": False, "locale": "fr", "responsive": True,
                    "modeBarButtonsToRemove": ["sendDataToCloud"]}))
        plotly_inclus = True
        corps.append(table_html(partie.donnees, partie.colonnes))
        corps.append("</section>")
    corps.append(f"<p class=\"note\">Édité le {date_fr(aujourd_hui)} par Gestion en flux. "
                 "Chiffres du moteur de calcul (conventions, parc et mises à disposition "
                 "importés).</p>")
    return ("<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{html.escape(titre(annee, trimestre))}</title>\n"
            f"<style>{_STYLE}</style>\n{script_assets_geo()}\n</head>\n<body>\n"
            + "\n".join(corps)
            + "\n</body>\n</html>\n")


def valeur_en_texte(valeur: object) -> str:
    if isinstance(valeur, datetime):
        return valeur.strftime("%d/%m/%Y %H:%M")
    if isinstance(valeur, date):
        return date_fr(valeur)
    if est_indefini(valeur):
        return "—"
    return str(valeur)


def figure(con: duckdb.DuckDBPyConnection, annee: int, trimestre: int, cle: str,
           vue: str = "mad", filtres: Filtres | None = None, taille: str = "normale"):
    """The plotly figure of the part ``cle`` of the bilan (``cles_graphiques``)."""
    for partie in contenu_bilan.parties(contenu_bilan.lecteur(con), annee, trimestre, vue,
                                        filtres or Filtres()):
        if partie.cle == cle:
            return partie.figure(taille)
    raise ValueError(f"graphique inconnu : {cle!r} (choix : {', '.join(cles_graphiques())})")


def cles_graphiques() -> tuple[str, ...]:
    """The keys of the bilan's charts, in page order."""
    return ("reservataire", "type", "bailleur", "croise", "cumuls", "epci", "entonnoir",
            "hors_flux", "prioritaires", "prioritaires_bailleurs")
