"""The quarterly bilan pack of the club régional: an .xlsx workbook with one sheet per axis, and
a standalone .html report with the charts, tables and takeaways, to e-mail and project.

The HTML report opens without any network: plotly.js is embedded once (no CDN), MathJax is not
used, no web font, no image or stylesheet loaded from elsewhere; figures are French
(``formatting``). Its parts are the page's (``contenu_bilan.parties``).
"""

from __future__ import annotations

import html
import textwrap
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


def _informations(con, annee, trimestre, vue, filtres, aujourd_hui) -> list[tuple[str, object]]:
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
    informations = _informations(con, annee, trimestre, vue, filtres, aujourd_hui)
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


def _table_html(df: pd.DataFrame, colonnes: list[str] | None = None,
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


def _chiffres_cles(t: pd.Series, vue: str) -> list[tuple[str, str]]:
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


def _parties_du_rapport(con, annee, trimestre, vue, filtres) -> list[contenu_bilan.Partie]:
    """The report's parts: the page's, with the map of the EPCI after the EPCI bar chart
    (plotly's world topology given by script_assets_geo in <head>: the map draws offline)."""
    lecture = contenu_bilan.lecteur(con)
    return contenu_cartes.parties_avec_carte(
        contenu_bilan.parties(lecture, annee, trimestre, vue, filtres), lecture, annee,
        trimestre, vue, filtres)


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
    infos = _informations(con, annee, trimestre, vue, filtres, aujourd_hui)
    corps.append("<p class=\"note\">" + " · ".join(
        f"{html.escape(libelle)} : {html.escape(_texte(valeur))}"
        for libelle, valeur in infos if libelle != "Fin de la période") + "</p>")
    corps.append("<div class=\"chiffres\">" + "".join(
        _chiffre(libelle, valeur) for libelle, valeur in _chiffres_cles(t, vue)) + "</div>")
    plotly_inclus = False
    for partie in _parties_du_rapport(con, annee, trimestre, vue, filtres):
        corps.append(f"<section id=\"{html.escape(partie.cle)}\">")
        corps.append(f"<h2>{html.escape(partie.titre)}</h2>")
        if partie.donnees is None or partie.donnees.empty:
            corps.append(f"<p>{html.escape(partie.vide)}</p></section>")
            continue
        if partie.message:
            corps.append(f"<p class=\"message\">{html.escape(partie.message)}</p>")
        figure = partie.figure("normale")
        corps.append(figure.to_html(
            full_html=False, include_plotlyjs=not plotly_inclus, include_mathjax=False,
            div_id=f"graphique_{partie.cle}",
            config={"displaylogo": False, "locale": "fr", "responsive": True,
                    "modeBarButtonsToRemove": ["sendDataToCloud"]}))
        plotly_inclus = True
        corps.append(_table_html(partie.donnees, partie.colonnes))
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


def _texte(valeur: object) -> str:
    if isinstance(valeur, datetime):
        return valeur.strftime("%d/%m/%Y %H:%M")
    if isinstance(valeur, date):
        return date_fr(valeur)
    if est_indefini(valeur):
        return "—"
    return str(valeur)


# --- print: the source of the PDF report (dashboard/exports/pdf.py) --------------------------
#
# A4 landscape, one part per page: every page is a <section class="page"> exactly one sheet
# high (mm units: the layout is the same on screen and on paper). Charts fill what the title and
# the takeaway leave; a table longer than its page continues on « (suite du tableau) » pages,
# cut row by row by ``miseEnPage()`` once the charts are drawn (the browser measures the rows).

FORMAT_PAGE_MM = (297.0, 210.0)                 # A4 landscape
MARGES_MM = {"haut": 10.0, "droite": 12.0, "bas": 14.0, "gauche": 12.0}   # bottom: the footer
# The pages' height, 1 mm under the printable height: rounding never pushes a page onto two.
HAUTEUR_PAGE_MM = FORMAT_PAGE_MM[1] - MARGES_MM["haut"] - MARGES_MM["bas"] - 1
LARGEUR_PAGE_MM = FORMAT_PAGE_MM[0] - MARGES_MM["gauche"] - MARGES_MM["droite"]
POLICE_GRAPHIQUE_IMPRESSION = 11                # chart text on paper (the page's 14 is for screens)

_STYLE_IMPRESSION = f"""
@page {{ size: {FORMAT_PAGE_MM[0]:g}mm {FORMAT_PAGE_MM[1]:g}mm;
        margin: {MARGES_MM["haut"]:g}mm {MARGES_MM["droite"]:g}mm {MARGES_MM["bas"]:g}mm
                {MARGES_MM["gauche"]:g}mm; }}
html, body {{ margin: 0; padding: 0; background: #fff; }}
body {{ font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; color: #161616;
        font-size: 9pt; -webkit-print-color-adjust: exact; print-color-adjust: exact;
        font-variant-ligatures: none; }}   /* « flux », not « ﬂux », when searched or copied */
svg text {{ font-variant-ligatures: none !important; font-feature-settings: "liga" 0, "clig" 0; }}
.page {{ width: {LARGEUR_PAGE_MM:g}mm; height: {HAUTEUR_PAGE_MM:g}mm; box-sizing: border-box;
         display: flex; flex-direction: column; break-after: page; page-break-after: always;
         break-inside: avoid; position: relative; }}
.page:last-of-type {{ break-after: auto; page-break-after: auto; }}
h1 {{ color: #000091; font-size: 24pt; margin: 6mm 0 2mm; }}
h2, .titre-suite {{ color: #000091; font-size: 15pt; font-weight: bold; margin: 0 0 1.5mm; }}
.surtitre {{ color: #000091; font-weight: bold; text-transform: uppercase; letter-spacing: .04em;
             font-size: 9pt; margin: 0; }}
.periode {{ font-size: 12pt; margin: 0 0 4mm; }}
table.infos {{ border-collapse: collapse; margin: 0 0 5mm; font-size: 9.5pt; }}
table.infos th {{ text-align: left; padding: .6mm 4mm .6mm 0; color: #3a3a3a;
                  font-weight: normal; vertical-align: top; white-space: nowrap; }}
table.infos td {{ padding: .6mm 0; }}
.chiffres {{ display: flex; gap: 3mm; margin: 0 0 6mm; }}
.chiffre {{ border: .3mm solid #cfcfe8; border-left: 1.2mm solid #000091; border-radius: 1mm;
            padding: 2mm 3mm; flex: 1 1 0; }}
.chiffre .libelle {{ font-size: 8.5pt; color: #3a3a3a; }}
.chiffre .valeur {{ font-size: 17pt; font-weight: bold; margin-top: 1mm; }}
h2.sommaire {{ font-size: 12pt; margin-bottom: 2mm; }}
ol.sommaire {{ columns: 2; column-gap: 12mm; margin: 0; padding-left: 6mm; font-size: 9.5pt; }}
ol.sommaire li {{ margin: 0 0 1.2mm; break-inside: avoid; }}
ol.sommaire .numero {{ color: #3a3a3a; white-space: nowrap; }}
.note {{ color: #555; font-size: 8pt; }}
.couverture .note {{ margin-top: auto; }}
.message {{ font-weight: bold; font-size: 10pt; margin: 0 0 2mm; }}
.vide {{ font-size: 10pt; }}
.corps {{ flex: 1 1 0; min-height: 0; display: grid; gap: 5mm;
          grid-template-columns: minmax(0, 1fr) fit-content(48%);
          grid-template-rows: minmax(0, 1fr); }}
.graphique {{ min-width: 0; min-height: 0; height: 100%; grid-column: 1; grid-row: 1; }}
.graphique > div, .graphique .plotly-graph-div {{ height: 100%; width: 100%; }}
.tableau {{ min-width: 0; grid-column: 2; grid-row: 1; }}
.colonnes {{ flex: 1 1 0; min-height: 0; display: flex; gap: 5mm; align-items: flex-start; }}
.colonnes > table {{ flex: 0 0 auto; max-width: 100%; }}
table.decoupable {{ border-collapse: collapse; font-size: 7.5pt; }}
table.decoupable th, table.decoupable td {{ border: .2mm solid #d0d0d0; padding: .45mm 1.4mm;
                                            line-height: 1.2; }}
table.decoupable th {{ background: #f0f0f6; text-align: left; vertical-align: bottom; }}
table.decoupable td.nombre {{ text-align: right; white-space: nowrap; }}
table.serree th, table.serree td {{ overflow-wrap: anywhere; }}
.suite-note {{ color: #555; font-size: 7.5pt; margin: 1mm 0 0; }}
"""

# Run by pdf.py once every chart is drawn: cuts each table where its page ends, the rest on
# « (suite du tableau) » pages (a new column on the same page when there is room), writes the
# pages of the contents, and says how many pages there are and which ones still overflow.
_SCRIPT_MISE_EN_PAGE = r"""
window.miseEnPage = async function () {
  const ECART = 5 * 96 / 25.4;                       // .colonnes gap: 5 mm in CSS pixels
  const bas = (el) => {
    const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    return r.bottom - parseFloat(s.paddingBottom) - parseFloat(s.borderBottomWidth);
  };
  const deborde = (tr, limite) => tr.getBoundingClientRect().bottom > limite + 0.5;
  // beside the chart, the columns keep the widths they have (the chart was drawn at its width;
  // fewer rows must not narrow the table and wrap its rows anew)
  const figer = (table) => {
    const largeurs = Array.from(table.tHead.rows[0].cells)
                          .map((th) => th.getBoundingClientRect().width);
    const colonnes = document.createElement('colgroup');
    largeurs.forEach((l) => {
      const col = document.createElement('col');
      col.style.width = l + 'px';
      colonnes.appendChild(col);
    });
    table.insertBefore(colonnes, table.firstChild);
    table.style.width = table.getBoundingClientRect().width + 'px';
    table.style.tableLayout = 'fixed';
  };
  // a continuation: the table's heading, at the table's natural width on its page
  const copie = (table) => {
    const t = table.cloneNode(false);
    t.removeAttribute('style');
    t.appendChild(table.tHead.cloneNode(true));
    const b = document.createElement('tbody');
    t.appendChild(b);
    return [t, b];
  };
  const parties = Array.from(document.querySelectorAll('section.page.partie'));
  // a table a little too long (or too wide) for its page takes a smaller type rather than a
  // page of its own; a table too wide even so may break its words anywhere
  const TAILLES = ['7.5pt', '7pt', '6.5pt'];
  for (const page of parties) {
    const table = page.querySelector('table.decoupable');
    if (!table || !table.tBodies.length) continue;
    const corps = page.querySelector('.corps');
    const limite = bas(corps);
    const essayer = (taille) => { table.style.fontSize = taille; return taille; };
    const large = () => table.getBoundingClientRect().right
                        <= corps.getBoundingClientRect().right + 0.5;
    const tient = () => {
      const lignes = table.tBodies[0].rows;
      return large() && (!lignes.length || !deborde(lignes[lignes.length - 1], limite));
    };
    let taille = TAILLES.find((t) => essayer(t) && tient())
                 || TAILLES.find((t) => essayer(t) && large());
    if (!taille) {
      table.classList.add('serree');
      taille = TAILLES.find((t) => essayer(t) && large()) || TAILLES[TAILLES.length - 1];
    }
    essayer(taille);
  }
  // every chart at the width its table now leaves (plotly drew it before)
  await Promise.all(Array.from(document.querySelectorAll('.plotly-graph-div'))
                         .map((gd) => Plotly.Plots.resize(gd)));
  for (const page of parties) {
    const table = page.querySelector('table.decoupable');
    if (!table || !table.tBodies.length) continue;
    figer(table);
    const lignes = Array.from(table.tBodies[0].rows);
    const limite = bas(page.querySelector('.corps'));
    let i = lignes.findIndex((tr) => deborde(tr, limite));
    if (i < 0) continue;
    let reste = lignes.slice(i);
    reste.forEach((tr) => tr.remove());
    // under the table, a note saying where it goes on (the rows it needs go on with them)
    const note = document.createElement('p');
    note.className = 'suite-note';
    page.querySelector('.tableau').appendChild(note);
    const ecrire = () => {
      const n = reste.length;
      note.textContent = table.tBodies[0].rows.length
        ? 'Suite du tableau page suivante (' + n + (n > 1 ? ' lignes).' : ' ligne).')
        : 'Tableau page suivante.';
    };
    ecrire();
    while (note.getBoundingClientRect().bottom > limite + 0.5 && table.tBodies[0].rows.length) {
      const derniereLigne = table.tBodies[0].rows[table.tBodies[0].rows.length - 1];
      derniereLigne.remove();
      reste.unshift(derniereLigne);
      ecrire();
    }
    if (!table.tBodies[0].rows.length) table.remove();
    let derniere = page;
    while (reste.length) {
      const suite = document.createElement('section');
      suite.className = 'page partie suite';
      // a paragraph, not a heading: the PDF's bookmarks list the parts only
      const titre = document.createElement('p');
      titre.className = 'titre-suite';
      titre.textContent = page.dataset.titre + ' (suite du tableau)';
      const colonnes = document.createElement('div');
      colonnes.className = 'colonnes';
      suite.append(titre, colonnes);
      derniere.after(suite);
      derniere = suite;
      const limiteSuite = bas(colonnes);
      const droite = colonnes.getBoundingClientRect().right;
      while (reste.length) {
        const [t, b] = copie(table);
        colonnes.appendChild(t);
        let mises = 0;
        while (reste.length) {
          b.appendChild(reste[0]);
          if (mises > 0 && deborde(reste[0], limiteSuite)) { reste[0].remove(); break; }
          reste.shift();
          mises += 1;
        }
        if (t.getBoundingClientRect().right > droite + 0.5 && colonnes.children.length > 1) {
          // too wide beside the previous column: its rows go to the next page
          reste = Array.from(b.rows).concat(reste);
          t.remove();
          break;
        }
        if (!reste.length) break;
        const largeur = t.getBoundingClientRect().width;
        if (t.getBoundingClientRect().right + ECART + largeur > droite) break;
      }
    }
  }
  const pages = Array.from(document.querySelectorAll('section.page'));
  document.querySelectorAll('[data-page-de]').forEach((el) => {
    const cible = document.getElementById(el.dataset.pageDe);
    el.textContent = 'page ' + (pages.indexOf(cible) + 1);
  });
  return {
    pages: pages.length,
    debordements: pages.filter((p) => p.scrollHeight > p.clientHeight + 1
                                      || p.scrollWidth > p.clientWidth + 1)
                       .map((p) => (p.querySelector('h1, h2, .titre-suite') || p).textContent),
  };
};
"""

# Each chart counts itself once drawn (plotly's newPlot promise): pdf.py waits for them all.
_SCRIPT_GRAPHIQUE_DESSINE = "window.graphiquesDessines = (window.graphiquesDessines || 0) + 1;"


LARGEUR_ETIQUETTE_IMPRESSION = 26   # characters a line of a category label (y axis) on paper
# The y axis of a chart beside its table: about this many CSS pixels, less the takeaway's lines
# (the page's height less its title, the chart's legend and x axis).
HAUTEUR_AXE_IMPRESSION = 440
MARGES_AXE_IMPRESSION = 180   # a figure's height less its y axis: legend, x axis, margins


def _tronquer(texte: str, longueur: int) -> str:
    return texte if len(texte) <= longueur else texte[:longueur - 1].rstrip() + "…"


def _etiquette(texte: str, lignes: int) -> str:
    """``texte`` on at most ``lignes`` lines of ``LARGEUR_ETIQUETTE_IMPRESSION`` characters
    (the last one cut with « … » when it is longer: the table beside says it whole)."""
    morceaux = textwrap.wrap(texte, LARGEUR_ETIQUETTE_IMPRESSION, break_long_words=False) or [""]
    if lignes == 1:
        morceaux = [_tronquer(texte, int(LARGEUR_ETIQUETTE_IMPRESSION * 1.4))]
    elif len(morceaux) > lignes:
        reste = " ".join(morceaux[lignes - 1:])
        morceaux = morceaux[:lignes - 1] + [_tronquer(reste, LARGEUR_ETIQUETTE_IMPRESSION)]
    return "<br>".join(html.escape(m, quote=False) for m in morceaux)


def _categories_y(figure) -> dict[str, list[str]]:
    """The text categories of each y axis (horizontal bars, heatmaps), in order."""
    categories: dict[str, list[str]] = {}
    for trace in figure.data:
        if trace.type not in ("bar", "heatmap") or getattr(trace, "y", None) is None:
            continue
        if trace.type == "bar" and trace.orientation != "h":
            continue
        valeurs = list(trace.y)
        if not valeurs or not all(isinstance(v, str) for v in valeurs):
            continue
        axe = categories.setdefault(trace.yaxis or "y", [])
        axe.extend(v for v in valeurs if v not in axe)
    return categories


def _figure_imprimee(figure, message: str | None = None):
    """The page's figure sized by its box on paper (no fixed height: the chart fills what the
    title and the takeaway leave) with print-sized text. The category labels of a y axis take
    the room their rows have: smaller type when there are many, long labels on two or three
    lines when there is room, else cut with « … » (on half a page, « Préfet des
    Bouches-du-Rhône — agents civils et militaires de l'État » on one line would leave the bars
    no room; the table beside gives every label whole)."""
    taille = POLICE_GRAPHIQUE_IMPRESSION
    hauteur_origine = figure.layout.height
    figure.update_layout(height=None, width=None, autosize=True, font_size=taille,
                         legend_font_size=taille, hoverlabel_font_size=taille)
    figure.update_xaxes(tickfont_size=taille, title_font_size=taille)
    figure.update_yaxes(tickfont_size=taille, title_font_size=taille)
    # the figures written in a heatmap's cells, narrower on paper
    figure.update_traces(textfont_size=taille - 3, selector={"type": "heatmap"})
    lignes_message = 1 + len(message or "") // 150
    hauteur = HAUTEUR_AXE_IMPRESSION - 16 * lignes_message
    if hauteur_origine:      # the chart is no taller than the page draws it (rapport_impression)
        hauteur = min(hauteur, hauteur_origine - MARGES_AXE_IMPRESSION)
    for ref, valeurs in _categories_y(figure).items():
        axe = figure.layout["yaxis" if ref == "y" else f"yaxis{ref[1:]}"]
        if axe.tickvals is not None or axe.ticktext is not None:
            continue
        par_categorie = hauteur / len(valeurs)
        police = max(6, min(taille, int(par_categorie / 1.3)))
        lignes = max(1, min(3, int(par_categorie // (police * 1.25))))
        axe.update(tickfont_size=police, tickmode="array", tickvals=valeurs,
                   ticktext=[_etiquette(v, lignes) for v in valeurs])
        if police < taille:       # the figures at the end of the bars, as small as the labels
            figure.update_traces(textfont_size=police, selector={"type": "bar"})
    return figure


def rapport_impression(con: duckdb.DuckDBPyConnection, annee: int, trimestre: int,
                       vue: str = "mad", filtres: Filtres | None = None,
                       aujourd_hui: date | None = None) -> str:
    """The report laid out for print (the PDF's source: ``pdf.rapport_pdf`` prints it): a cover
    (period, decompte, filters, date of the data, key figures, contents), then one page per
    part of the HTML report (title, takeaway, chart beside its table). Standalone like the
    HTML report: plotly.js embedded once, the empty world topology for the map, nothing to
    load. Raises ``RienAExporter`` when the selection is empty."""
    filtres = filtres or Filtres()
    t = verifier(con, annee, trimestre, vue, filtres).iloc[0]
    aujourd_hui = aujourd_hui or date.today()
    infos = dict(_informations(con, annee, trimestre, vue, filtres, aujourd_hui))
    parties = _parties_du_rapport(con, annee, trimestre, vue, filtres)
    lignes_infos = [("Décompte", infos["Décompte"]), ("Filtres", infos["Filtres"]),
                    ("Données", "dernier import des mises à disposition : "
                                + _texte(infos["Dernier import des mises à disposition"])),
                    ("Édité le", _texte(aujourd_hui))]
    couverture = [
        "<section class=\"page couverture\" id=\"couverture\">",
        "<p class=\"surtitre\">Gestion en flux · réservations de logements sociaux</p>",
        f"<h1>{html.escape(titre(annee, trimestre))}</h1>",
        f"<p class=\"periode\">{html.escape(_texte(infos['Période']).capitalize())}</p>",
        "<table class=\"infos\">" + "".join(
            f"<tr><th>{html.escape(libelle)}</th><td>{html.escape(valeur)}</td></tr>"
            for libelle, valeur in lignes_infos) + "</table>",
        "<div class=\"chiffres\">" + "".join(
            f"<div class=\"chiffre\"><div class=\"libelle\">{html.escape(libelle)}</div>"
            f"<div class=\"valeur\">{html.escape(valeur)}</div></div>"
            for libelle, valeur in _chiffres_cles(t, vue)) + "</div>",
        "<h2 class=\"sommaire\">Sommaire</h2>",
        "<ol class=\"sommaire\">" + "".join(
            f"<li>{html.escape(p.titre)} — <span class=\"numero\" "
            f"data-page-de=\"partie-{html.escape(p.cle)}\"></span></li>" for p in parties)
        + "</ol>",
        ("<p class=\"note\">Chiffres du moteur de calcul de Gestion en flux (conventions, "
         "parc et mises à disposition importés) : ceux de la page « Bilan trimestriel ». "
         "Toutes les colonnes de chaque axe : classeur .xlsx du même bilan.</p>"),
        "</section>",
    ]
    corps = couverture
    plotly_inclus = False
    for partie in parties:
        corps.append(f"<section class=\"page partie\" id=\"partie-{html.escape(partie.cle)}\" "
                     f"data-titre=\"{html.escape(partie.titre)}\">")
        corps.append(f"<h2>{html.escape(partie.titre)}</h2>")
        if partie.donnees is None or partie.donnees.empty:
            corps.append(f"<p class=\"vide\">{html.escape(partie.vide)}</p></section>")
            continue
        if partie.message:
            corps.append(f"<p class=\"message\">{html.escape(partie.message)}</p>")
        # the table first: its column has its width when plotly sizes the chart beside it
        corps.append("<div class=\"corps\"><div class=\"tableau\">")
        corps.append(_table_html(partie.donnees, partie.colonnes, classe="decoupable"))
        figure = partie.figure("normale")
        # no taller than the page would draw it (a bar chart of three bars stays a small chart)
        hauteur = figure.layout.height
        plafond = f" style=\"max-height: {int(hauteur)}px\"" if hauteur else ""
        corps.append(f"</div><div class=\"graphique\"{plafond}>")
        corps.append(_figure_imprimee(figure, partie.message).to_html(
            full_html=False, include_plotlyjs=not plotly_inclus, include_mathjax=False,
            div_id=f"graphique_{partie.cle}", default_width="100%", default_height="100%",
            post_script=_SCRIPT_GRAPHIQUE_DESSINE,
            config={"displayModeBar": False, "staticPlot": True, "responsive": False,
                    "locale": "fr"}))
        plotly_inclus = True
        corps.append("</div></div></section>")
    return ("<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{html.escape(titre(annee, trimestre))}</title>\n"
            f"<style>{_STYLE_IMPRESSION}</style>\n{script_assets_geo()}\n"
            f"<script>{_SCRIPT_MISE_EN_PAGE}</script>\n</head>\n<body>\n"
            + "\n".join(corps)
            + "\n</body>\n</html>\n")



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
