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
                   supplement: int = 140) -> int:
    """Figure height for ``n`` categories of a horizontal bar chart."""
    return max(d.hauteur_min, int(n * d.ligne_barre * par_categorie) + supplement
               + (d.police - 14) * 6)


def repere_vertical(fig: go.Figure, x, texte: str, d: theme.Dimensions,
                    cote: str = "droite", couleur: str = theme.NEUTRE,
                    pointille: str = "dash", dedans: bool = False, rang: int = 0) -> None:
    """A vertical reference line across the plot at ``x``, labelled at its top: above the plot
    (room made by ``nouvelle_figure(annotations_haut=True)``), or just inside it with
    ``dedans`` (when a legend holds the space above); ``cote``: the label's side of the line;
    ``rang``: the label's line of text counted from the top, so that the labels of two close
    lines never overlap."""
    fig.add_shape(type="line", xref="x", yref="paper", x0=x, x1=x, y0=0, y1=1,
                  line=dict(color=couleur, width=d.trait_repere, dash=pointille), layer="above")
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
