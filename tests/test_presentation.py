"""Presentation mode (`?mode=presentation`), AppTest on the sample database: a slide sizes its
chart to the window (a chart of fixed height whose element the page's style stretches to what
the title row, the takeaway and the button leave), and « Mode local » is a badge, not the
banner. That every slide fits the screen at 1280×720 and 1920×1080 is checked in a real
browser (test_navigateur_ecrans.py)."""

from __future__ import annotations

import html

from conftest import page_app
from streamlit.testing.v1 import AppTest

from dashboard.ui import presentation
from dashboard.ui.authentification import TEXTE_MODE_LOCAL


def _page(chemin: str, **parametres) -> AppTest:
    return page_app(chemin, **parametres)


def _html(at) -> list[str]:
    return [h.proto.body for h in at.get("html")]


def test_une_diapositive_son_graphique_a_la_taille_de_l_ecran(exemple):
    at = _page("pages/bilan.py", annee="2025", trimestre="2", mode="presentation")
    (graphique,) = at.get("plotly_chart")
    # the element the style stretches (flex: 1) to the window's height
    assert graphique.proto.id and "diapo_graphique_1" in graphique.proto.id
    assert any('[class*="st-key-diapo_graphique"]' in corps and "100vh" in corps
               for corps in _html(at))
    at.button(key="diapo_suivante").click().run()
    assert not at.exception
    assert "diapo_graphique_2" in at.get("plotly_chart")[0].proto.id


def test_mode_local_est_un_badge_en_presentation(exemple):
    at = _page("pages/bilan.py", annee="2025", trimestre="2", mode="presentation")
    corps = _html(at)
    badges = [c for c in corps if "bandeau-mode-local badge" in c]
    assert len(badges) == 1
    # « Mode local » in a corner, its whole explanation as its tooltip
    assert ">Mode local</div>" in badges[0]
    assert f'title="{html.escape(TEXTE_MODE_LOCAL)}"' in badges[0]
    assert not [c for c in corps if f">{TEXTE_MODE_LOCAL}<" in c]      # no banner
    # outside presentation mode, the banner
    at = _page("pages/bilan.py", annee="2025", trimestre="2")
    assert [c for c in _html(at) if f">{TEXTE_MODE_LOCAL}</div>" in c]
    assert not [c for c in _html(at) if "badge" in c]


def test_le_style_de_la_presentation_ne_cache_que_la_barre_laterale():
    assert "100vh" in presentation.STYLE
    assert 'header[data-testid="stHeader"]' in presentation.STYLE
    assert presentation.HAUTEUR_GRAPHIQUE < 720
