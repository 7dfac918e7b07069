"""From a bailleur's parc to its flux annuel (méthode de l'assiette, DOMAIN §4.1): a waterfall."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.charts import theme
from dashboard.charts._commun import (
    MODELE_SURVOL,
    est_vide,
    ligne,
    nouvelle_figure,
    valeur,
)
from dashboard.charts.vide import MESSAGE_VIDE, figure_vide
from dashboard.formatting import VIDE, est_indefini, nombre, pourcentage

COLONNES_CASCADE = ("parc_total", "logements_exclus", "parc_eligible", "base",
                    "mutations_prevues", "relogements_prevus", "flux_annuel")

# (column, bar label, measure, sign): "absolute" bars are totals read from the row; "relative"
# bars are the subtractions, drawn downwards.
ETAPES = (
    ("parc_total", "Parc", "absolute", 1),
    ("logements_exclus", "Logements<br>exclus", "relative", -1),
    ("parc_eligible", "Parc<br>éligible", "absolute", 1),
    ("base", "Base", "absolute", 1),
    ("mutations_prevues", "Mutations<br>prévues", "relative", -1),
    ("relogements_prevus", "Relogements<br>prévus", "relative", -1),
    ("flux_annuel", "Flux<br>annuel", "absolute", 1),
)
DEFINITIONS = {
    "parc_total": "Parc de logements",
    "logements_exclus": "Logements exclus de l'assiette",
    "parc_eligible": "Parc éligible = parc − logements exclus",
    "base": "Base = parc éligible × taux de rotation (ou libérations)",
    "mutations_prevues": "Mutations internes prévues",
    "relogements_prevus": "Relogements prévus",
    "flux_annuel": "Flux annuel = base − mutations − relogements, jamais négatif",
}


def _ligne_unique(ligne_donnees) -> pd.Series | None:
    if ligne_donnees is None:
        return None
    if isinstance(ligne_donnees, pd.DataFrame):
        if len(ligne_donnees) == 0:
            return None
        if len(ligne_donnees) > 1:
            raise ValueError("cascade_assiette : une seule ligne attendue "
                             f"({len(ligne_donnees)} reçues)")
        return ligne_donnees.iloc[0]
    if isinstance(ligne_donnees, dict):
        return pd.Series(ligne_donnees, dtype=object)
    return ligne_donnees


def cascade_assiette(
    ligne_assiette,
    taille: str = "normale",
    titre: str | None = None,
) -> go.Figure:
    """The méthode de l'assiette of one bailleur × perimeter as a waterfall: parc → − logements
    exclus → parc éligible → × taux de rotation = base → − mutations → − relogements → flux annuel.

    ``ligne_assiette``: one row (Series, dict or one-row DataFrame) with ``parc_total``,
    ``logements_exclus``, ``parc_eligible``, ``base``, ``mutations_prevues``,
    ``relogements_prevus``, ``flux_annuel`` (and optionally ``taux_rotation``, a fraction, shown
    in the base's label). The totals (parc, parc éligible, base, flux annuel) are drawn at the
    values given, not recomputed: the base is a new total (a product, not a subtraction from the
    parc). When mutations and relogements exceed the base, the steps go below zero and the flux
    annuel stands at its value, 0 — the clipping is then spelt out above the chart. An undefined
    value draws no bar and reads "—"; the subtractions that follow an undefined total cannot be
    placed and are not drawn either (a note names the undefined values).
    """
    d = theme.dimensions(taille)
    r = _ligne_unique(ligne_assiette)
    if r is None or est_vide(r):
        return figure_vide(MESSAGE_VIDE, taille, titre)
    manquantes = [c for c in COLONNES_CASCADE if c not in r.index]
    if manquantes:
        raise ValueError(f"cascade_assiette : colonne(s) manquante(s) : {', '.join(manquantes)}")

    rotation = r["taux_rotation"] if "taux_rotation" in r.index else None
    x, y, mesures, textes_barres, survols, indefinis = [], [], [], [], [], []
    total_connu = True  # a subtraction is drawn from the last total: it must be known
    for colonne, etiquette, mesure, signe in ETAPES:
        v = r[colonne]
        if est_indefini(v):
            indefinis.append(etiquette.replace("<br>", " ").lower())
        if colonne == "base" and not est_indefini(rotation):
            etiquette = f"Base<br>(× {pourcentage(rotation, 1)})"
        x.append(etiquette)
        mesures.append(mesure)
        if mesure == "absolute":
            total_connu = not est_indefini(v)
        if est_indefini(v) or not total_connu:
            y.append(None)
            textes_barres.append(VIDE if est_indefini(v) else "")
        else:
            y.append(signe * valeur(v))
            soustraction = signe < 0 and valeur(v) != 0
            textes_barres.append(f"−{nombre(v, 0)}" if soustraction else nombre(v, 0))
        decimales = 1 if colonne in ("base", "flux_annuel") else 0
        survols.append("<br>".join([f"<b>{etiquette.replace('<br>', ' ')}</b>",
                                    ligne(DEFINITIONS[colonne], nombre(v, decimales))]))

    base, mut, rel = (r[c] for c in ("base", "mutations_prevues", "relogements_prevus"))
    ramene_a_zero = (not any(est_indefini(v) for v in (base, mut, rel))
                     and valeur(mut) + valeur(rel) > valeur(base))
    fig = nouvelle_figure(taille, titre, annotations_haut=ramene_a_zero or bool(indefinis))
    fig.add_trace(go.Waterfall(
        orientation="v", x=x, y=y, measure=mesures, text=textes_barres,
        textposition="outside", textfont=dict(size=d.police), cliponaxis=False,
        hovertext=survols, hovertemplate=MODELE_SURVOL, showlegend=False,
        name="Assiette",
        totals=dict(marker=dict(color=theme.BLEU_FRANCE)),
        decreasing=dict(marker=dict(color=theme.NEUTRE)),
        increasing=dict(marker=dict(color=theme.MAD)),
        connector=dict(line=dict(color=theme.NEUTRE, width=d.trait_repere, dash="dot")),
    ))
    fig.update_xaxes(type="category", showgrid=False, tickfont=dict(size=d.police))
    fig.update_yaxes(title=dict(text="Logements"))
    if ramene_a_zero:
        fig.add_annotation(
            text=(f"Mutations ({nombre(mut, 0)}) et relogements ({nombre(rel, 0)}) prévus "
                  f"au-delà de la base ({nombre(base, 1)}) : flux annuel ramené à 0"),
            xref="paper", yref="paper", x=0, y=1, yanchor="bottom", xanchor="left",
            showarrow=False, font=dict(size=d.annotation, color=theme.ROUGE_MARIANNE))
    elif indefinis:
        fig.add_annotation(
            text=f"Non défini : {', '.join(indefinis)}", xref="paper", yref="paper", x=0, y=1,
            yanchor="bottom", xanchor="left", showarrow=False,
            font=dict(size=d.annotation, color=theme.NEUTRE))
    fig.update_layout(height=max(d.hauteur_min, 440))
    return fig
