"""Distribution of a rate across bailleurs (e.g. the share of its conventions each has signed)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from dashboard.charts import theme
from dashboard.charts._commun import (
    MODELE_SURVOL,
    est_vide,
    graduations_pourcent,
    nouvelle_figure,
    repere_vertical,
    valeurs,
    verifier_colonnes,
)
from dashboard.charts.vide import MESSAGE_VIDE, figure_vide
from dashboard.formatting import nombre, pourcentage


def classe(v: float, pas: float) -> int:
    """Index of the class of ``v``: classes are closed on the right, [0, pas], ]pas, 2·pas], …
    so that a value exactly on a reference mark (50 %) falls on its left, as "above 50 %" is
    strict (DOMAIN §4.6)."""
    return max(0, math.ceil(round(v / pas, 9)) - 1)


def _compte(n: int, unite: tuple[str, str]) -> str:
    """``"1 bailleur"``, ``"12 bailleurs"`` (0 and 1 are singular in French)."""
    return f"{nombre(n, 0)} {unite[0] if n <= 1 else unite[1]}"


def _intitule(k: int, pas: float) -> str:
    bas, haut = k * pas, (k + 1) * pas
    if k == 0:
        return f"De {pourcentage(bas, 0)} à {pourcentage(haut, 0)}"
    return f"De plus de {pourcentage(bas, 0)} à {pourcentage(haut, 0)}"


def histogramme_taux(
    df: pd.DataFrame,
    valeur: str = "taux_signature",
    reperes: Sequence[float] = (0.5, 0.75),
    pas: float = 0.05,
    unite: tuple[str, str] = ("bailleur", "bailleurs"),
    libelle_valeur: str = "Part des conventions signées",
    taille: str = "normale",
    titre: str | None = None,
) -> go.Figure:
    """How many rows (bailleurs) have a rate in each class of ``pas`` (5 points by default),
    with dashed reference marks at ``reperes`` (50 % and 75 %). ``unite``: what a row is,
    singular and plural, for the hover and the notes.

    Columns: ``valeur`` (a fraction, 0 to 1), one row per bailleur (e.g.
    ``metrics.suivi_signatures.repartition_bailleurs``). The rows are counted per class, which is
    all a histogram draws; classes are closed on the right (see ``classe``) — plotly's own
    histogram closes them on the left, which would put a bailleur at exactly 50 % right of the
    50 % mark. Rows whose rate is undefined are not drawn; a note gives their number.
    """
    d = theme.dimensions(taille)
    if est_vide(df):
        return figure_vide(MESSAGE_VIDE, taille, titre)
    verifier_colonnes(df, (valeur,), "histogramme_taux")
    if not pas > 0:
        raise ValueError(f"histogramme_taux : pas invalide : {pas!r}")
    definis = [v for v in valeurs(df[valeur]) if v is not None]
    indefinis = len(df) - len(definis)
    if any(v < 0 for v in definis):
        raise ValueError(f"histogramme_taux : taux négatif dans {valeur!r}")
    n_classes = max(classe(max(definis + [1.0]), pas) + 1, math.ceil(round(1 / pas, 9)))
    comptes = [0] * n_classes
    for v in definis:
        comptes[classe(v, pas)] += 1

    fig = nouvelle_figure(taille, titre, annotations_haut=bool(reperes))
    fig.add_trace(go.Bar(
        x=[(k + 0.5) * pas for k in range(n_classes)], y=comptes, width=pas * 0.92,
        marker=dict(color=theme.BLEU_FRANCE), name=libelle_valeur, showlegend=False,
        hovertext=[f"{_intitule(k, pas)}\u00a0: {_compte(c, unite)}"
                   for k, c in enumerate(comptes)],
        hovertemplate=MODELE_SURVOL,
    ))
    vals, txt = graduations_pourcent(n_classes * pas, 0.1 if n_classes * pas <= 1.5 else 0.25)
    fig.update_xaxes(range=[0, n_classes * pas], tickmode="array", tickvals=vals, ticktext=txt,
                     title=dict(text=libelle_valeur), showgrid=False)
    fig.update_yaxes(title=dict(text=unite[1].capitalize()), rangemode="tozero", tickformat="d")
    for r in reperes:
        repere_vertical(fig, float(r), pourcentage(r, 0), d)
    if indefinis:
        fig.add_annotation(
            text=(f"{_compte(indefinis, unite)} sans taux défini, "
                  f"{'non représenté' if indefinis == 1 else 'non représentés'}"),
            xref="paper", yref="paper", x=1, y=1, xanchor="right", yanchor="top",
            showarrow=False, font=dict(size=d.annotation, color=theme.NEUTRE))
    fig.update_layout(bargap=0, height=max(d.hauteur_min, 400))
    return fig
