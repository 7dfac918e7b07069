"""The look of every chart: the plotly template ``"flux"`` and the colours the builders share.

Inspired by the French State design system (DSFR) — its bleu France, its rouge Marianne and its
illustrative palette — without what is reserved to State services: no Marianne font (a system
sans-serif stack instead), no logo, no DSFR component.

Semantic colours (the same thing always has the same colour, on every chart)
--------------------------------------------------------------------------
``DROITS``         #000091  bleu France — droits prévus (what is owed)
``MAD``            #417DC4  bleu cumulus (DSFR illustrative) — mises à disposition
``BAUX``           #C3992A  jaune moutarde (DSFR illustrative) — baux signés
``ECART_NEGATIF``  #E1000F  rouge Marianne — behind (negative écart, MAD that fell through)
``ECART_POSITIF``  #000091  bleu France — ahead (positive écart)
``NEUTRE``         #666666  DSFR grey 425 — zero lines, reference lines, MAD still in progress
``INDEFINI``       #E5E5E5  DSFR grey 925 — the background of an undefined value ("—")

Why these: droits, MAD and baux are drawn together (grouped bars, cumulative curves), so they
differ in lightness first (dark blue, mid blue, light yellow) and in hue second, along the
blue–yellow axis that protanopes and deuteranopes still see. Their smallest CIEDE2000 difference,
simulated for normal vision, protanopia and deuteranopia (``daltonisme``), is 27 (droits vs MAD
with deuteranopia); red vs blue for the écart is above 50. One pair is close for deuteranopes
only: baux vs rouge Marianne (ΔE₀₀ 12) — they meet only in the MAD outcome chart, where every bar
is also named on its axis. Lines add a second cue (dash, marker symbol), never colour alone.

Categorical palette (``PALETTE``, the template's colorway)
---------------------------------------------------------
Most of the 17 DSFR illustrative colours share the same mid lightness, so any 4 of them taken in
the DSFR order collapse under red–green deficiency (e.g. "tilleul verveine", "bourgeon" and
"émeraude" become the same olive). ``PALETTE`` is the subset chosen by exhaustive search to
maximise the smallest ΔE₀₀ (normal, protanopia, deuteranopia), leaving out the semantic colours,
and ordered so that every prefix is as distinct as possible and the first three are dark enough
for lines (contrast ≥ 3.8:1 on white):

    1 écume #465F9D, 2 menthe #009081, 3 tuile #CE614A, 4 café crème #D1B781,
    5 gris galet #AEA397, 6 tournesol #C8AA39

smallest ΔE₀₀ of the first 2: 20.5, 3: 15.4, 4: 15.3, 5: 9.8, 6: 9.6 — comparable to the
Okabe–Ito palette (``OKABE_ITO``, the reference colour-blind-safe palette: 11.6 for its first
six with the same measure), which stays the fallback for charts needing more categories. Beyond
six categories colours repeat: such charts must label their marks.

Typography and numbers
----------------------
``POLICE`` "Inter, Arial, Helvetica, sans-serif". French numbers on axes: ``separators=", "``
(decimal comma, space between thousands); dates ``FORMAT_DATE`` (dd/mm/yyyy). Hover and bar
texts are written in Python with ``dashboard.formatting`` (narrow no-break spaces, "—" for an
undefined value), never by d3.

Sizes
-----
``taille="normale"`` for the screen, ``"presentation"`` for a projector (body ≥ 22 px, titles
≥ 30 px, thicker lines, bigger markers). The two templates are registered as ``"flux"`` and
``"flux_presentation"``; ``activer()`` makes one of them plotly's default. Builders set their
template explicitly, so they look the same whatever the default.
"""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go
import plotly.io as pio

# --- colours ---------------------------------------------------------------------------------

BLEU_FRANCE = "#000091"
ROUGE_MARIANNE = "#E1000F"

DROITS = BLEU_FRANCE
MAD = "#417DC4"  # DSFR blue-cumulus-main-526
BAUX = "#C3992A"  # DSFR yellow-moutarde-main-679
ECART_NEGATIF = ROUGE_MARIANNE
ECART_POSITIF = BLEU_FRANCE
NEUTRE = "#666666"  # DSFR grey-425
INDEFINI = "#E5E5E5"  # DSFR grey-925: background of undefined cells
TEXTE = "#161616"  # DSFR grey-50: text
GRILLE = "#DDDDDD"  # DSFR grey-900: grid lines
BLANC = "#FFFFFF"

# DSFR illustrative colours (…-main-…), by name, for reference.
DSFR_ILLUSTRATIVES: dict[str, str] = {
    "vert tilleul verveine": "#B7A73F",
    "vert bourgeon": "#68A532",
    "vert émeraude": "#00A95F",
    "vert menthe": "#009081",
    "vert archipel": "#009099",
    "bleu écume": "#465F9D",
    "bleu cumulus": "#417DC4",
    "violet glycine": "#A558A0",
    "rose macaron": "#E18B76",
    "rose tuile": "#CE614A",
    "jaune tournesol": "#C8AA39",
    "jaune moutarde": "#C3992A",
    "orange terre battue": "#E4794A",
    "brun café crème": "#D1B781",
    "brun caramel": "#C08C65",
    "brun opéra": "#BD987A",
    "beige gris galet": "#AEA397",
}

# Categorical palette: a colour-blind-checked subset of the illustrative colours, in order.
PALETTE_NOMS = ("bleu écume", "vert menthe", "rose tuile", "brun café crème",
                "beige gris galet", "jaune tournesol")
PALETTE = tuple(DSFR_ILLUSTRATIVES[n] for n in PALETTE_NOMS)

# Okabe & Ito (2008), "Color Universal Design": the fallback reference.
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
             "#000000")

# Realisation rates: rouge Marianne (behind) → white (on target, 100 %) → bleu France (ahead).
ECHELLE_DIVERGENTE = ((0.0, ROUGE_MARIANNE), (0.5, BLANC), (1.0, BLEU_FRANCE))
ECHELLE_SEQUENTIELLE = ((0.0, "#F5F5FE"), (1.0, BLEU_FRANCE))

POLICE = "Inter, Arial, Helvetica, sans-serif"
SEPARATEURS = ", "  # decimal comma, space between thousands (plotly: decimal then thousands)
FORMAT_DATE = "%d/%m/%Y"
FORMAT_JOUR_MOIS = "%d/%m"

TAILLES = ("normale", "presentation")
NOMS_GABARITS = {"normale": "flux", "presentation": "flux_presentation"}


@dataclass(frozen=True)
class Dimensions:
    """Sizes (px) of one ``taille``."""

    police: int  # body text: ticks, legend, bar texts
    titre: int  # figure title
    titre_axe: int  # axis titles
    annotation: int  # notes and reference-line labels
    survol: int  # hover labels
    trait: float  # data lines
    trait_repere: float  # reference lines
    marqueur: int  # line markers
    ligne_barre: int  # height given to one category of a horizontal bar chart
    hauteur_min: int  # smallest figure height
    marge: int  # base margin


DIMENSIONS = {
    "normale": Dimensions(police=14, titre=18, titre_axe=14, annotation=13, survol=14, trait=2.5,
                          trait_repere=1.5, marqueur=7, ligne_barre=30, hauteur_min=320,
                          marge=16),
    "presentation": Dimensions(police=22, titre=32, titre_axe=22, annotation=22, survol=22,
                               trait=5.0, trait_repere=3.0, marqueur=14, ligne_barre=54,
                               hauteur_min=560, marge=28),
}


def dimensions(taille: str = "normale") -> Dimensions:
    """The sizes of ``taille`` ("normale" or "presentation")."""
    if taille not in DIMENSIONS:
        raise ValueError(f"taille inconnue : {taille!r} (normale ou presentation)")
    return DIMENSIONS[taille]


def _axe(d: Dimensions) -> dict:
    return dict(
        automargin=True,
        gridcolor=GRILLE,
        linecolor="#929292",
        showline=True,
        ticks="outside",
        tickcolor="#929292",
        tickfont=dict(size=d.police),
        title=dict(font=dict(size=d.titre_axe), standoff=d.marge // 2),
        zeroline=True,
        zerolinecolor=NEUTRE,
        zerolinewidth=d.trait_repere,
        separatethousands=True,
    )


def gabarit(taille: str = "normale") -> go.layout.Template:
    """A new plotly template for ``taille`` (the registered ones are ``pio.templates["flux"]``
    and ``pio.templates["flux_presentation"]``)."""
    d = dimensions(taille)
    axe = _axe(d)
    layout = go.Layout(
        font=dict(family=POLICE, size=d.police, color=TEXTE),
        title=dict(font=dict(size=d.titre, color=TEXTE), x=0, xref="paper", xanchor="left",
                   automargin=True),
        separators=SEPARATEURS,
        colorway=list(PALETTE),
        colorscale=dict(diverging=[list(p) for p in ECHELLE_DIVERGENTE],
                        sequential=[list(p) for p in ECHELLE_SEQUENTIELLE]),
        paper_bgcolor=BLANC,
        plot_bgcolor=BLANC,
        xaxis=axe,
        yaxis=axe,
        legend=dict(font=dict(size=d.police), orientation="h", x=0, xanchor="left", y=1.0,
                    yanchor="bottom", bgcolor="rgba(255,255,255,0)", title=dict(text="")),
        hoverlabel=dict(font=dict(family=POLICE, size=d.survol, color=TEXTE), bgcolor=BLANC,
                        bordercolor=NEUTRE, align="left"),
        hovermode="closest",
        margin=dict(l=d.marge, r=d.marge * 2, t=d.marge * 3, b=d.marge),
        annotationdefaults=dict(font=dict(size=d.annotation, color=TEXTE)),
        bargap=0.25,
    )
    data = dict(
        scatter=[go.Scatter(line=dict(width=d.trait), marker=dict(size=d.marqueur))],
        bar=[go.Bar(textfont=dict(size=d.police), cliponaxis=False)],
        waterfall=[go.Waterfall(textfont=dict(size=d.police), cliponaxis=False,
                                connector=dict(line=dict(color=NEUTRE, width=d.trait_repere)))],
        heatmap=[go.Heatmap(colorscale=[list(p) for p in ECHELLE_DIVERGENTE])],
    )
    return go.layout.Template(layout=layout, data=data)


def nom_gabarit(taille: str = "normale") -> str:
    """The registered template's name for ``taille``: ``"flux"`` or ``"flux_presentation"``."""
    dimensions(taille)
    return NOMS_GABARITS[taille]


def enregistrer() -> None:
    """(Re)register ``"flux"`` and ``"flux_presentation"`` in ``plotly.io.templates``."""
    for taille, nom in NOMS_GABARITS.items():
        pio.templates[nom] = gabarit(taille)


def activer(taille: str = "normale") -> str:
    """Make the ``"flux"`` template (or ``"flux_presentation"``) plotly's default; return its
    name."""
    nom = nom_gabarit(taille)
    if nom not in pio.templates:
        enregistrer()
    if pio.templates.default != nom:   # setting it validates and copies the whole template
        pio.templates.default = nom
    return nom


enregistrer()
