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

# Signatures: the common axis counts days from 1 January of each year of exercise.
ECHEANCE_LEGALE = date(2023, 11, 24)
DEBUT_GESTION_EN_FLUX = date(2024, 1, 1)
TIRETS_ANNEES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
MOIS_COURTS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
               "nov.", "déc.")


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


def jour_relatif(jour, annee: int) -> int | None:
    """Days from 1 January of ``annee`` to ``jour`` (negative before: the legal deadline
    24/11/2023 is day −38 of 2024), as ``metrics.suivi_signatures.signatures_cumulees``."""
    if est_indefini(jour):
        return None
    return (pd.Timestamp(jour).normalize() - pd.Timestamp(int(annee), 1, 1)).days


def libelle_jour(jour_: int) -> str:
    """« J-38 », « J0 » (1 January), « J+45 »."""
    return "J0" if jour_ == 0 else f"J{jour_:+d}".replace("-", "\u2212")


def premier_du_mois(mois: int) -> str:
    """« 1er oct. », « 1er janv. »."""
    return f"1er {MOIS_COURTS[mois - 1]}"


def graduations_jours(debut: int, fin: int, annee: int) -> tuple[list[int], list[str]]:
    """Ticks at the first of the months between day ``debut`` and day ``fin`` of the calendar
    of ``annee`` (day 0 = 1 January of ``annee``), labelled « 1er oct. », « 1er janv. »…: one a
    month over 9 months at most, else one every 2 or 3 months (1 January always kept). Over
    more than a year, a month outside ``annee`` (year N) says which year: « 1er oct. N−1 »."""
    origine = pd.Timestamp(int(annee), 1, 1)
    premier = (origine + pd.Timedelta(days=debut)).replace(day=1)
    dernier = origine + pd.Timedelta(days=fin)
    mois = []
    courant = premier
    while courant <= dernier:
        mois.append(courant)
        courant += pd.DateOffset(months=1)
    pas = 1 if len(mois) <= 9 else 2 if len(mois) <= 18 else 3
    # steps counted from 1 January, so that it is one of the ticks
    retenus = [m for m in mois if (m.month - 1) % pas == 0]
    textes = [premier_du_mois(m.month) for m in retenus]
    if len(set(textes)) < len(textes):   # over a year: the months outside year N say which
        textes = [t if m.year == annee else f"{t} N{m.year - annee:+d}".replace("-", "\u2212")
                  for t, m in zip(textes, retenus)]
    return [(m - origine).days for m in retenus], textes


def courbes_signatures(
    df: pd.DataFrame,
    taille: str = "normale",
    titre: str | None = None,
) -> go.Figure:
    """Cumulative signed conventions, year against year: one stepped line per ``annee`` (the
    year of exercise of the conventions) on a common axis, x = days from 1 January of that
    year (negative before), ticks at the first of the months (« 1er oct. », « 1er janv. »…),
    with vertical reference lines at the legal deadline (24/11/2023, day −38 of 2024) and at
    1 January (start of the gestion en flux, 01/01/2024).

    Columns: ``annee``, ``date_signature``, ``signees_cumulees`` (one row per signing day, as
    ``metrics.suivi_signatures.signatures_cumulees``; its ``jour_relatif`` is recomputed from
    the date). A convention of 2025 signed on 12/11/2024 is drawn at day −50, next to a 2024
    convention signed on 12/11/2023; the hover gives the real date and the day (« J−50 »). The
    most recent year is in bleu France, solid; earlier years take the palette and dashes. Rows
    without a date are left out (they cannot be placed).
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
    tous = []
    for rang, annee in enumerate(annees):
        une = lignes[lignes["annee"].astype(int) == annee].sort_values("date_signature",
                                                                      kind="stable")
        couleur = couleurs[rang % len(couleurs)]
        jours = [jour_relatif(j, annee) for j in une["date_signature"]]
        tous += jours
        survols = [
            "<br>".join([f"<b>Conventions {annee}</b>",
                         ligne("Signées au " + date_fr(j), nombre(n, 0)),
                         f"{libelle_jour(x)} (jours depuis le 01/01/{annee})"])
            for j, n, x in zip(une["date_signature"], une["signees_cumulees"], jours)
        ]
        fig.add_trace(go.Scatter(
            name=f"Conventions {annee}", x=jours, y=valeurs(une["signees_cumulees"]),
            mode="lines+markers", line=dict(color=couleur, width=d.trait, shape="hv",
                                            dash=TIRETS_ANNEES[rang % len(TIRETS_ANNEES)]),
            marker=dict(color=couleur, size=max(3, d.marqueur - 3)),
            hovertext=survols, hovertemplate=MODELE_SURVOL,
        ))
    echeance = jour_relatif(ECHEANCE_LEGALE, DEBUT_GESTION_EN_FLUX.year)
    debut, fin = min(tous + [echeance]), max(tous + [0])
    marge = max(5, (fin - debut) // 40)

    def cote(x: int) -> str:
        """Labels run into the plot: to the left of a line in its right half."""
        return "gauche" if x - debut > (fin - debut) / 2 else "droite"

    # two lines 38 days apart: their labels on two lines of text
    repere_vertical(fig, echeance,
                    echapper(f"Échéance légale : {date_fr(ECHEANCE_LEGALE)}"), d,
                    cote=cote(echeance), couleur=theme.ROUGE_MARIANNE, dedans=True)
    repere_vertical(fig, 0,
                    echapper(f"Début de la gestion en flux : {date_fr(DEBUT_GESTION_EN_FLUX)}"),
                    d, cote=cote(0), couleur=theme.NEUTRE, dedans=True, rang=1)
    vals, txt = graduations_jours(debut - marge, fin + marge, annees[0])
    fig.update_xaxes(type="linear", range=[debut - marge, fin + marge], tickmode="array",
                     tickvals=vals, ticktext=txt, zeroline=False,
                     title=dict(text="Jours avant et après le 1er janvier de l'année d'exercice"))
    fig.update_yaxes(title=dict(text="Conventions signées (cumul)"), rangemode="tozero")
    fig.update_layout(hovermode="closest", height=max(d.hauteur_min, 440))
    return fig
