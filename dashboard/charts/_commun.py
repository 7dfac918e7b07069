"""What the builders share: input checks, NaN → None, French hover lines, layout helpers.

Builders never compute a figure: they read the columns they are given, turn undefined values
(NaN, None, NaT) into ``None`` — plotly then draws nothing, never 0 — and write every number shown
to people with ``dashboard.formatting`` ("—" when undefined).
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterable, Sequence

import pandas as pd
import plotly.graph_objects as go

from dashboard.charts import theme
from dashboard.formatting import VIDE, est_indefini, nombre, pourcentage


def est_vide(donnees) -> bool:
    """None, or a DataFrame / Series without rows."""
    return donnees is None or len(donnees) == 0


def verifier_colonnes(df: pd.DataFrame, colonnes: Iterable[str], graphique: str) -> None:
    """ValueError (French) naming the missing columns."""
    manquantes = [c for c in colonnes if c not in df.columns]
    if manquantes:
        raise ValueError(
            f"{graphique} : colonne(s) manquante(s) : {', '.join(manquantes)} "
            f"(colonnes reçues : {', '.join(map(str, df.columns))})"
        )


def valeur(v):
    """A plotted number: float, or None when undefined (so plotly draws nothing)."""
    return None if est_indefini(v) else float(v)


def valeurs(serie: Iterable) -> list:
    """A column as plotted numbers (``None`` for NaN/None/NA)."""
    return [valeur(v) for v in serie]


def textes(serie: Iterable) -> list[str]:
    """A column as text (``None``/NaN → "—")."""
    return [VIDE if est_indefini(v) else str(v) for v in serie]


def etiquettes(df: pd.DataFrame, colonne: str = "libelle", cle: str = "cle") -> list[str]:
    """The category labels, in the rows' order: the libellé, or the key when it has none; a
    libellé shared by several keys gets its key in brackets, so that no two rows merge on the
    axis."""
    libelles = textes(df[colonne])
    cles = textes(df[cle]) if cle in df.columns else [None] * len(df)
    sortie = [c if (lib == VIDE and c not in (None, VIDE)) else lib
              for lib, c in zip(libelles, cles)]
    vus = Counter(sortie)
    return [
        f"{lib} ({c})" if vus[lib] > 1 and c not in (None, VIDE) else lib
        for lib, c in zip(sortie, cles)
    ]


def cles(df: pd.DataFrame, colonne: str = "cle") -> list | None:
    """The ``cle`` column as text (customdata mapping a clicked mark back to its code), or None."""
    if colonne not in df.columns:
        return None
    return [None if est_indefini(v) else str(v) for v in df[colonne]]


def echapper(texte: str) -> str:
    """A label safe inside plotly's pseudo-HTML hover text."""
    return html.escape(str(texte), quote=False)


def ligne(libelle: str, texte: str) -> str:
    """One hover line, French colon: ``"Écart : -3,5"``."""
    return f"{libelle}\u00a0: {texte}"


def survol(titre: str, lignes: Sequence[str]) -> str:
    """A hover text: the bold title then one line per figure."""
    return "<br>".join([f"<b>{echapper(titre)}</b>", *lignes])


def nombre_signe(v, decimales: int = 1) -> str:
    """``+3,5`` / ``-2,0`` / ``0,0`` / ``—``."""
    if est_indefini(v):
        return VIDE
    texte = nombre(v, decimales)
    return f"+{texte}" if float(v) > 0 and texte.strip("0,") else texte


MODELE_SURVOL = "%{hovertext}<extra></extra>"


def nouvelle_figure(taille: str, titre: str | None, legende: bool = False,
                    annotations_haut: bool = False) -> go.Figure:
    """An empty figure with the ``flux`` template of ``taille`` and the optional title; the top
    margin makes room, one above the other, for the title, the legend (drawn above the plot) and
    labels of reference lines (``annotations_haut``)."""
    d = theme.dimensions(taille)
    fig = go.Figure(layout=dict(template=theme.nom_gabarit(taille)))
    haut = d.marge
    if titre:
        fig.update_layout(title=dict(text=titre, y=1, yref="container", yanchor="top",
                                     pad=dict(t=d.marge // 2)))
        haut += int(d.titre * 1.8)
    if legende:
        haut += int(d.police * 2.2)
    if annotations_haut:
        haut += int(d.annotation * 1.8)
    fig.update_layout(margin=dict(t=haut), showlegend=legende)
    return fig


def hauteur_barres(n: int, d: theme.Dimensions, par_categorie: float = 1.0,
                   supplement: int = 140, lignes_texte: int = 1) -> int:
    """Figure height for ``n`` categories of a horizontal bar chart: each category gets its
    bars' height, and at least the height of its label (``lignes_texte`` lines of text), so
    that no label overlaps the next one or is left out by plotly."""
    par_ligne = max(d.ligne_barre * par_categorie, lignes_texte * d.police * 1.45 + 8)
    return max(d.hauteur_min, int(n * par_ligne) + supplement + (d.police - 14) * 6)


# --- long lists and long names ---------------------------------------------------------------

# A slide shows this many categories at most (the page shows them all): at 1280×720 the chart
# has about 300 px of plot, a line of text a category.
MAX_CATEGORIES_PRESENTATION = 10
# Characters a line of a category label, lines a label (beyond: cut, « … », the full name in
# the hover): on a screen, two lines of 32; on a slide, one line of 45 (no room for two).
LARGEUR_LIBELLE = {"normale": 32, "presentation": 45}
LIGNES_LIBELLE = {"normale": 2, "presentation": 1}


def couper_libelle(texte: str, largeur: int, lignes: int) -> list[str]:
    """``texte`` on at most ``lignes`` lines of about ``largeur`` characters, cut between words
    (a word longer than a line is cut); a text that does not fit ends with « … »."""
    mots = str(texte).split()
    sortie: list[str] = []
    courante = ""
    for mot in mots:
        while len(mot) > largeur:                  # a very long word: cut it
            if courante:
                sortie.append(courante)
                courante = ""
            sortie.append(mot[:largeur])
            mot = mot[largeur:]
        if not courante:
            courante = mot
        elif len(courante) + 1 + len(mot) <= largeur:
            courante += " " + mot
        else:
            sortie.append(courante)
            courante = mot
    if courante:
        sortie.append(courante)
    if len(sortie) > lignes:
        sortie = sortie[:lignes]
        sortie[-1] = sortie[-1][:max(1, largeur - 1)].rstrip() + "…"
    return sortie or [""]


def libelles_categories(noms: Sequence[str], taille: str) -> tuple[list[str], int]:
    """The tick labels of category names (plotly pseudo-HTML: escaped, lines joined by
    ``<br>``), all different, and the most lines one of them takes."""
    largeur, lignes = LARGEUR_LIBELLE[taille], LIGNES_LIBELLE[taille]
    coupes = [couper_libelle(n, largeur, lignes) for n in noms]
    textes_ = ["<br>".join(echapper(x) for x in c) for c in coupes]
    vus = Counter(textes_)
    if len(vus) < len(textes_):                    # two names cut the same: number them
        rangs: Counter = Counter()
        for i, t in enumerate(textes_):
            if vus[t] > 1:
                rangs[t] += 1
                textes_[i] = f"{t} ({rangs[t]})"
    return textes_, max((len(c) for c in coupes), default=1)


def axe_categories(fig: go.Figure, categories: list[str], taille: str) -> int:
    """The category axis of a horizontal bar chart: first row at the top, every category with
    its tick (never left out), long names on two lines or cut (the hover has them whole).
    Returns the most lines a label takes (for ``hauteur_barres``)."""
    textes_, lignes = libelles_categories(categories, taille)
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=categories,
                     autorange="reversed", showgrid=False, zeroline=False, ticks="",
                     title=dict(text=""), tickmode="array", tickvals=categories,
                     ticktext=textes_)
    return lignes


def premieres_categories(df: pd.DataFrame, taille: str,
                         colonne: str | None = None) -> tuple[pd.DataFrame, str | None]:
    """On a slide, the rows of the first ``MAX_CATEGORIES_PRESENTATION`` categories (the
    values of ``colonne``, else the rows themselves) and a note saying so; elsewhere, all."""
    if taille != "presentation":
        return df, None
    if colonne is None:
        n = len(df)
        if n <= MAX_CATEGORIES_PRESENTATION:
            return df, None
        garde = df.iloc[:MAX_CATEGORIES_PRESENTATION]
    else:
        categories = list(dict.fromkeys(df[colonne]))
        n = len(categories)
        if n <= MAX_CATEGORIES_PRESENTATION:
            return df, None
        garde = df[df[colonne].isin(categories[:MAX_CATEGORIES_PRESENTATION])]
    return garde, f"Les {MAX_CATEGORIES_PRESENTATION} premiers sur {n} (tous sur la page)."


def noter_sous_l_axe(fig: go.Figure, titre_axe: str, note: str | None,
                     d: theme.Dimensions) -> str:
    """The x axis title, followed by ``note`` on a line of its own in smaller type."""
    if not note:
        return titre_axe
    return (f"{titre_axe}<br><span style='font-size:{d.annotation - 4}px'>"
            f"{echapper(note)}</span>")


def plage_avec_etiquettes(nombres: Sequence, marge: float = 0.18) -> list[float] | None:
    """An x range leaving room on each side of the bars for the value labels written outside
    their ends (« −160,5 »), so that they stay in the plot, never over the category names:
    ``marge`` of the span on each side where bars go. None without any value."""
    definis = [v for v in nombres if v is not None]
    if not definis:
        return None
    bas, haut = min(0.0, min(definis)), max(0.0, max(definis))
    etendue = (haut - bas) or 1.0
    return [bas - marge * etendue if bas < 0 else bas,
            haut + marge * etendue if haut > 0 else haut + (marge * etendue if bas == 0 else 0)]


def repere_vertical(fig: go.Figure, x, texte: str, d: theme.Dimensions,
                    cote: str = "droite", couleur: str = theme.NEUTRE,
                    pointille: str = "dash", dedans: bool = False, rang: int = 0) -> None:
    """A vertical reference line across the plot at ``x``, labelled at its top: above the plot
    (room made by ``nouvelle_figure(annotations_haut=True)``), or just inside it with
    ``dedans`` (when a legend holds the space above); ``cote``: the label's side of the line;
    ``rang``: the label's line of text counted from the top, so that the labels of two close
    lines never overlap. The line is drawn under the marks: it shows between the bars, and
    never strikes through a value label written at a bar's end (« 7|0 % »)."""
    fig.add_shape(type="line", xref="x", yref="paper", x0=x, x1=x, y0=0, y1=1,
                  line=dict(color=couleur, width=d.trait_repere, dash=pointille), layer="below")
    fig.add_annotation(x=x, xref="x", y=1, yref="paper",
                       yanchor="top" if dedans else "bottom",
                       xanchor="left" if cote == "droite" else "right",
                       xshift=4 if cote == "droite" else -4,
                       yshift=-int(rang * d.annotation * 1.6) if dedans else
                       int(rang * d.annotation * 1.6),
                       text=texte, showarrow=False,
                       bgcolor="rgba(255,255,255,0.85)" if dedans else None,
                       font=dict(size=d.annotation, color=couleur))


def graduations_pourcent(maximum: float = 1.0, pas: float = 0.1) -> tuple[list[float], list[str]]:
    """Tick values (fractions) and French labels ("50 %") from 0 to ``maximum``."""
    n = int(round(maximum / pas))
    vals = [round(i * pas, 10) for i in range(n + 1)]
    return vals, [pourcentage(v, 0) for v in vals]


def marquer_indefinis(fig: go.Figure, categories: Sequence[str], nombres: Sequence,
                      d: theme.Dimensions, texte: str = f"{VIDE} non défini") -> None:
    """Write ``texte`` at the zero of a horizontal bar chart's row whose value is undefined, so
    that the row does not look empty (or like a 0)."""
    for categorie, v in zip(categories, nombres):
        if v is None:
            fig.add_annotation(x=0, xref="x", y=categorie, yref="y", xanchor="left", xshift=4,
                               text=texte, showarrow=False,
                               font=dict(size=d.annotation, color=theme.NEUTRE))
