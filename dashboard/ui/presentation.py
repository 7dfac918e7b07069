"""Presentation mode (`?mode=presentation`): no sidebar, large type, one chart per screen with
its takeaway, next / previous — readable from the back of a room."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

import streamlit as st

from dashboard.reference_cartes import CONFIG_PLOTLY
from dashboard.ui import etat

# One slide fills the window, never more: the page is a column as high as the viewport and the
# chart takes what the title row, the takeaway and the « Quitter » button leave (Streamlit sizes
# a plotly chart of fixed height to its element, measured in the browser: the chart is redrawn
# at that height, at 1280×720 as at 1920×1080). The text scales with the window's height (34 px
# takeaway at 1080 px, 22 px at 720 px), so that a long takeaway leaves the chart its room.
STYLE = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stSidebarNav"], header[data-testid="stHeader"] { display: none !important; }
[data-testid="stMainBlockContainer"] {
  max-width: 100% !important; height: 100vh; box-sizing: border-box;
  padding: 1rem 2rem .75rem !important; }
[data-testid="stMainBlockContainer"] > [data-testid="stVerticalBlock"] {
  height: 100%; flex-wrap: nowrap; gap: .6rem; }
[data-testid="stMainBlockContainer"] > [data-testid="stVerticalBlock"] > * { flex: 0 0 auto; }
[data-testid="stMainBlockContainer"] > [data-testid="stVerticalBlock"] >
  [class*="st-key-diapo_graphique"] {
  flex: 1 1 0 !important; min-height: 0 !important; height: auto !important; }
[class*="st-key-diapo_graphique"] > [data-testid="stFullScreenFrame"],
[class*="st-key-diapo_graphique"] [data-testid="stPlotlyChart"] { height: 100% !important; }
html, body, [data-testid="stMarkdownContainer"] p {
  font-size: clamp(16px, 2.3vh, 24px) !important; }
h1 { font-size: clamp(28px, 4vh, 44px) !important; }
h2, h3 { font-size: clamp(22px, 3.1vh, 34px) !important; }
.flux-message { font-size: clamp(20px, 3.1vh, 34px); font-weight: 700; color: #000091;
  margin: 0; line-height: 1.2; }
[data-testid="stMarkdownContainer"]:has(> .flux-message) { margin-bottom: 0 !important; }
</style>
"""
# The chart's height before the browser sizes it (and its height in an AppTest): less than any
# screen leaves it, so that a slide never runs past the screen while plotly redraws.
HAUTEUR_GRAPHIQUE = 300


@dataclass(frozen=True)
class Diapositive:
    titre: str
    message: str
    figure: Callable[[], object] | None    # built with taille="presentation"
    vide: str = "Aucune donnée pour cette sélection."


def actif() -> bool:
    return st.query_params.get("mode") == "presentation"


def lien(actif_: bool) -> str:
    """The query string of this view in the other mode."""
    params = {k: v for k, v in st.query_params.to_dict().items() if k not in ("mode", "diapo")}
    if not actif_:
        params["mode"] = "presentation"
    return "?" + urlencode(params, safe=",")


def style() -> None:
    st.html(STYLE)


def _aller(nombre: int, pas: int) -> None:
    courant = st.session_state.get(etat.DIAPOSITIVE, 1)
    st.session_state[etat.DIAPOSITIVE] = min(max(1, courant + pas), nombre)


def diaporama(titre: str, diapositives: list[Diapositive]) -> None:
    """Show one slide; its number is kept in the URL (`diapo=3`)."""
    style()
    n = len(diapositives)
    if etat.DIAPOSITIVE not in st.session_state:
        try:
            st.session_state[etat.DIAPOSITIVE] = min(max(1, int(st.query_params.get("diapo", 1))), n)
        except ValueError:
            st.session_state[etat.DIAPOSITIVE] = 1
    numero = st.session_state[etat.DIAPOSITIVE]
    st.query_params["diapo"] = str(numero)
    diapo = diapositives[numero - 1]
    haut = st.columns([5, 2, 1, 2], vertical_alignment="center")
    haut[0].markdown(f"**{titre}** — {diapo.titre}")
    haut[1].button("◀ Précédente", on_click=_aller, args=(n, -1), disabled=numero == 1,
                   key="diapo_precedente", width="stretch")
    haut[2].markdown(f"<div style='text-align:center'>{numero} / {n}</div>",
                     unsafe_allow_html=True)
    haut[3].button("Suivante ▶", on_click=_aller, args=(n, 1), disabled=numero == n,
                   key="diapo_suivante", width="stretch")
    if diapo.message:
        st.markdown(f"<div class='flux-message'>{_echapper(diapo.message)}</div>",
                    unsafe_allow_html=True)
    if diapo.figure is None:
        st.info(diapo.vide)
    else:
        # the maps' offline config (plotly's world topology answered locally; no effect on
        # the other charts)
        st.plotly_chart(diapo.figure(), theme=None, key=f"diapo_graphique_{numero}",
                        height=HAUTEUR_GRAPHIQUE, config=CONFIG_PLOTLY)
    st.link_button("Quitter la présentation", lien(True))


def _echapper(texte: str) -> str:
    import html

    return html.escape(texte)
