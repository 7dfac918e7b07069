"""What became of the mises à disposition: MAD → bail signé / refus / sans candidat / en cours."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard import vocabulaire
from dashboard.charts import theme
from dashboard.charts._commun import (
    MODELE_SURVOL,
    est_vide,
    etiquettes,
    hauteur_barres,
    ligne,
    nouvelle_figure,
    survol,
    textes,
    valeurs,
    verifier_colonnes,
)
from dashboard.charts.vide import MESSAGE_VIDE, figure_vide
from dashboard.formatting import est_indefini, nombre, pourcentage

ETAPE_MAD = "MISES_A_DISPOSITION"


def couleur_etape(etape: str) -> str:
    """MAD in the MAD colour, bail signé in the baux colour, the MAD that fell through (refusals,
    no candidate) in rouge Marianne, those still in progress (and any other step) in grey."""
    if etape == ETAPE_MAD:
        return theme.MAD
    if etape == "BAIL_SIGNE":
        return theme.BAUX
    if etape in vocabulaire.ISSUES_CHUTE:
        return theme.ECART_NEGATIF
    return theme.NEUTRE


def entonnoir(
    df: pd.DataFrame,
    taille: str = "normale",
    titre: str | None = None,
) -> go.Figure:
    """The MAD and what became of them, one horizontal bar per row in the given order (first at
    the top), each outcome labelled "12 (45,0 %)": count and share of the MAD.

    Columns: ``etape`` (code: ``MISES_A_DISPOSITION``, ``BAIL_SIGNE``, ``REFUS_DEMANDEUR``,
    ``REFUS_CALEOL``, ``SANS_CANDIDAT``, ``EN_COURS``), ``libelle``, ``nombre``, ``part`` (a
    fraction of the MAD; "—" when undefined).

    Drawn as left-aligned bars rather than a centred funnel: the outcomes are parallel parts of
    the MAD, not successive stages, and a funnel's narrowing would suggest that a refusal follows
    a signed lease. Colours follow the meaning (``couleur_etape``) and every bar is named on its
    axis, so colour is never the only cue. In the "baux" view the steps are not a partition of
    the first (baux counted by date_bail): the shares are then each step ÷ the first, as given.
    """
    d = theme.dimensions(taille)
    if est_vide(df):
        return figure_vide(MESSAGE_VIDE, taille, titre)
    verifier_colonnes(df, ("etape", "libelle", "nombre", "part"), "entonnoir")
    noms = etiquettes(df, cle="etape")
    etapes = textes(df["etape"])
    etiquettes_barres, survols = [], []
    for i in range(len(df)):
        n, p = df["nombre"].iloc[i], df["part"].iloc[i]
        etiquettes_barres.append(
            nombre(n, 0) if est_indefini(p) or etapes[i] == ETAPE_MAD
            else f"{nombre(n, 0)} ({pourcentage(p, 1)})")
        lignes = [ligne("Nombre", nombre(n, 0))]
        if etapes[i] != ETAPE_MAD:
            lignes.append(ligne("Part des mises à disposition", pourcentage(p, 1)))
        survols.append(survol(noms[i], lignes))

    fig = nouvelle_figure(taille, titre)
    fig.add_trace(go.Bar(
        orientation="h", y=noms, x=valeurs(df["nombre"]), customdata=etapes,
        marker=dict(color=[couleur_etape(e) for e in etapes]),
        text=etiquettes_barres, textposition="outside", textfont=dict(size=d.police),
        cliponaxis=False, hovertext=survols, hovertemplate=MODELE_SURVOL, showlegend=False,
        name="Mises à disposition",
    ))
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=noms,
                     autorange="reversed", showgrid=False, zeroline=False, ticks="")
    maximum = max([1.0] + [v for v in valeurs(df["nombre"]) if v is not None])
    fig.update_xaxes(title=dict(text="Mises à disposition"), range=[0, maximum * 1.25])
    fig.update_layout(height=hauteur_barres(len(df), d, par_categorie=1.1))
    return fig
