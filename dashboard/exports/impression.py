"""The quarterly bilan laid out for print: the source of the PDF report (``pdf.rapport_pdf``
prints it in the machine's Chromium). A4 landscape, a cover, then one part per page — the parts
of the HTML report (``trimestriel``), with the same figures and tables.
"""

from __future__ import annotations

import html
import textwrap
from datetime import date

import duckdb

from dashboard.exports.trimestriel import (
    chiffres_cles,
    debut_de_partie,
    informations_du_bilan,
    parties_du_rapport,
    table_html,
    titre,
    valeur_en_texte,
    verifier,
)
from dashboard.metrics import Filtres
from dashboard.reference_cartes import script_assets_geo

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
    infos = dict(informations_du_bilan(con, annee, trimestre, vue, filtres, aujourd_hui))
    parties = parties_du_rapport(con, annee, trimestre, vue, filtres)
    lignes_infos = [("Décompte", infos["Décompte"]), ("Filtres", infos["Filtres"]),
                    ("Données", "dernier import des mises à disposition : " + valeur_en_texte(
                        infos["Dernier import des mises à disposition"])),
                    ("Édité le", valeur_en_texte(aujourd_hui))]
    couverture = [
        "<section class=\"page couverture\" id=\"couverture\">",
        "<p class=\"surtitre\">Gestion en flux · réservations de logements sociaux</p>",
        f"<h1>{html.escape(titre(annee, trimestre))}</h1>",
        f"<p class=\"periode\">{html.escape(valeur_en_texte(infos['Période']).capitalize())}</p>",
        "<table class=\"infos\">" + "".join(
            f"<tr><th>{html.escape(libelle)}</th><td>{html.escape(valeur)}</td></tr>"
            for libelle, valeur in lignes_infos) + "</table>",
        "<div class=\"chiffres\">" + "".join(
            f"<div class=\"chiffre\"><div class=\"libelle\">{html.escape(libelle)}</div>"
            f"<div class=\"valeur\">{html.escape(valeur)}</div></div>"
            for libelle, valeur in chiffres_cles(t, vue)) + "</div>",
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
        debut, vide = debut_de_partie(
            partie, f"<section class=\"page partie\" id=\"partie-{html.escape(partie.cle)}\" "
                    f"data-titre=\"{html.escape(partie.titre)}\">", classe_vide="vide")
        corps += debut
        if vide:
            continue
        # the table first: its column has its width when plotly sizes the chart beside it
        corps.append("<div class=\"corps\"><div class=\"tableau\">")
        corps.append(table_html(partie.donnees, partie.colonnes, classe="decoupable"))
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
