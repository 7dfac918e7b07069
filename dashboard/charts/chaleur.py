"""Heat map of realisation rates, rows × columns (e.g. bailleur × type de réservataire)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.charts import theme
from dashboard.charts._commun import (
    MODELE_SURVOL,
    couper_libelle,
    echapper,
    est_vide,
    libelles_categories,
    ligne,
    nouvelle_figure,
    textes,
    verifier_colonnes,
)
from dashboard.charts._commun import (
    valeur as nombre_trace,
)
from dashboard.charts.vide import MESSAGE_VIDE, figure_vide
from dashboard.formatting import EN_TETES, VIDE, pourcentage

# The colour scale covers 0 % → 200 %, centred on 100 % (white); beyond 200 % stays bleu France.
TAUX_MAX_ECHELLE = 2.0
# Column labels (types de réservataire…) across the top, horizontal: lines of this many
# characters, at most 3 lines.
LARGEUR_COLONNE = 13
# A slide shows this many rows at most, its figures in smaller type than its titles (10 rows and
# their 7 columns in the ~300 px a chart has at 1280×720).
LIGNES_PRESENTATION = 8
POLICE_CELLULES_PRESENTATION = 16


def _ordre(serie: pd.Series) -> list[str]:
    """Distinct labels in order of first appearance."""
    return list(dict.fromkeys(textes(serie)))


def carte_chaleur(
    df_long: pd.DataFrame,
    lignes: str = "libelle_ligne",
    colonnes: str = "libelle_colonne",
    valeur: str = "taux_realisation",
    taille: str = "normale",
    titre: str | None = None,
    libelle_valeur: str | None = None,
) -> go.Figure:
    """A heat map of a rate (a fraction; 1 = 100 %) from a long DataFrame, one row per cell:
    rows and columns in order of first appearance (first row at the top); diverging colours
    centred on 100 % (rouge Marianne below, white at 100 %, bleu France above, scale 0–200 %);
    each cell reads "87 %". An undefined rate — or a row × column pair absent from the data —
    is left uncoloured on a grey background and reads "—", never 0.

    Columns: ``lignes``, ``colonnes`` and the rate (``valeur``, default ``taux_realisation``);
    at most one row per cell (ValueError otherwise: the chart does not aggregate).
    """
    colonne_valeur = valeur
    d = theme.dimensions(taille)
    if est_vide(df_long):
        return figure_vide(MESSAGE_VIDE, taille, titre)
    verifier_colonnes(df_long, (lignes, colonnes, colonne_valeur), "carte_chaleur")
    noms_lignes = textes(df_long[lignes])
    noms_colonnes = textes(df_long[colonnes])
    couples = list(zip(noms_lignes, noms_colonnes))
    if len(set(couples)) != len(couples):
        doublons = sorted({c for c in couples if couples.count(c) > 1})[:3]
        raise ValueError("carte_chaleur : plusieurs lignes pour une même cellule : "
                         + ", ".join(f"{a} × {b}" for a, b in doublons))
    y = _ordre(df_long[lignes])
    x = _ordre(df_long[colonnes])
    note = None
    presentation = taille == "presentation"
    if presentation and len(y) > LIGNES_PRESENTATION:
        # a slide: the first rows (the page shows them all)
        note = f"Les {LIGNES_PRESENTATION} premières lignes sur {len(y)} (toutes sur la page)."
        y = y[:LIGNES_PRESENTATION]
    cellule = dict(zip(couples, (nombre_trace(v) for v in df_long[colonne_valeur])))
    libelle_valeur = libelle_valeur or EN_TETES.get(colonne_valeur, colonne_valeur)

    z, texte, survols = [], [], []
    for ly in y:
        rz, rt, rs = [], [], []
        for cx in x:
            v = cellule.get((ly, cx))
            rz.append(v)
            rt.append(pourcentage(v, 0))
            rs.append("<br>".join([f"<b>{echapper(ly)}</b>", echapper(cx),
                                   ligne(libelle_valeur, pourcentage(v, 1))]))
        z.append(rz)
        texte.append(rt)
        survols.append(rs)

    graduations = [0, 0.5, 1.0, 1.5, 2.0]
    fig = nouvelle_figure(taille, titre)
    fig.add_trace(go.Heatmap(
        x=x, y=y, z=z, text=texte, texttemplate="%{text}",
        textfont=dict(size=POLICE_CELLULES_PRESENTATION if presentation else d.police),
        hovertext=survols, hovertemplate=MODELE_SURVOL,
        colorscale=[list(p) for p in theme.ECHELLE_DIVERGENTE],
        zmin=0, zmax=TAUX_MAX_ECHELLE, zmid=1.0, hoverongaps=True, xgap=2, ygap=2,
        colorbar=dict(
            title=dict(text=libelle_valeur, side="right", font=dict(size=d.annotation)),
            tickmode="array", tickvals=graduations,
            ticktext=[pourcentage(g, 0) for g in graduations[:-1]]
            + [f"≥\u00a0{pourcentage(graduations[-1], 0)}"],
            tickfont=dict(size=d.annotation), thickness=max(12, d.police),
        ),
        name=libelle_valeur,
    ))
    # every row with its tick, long names on two lines or cut (whole in the hover)
    textes_y, lignes_texte = libelles_categories(y, taille)
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=y,
                     autorange="reversed", showgrid=False, zeroline=False, ticks="",
                     showline=False, tickmode="array", tickvals=y, ticktext=textes_y,
                     tickfont=dict(size=POLICE_CELLULES_PRESENTATION + 2 if presentation
                                   else d.police))
    # the columns' names across the top, horizontal, on up to 3 lines
    lignes_x = [couper_libelle(c, LARGEUR_COLONNE, 3) for c in x]
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=x, side="top",
                     showgrid=False, zeroline=False, ticks="", showline=False, tickangle=0,
                     tickmode="array", tickvals=x,
                     ticktext=["<br>".join(echapper(t) for t in c) for c in lignes_x],
                     tickfont=dict(size=POLICE_CELLULES_PRESENTATION if presentation
                                   else d.police))
    par_ligne = max(d.ligne_barre + 6, lignes_texte * d.police * 1.45 + 8)
    fig.update_layout(plot_bgcolor=theme.INDEFINI,
                      height=max(d.hauteur_min, int(len(y) * par_ligne) + 200))
    notes = [n for n in (f"{VIDE} : taux non défini (aucun droit prévu) ou sans donnée"
                         if any(v is None for r in z for v in r) else None, note) if n]
    if notes:
        fig.add_annotation(text="<br>".join(echapper(n) for n in notes),
                           xref="paper", yref="paper", x=0, y=0, yanchor="top", yshift=-8,
                           xanchor="left", align="left", showarrow=False,
                           font=dict(size=d.annotation, color=theme.NEUTRE))
        fig.update_layout(margin=dict(b=d.marge + int(d.annotation * 1.5 * (len(notes) + 1))))
    return fig
