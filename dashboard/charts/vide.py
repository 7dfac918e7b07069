"""A blank figure carrying a French message (a fallback: pages show their own empty state)."""

from __future__ import annotations

import plotly.graph_objects as go

from dashboard.charts import theme

MESSAGE_VIDE = "Aucune donnée pour cette sélection."


def figure_vide(message: str = MESSAGE_VIDE, taille: str = "normale",
                titre: str | None = None) -> go.Figure:
    """A figure without axes nor trace, with ``message`` in its middle."""
    d = theme.dimensions(taille)
    fig = go.Figure(layout=dict(template=theme.nom_gabarit(taille)))
    fig.add_annotation(text=message, xref="paper", yref="paper", x=0.5, y=0.5,
                       showarrow=False, font=dict(size=d.police, color=theme.NEUTRE))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_layout(height=d.hauteur_min, showlegend=False,
                      title=dict(text=titre) if titre else None)
    return fig
