"""Line charts: the bilan quarter after quarter, and signatures year against year."""

from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go

from dashboard.charts import theme
from dashboard.charts._commun import (
    MODELE_SURVOL,
    echapper,
    est_vide,
    etiquettes,
    ligne,
    nouvelle_figure,
    repere_vertical,
    valeurs,
    verifier_colonnes,
)
from dashboard.charts.vide import MESSAGE_VIDE, figure_vide
from dashboard.formatting import date_fr, est_indefini, nombre

# (column, name, colour, dash, marker symbol, decimals): colour is never the only cue.
SERIES_CUMULEES = (
    ("droits_prevus", "Droits prévus", theme.DROITS, "dash", "circle", 1),
    ("mises_a_disposition", "Mises à disposition", theme.MAD, "solid", "square", 0),
    ("baux_signes", "Baux signés", theme.BAUX, "solid", "diamond", 0),
)

# Signatures: the common axis is the calendar of the first year of the gestion en flux.
ANNEE_REFERENCE = 2024
ECHEANCE_LEGALE = date(2023, 11, 24)
DEBUT_GESTION_EN_FLUX = date(2024, 1, 1)
TIRETS_ANNEES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")


def courbes_cumulees(
    df: pd.DataFrame,
    taille: str = "normale",
    titre: str | None = None,
) -> go.Figure:
    """Droits prévus, mises à disposition and baux signés, cumulated quarter after quarter: three
    lines with markers (droits dashed), one point per row, x = ``libelle`` in the given order.

    Columns: ``libelle``, ``droits_prevus``, ``mises_a_disposition``, ``baux_signes`` (one row
    per quarter). An undefined value leaves a gap in its line.
    """
    d = theme.dimensions(taille)
    if est_vide(df):
        return figure_vide(MESSAGE_VIDE, taille, titre)
    verifier_colonnes(df, ["libelle"] + [s[0] for s in SERIES_CUMULEES], "courbes_cumulees")
    x = etiquettes(df)
    fig = nouvelle_figure(taille, titre, legende=True)
    for colonne, nom, couleur, tirets, symbole, decimales in SERIES_CUMULEES:
        fig.add_trace(go.Scatter(
            name=nom, x=x, y=valeurs(df[colonne]), mode="lines+markers",
            line=dict(color=couleur, width=d.trait, dash=tirets),
            marker=dict(color=couleur, size=d.marqueur, symbol=symbole),
            connectgaps=False,
            hovertext=[ligne(nom, nombre(v, decimales)) for v in df[colonne]],
            hovertemplate=MODELE_SURVOL,
        ))
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=x, showgrid=False,
                     title=dict(text=""))
    fig.update_yaxes(title=dict(text="Logements (cumul depuis le 1er janvier)"),
                     rangemode="tozero")
    fig.update_layout(hovermode="x unified", height=max(d.hauteur_min, 420))
    return fig


def _vers_reference(jour, annee: int) -> pd.Timestamp | None:
    """``jour`` moved by whole years from the calendar of ``annee`` to that of
    ``ANNEE_REFERENCE`` (24/11/2024 of the year 2025 → 24/11/2023; 29/02 → 28/02)."""
    if est_indefini(jour):
        return None
    return pd.Timestamp(jour) + pd.DateOffset(years=ANNEE_REFERENCE - int(annee))


def courbes_signatures(
    df: pd.DataFrame,
    taille: str = "normale",
    titre: str | None = None,
) -> go.Figure:
    """Cumulative signed conventions, year against year: one stepped line per ``annee`` (the
    year of exercise of the conventions) on a common day-and-month axis, with vertical reference
    lines at 24/11 (échéance légale, 24/11/2023) and 01/01 (début de la gestion en flux,
    01/01/2024).

    Columns: ``annee``, ``date_signature``, ``signees_cumulees`` (one row per signing day, as
    ``metrics.suivi_signatures.signatures_cumulees``). The common axis is the calendar of
    ``ANNEE_REFERENCE`` (2024): a date is moved by ``2024 − annee`` whole years, so every year
    sits at the same distance from its 1 January (a 2025 convention signed on 12/11/2024 is drawn
    at 12/11 next to 12/11/2023 for 2024); the hover gives the real date. The most recent year is
    in bleu France, solid; earlier years take the palette and dashes. Rows without a date are
    left out (they cannot be placed).
    """
    d = theme.dimensions(taille)
    if est_vide(df):
        return figure_vide(MESSAGE_VIDE, taille, titre)
    verifier_colonnes(df, ("annee", "date_signature", "signees_cumulees"), "courbes_signatures")
    lignes = df[df["date_signature"].notna() & df["annee"].notna()]
    if lignes.empty:
        return figure_vide(MESSAGE_VIDE, taille, titre)
    annees = sorted({int(a) for a in lignes["annee"]}, reverse=True)
    couleurs = [theme.BLEU_FRANCE] + [c for c in theme.PALETTE if c != theme.PALETTE[0]]
    fig = nouvelle_figure(taille, titre, legende=True)
    for rang, annee in enumerate(annees):
        une = lignes[lignes["annee"].astype(int) == annee].sort_values("date_signature",
                                                                      kind="stable")
        couleur = couleurs[rang % len(couleurs)]
        survols = [
            "<br>".join([f"<b>Conventions {annee}</b>",
                         ligne("Signées au " + date_fr(j), nombre(n, 0))])
            for j, n in zip(une["date_signature"], une["signees_cumulees"])
        ]
        fig.add_trace(go.Scatter(
            name=f"Conventions {annee}",
            x=[_vers_reference(j, annee) for j in une["date_signature"]],
            y=valeurs(une["signees_cumulees"]),
            mode="lines+markers", line=dict(color=couleur, width=d.trait, shape="hv",
                                            dash=TIRETS_ANNEES[rang % len(TIRETS_ANNEES)]),
            marker=dict(color=couleur, size=max(3, d.marqueur - 3)),
            hovertext=survols, hovertemplate=MODELE_SURVOL,
        ))
    repere_vertical(fig, pd.Timestamp(ECHEANCE_LEGALE),
                    echapper(f"Échéance légale : {date_fr(ECHEANCE_LEGALE)}"), d,
                    cote="gauche", couleur=theme.ROUGE_MARIANNE, dedans=True)
    repere_vertical(fig, pd.Timestamp(DEBUT_GESTION_EN_FLUX),
                    echapper(f"Début de la gestion en flux : {date_fr(DEBUT_GESTION_EN_FLUX)}"),
                    d, cote="droite", couleur=theme.NEUTRE, dedans=True)
    fig.update_xaxes(type="date", tickformat=theme.FORMAT_JOUR_MOIS,
                     hoverformat=theme.FORMAT_JOUR_MOIS,
                     title=dict(text="Jour et mois (même écart au 1er janvier de l'année "
                                     "d'exercice pour chaque année)"))
    fig.update_yaxes(title=dict(text="Conventions signées (cumul)"), rangemode="tozero")
    fig.update_layout(hovermode="closest", height=max(d.hauteur_min, 440))
    return fig
