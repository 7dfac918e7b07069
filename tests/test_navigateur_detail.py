"""From a bar of the Bilan trimestriel to the rows behind it, in a real browser (issue 13):
Debian's Chromium driven by Playwright, on a Streamlit server of its own (a private copy of the
sample database), as in test_navigateur.py whose server, browser and helpers this file reuses.

A person opens the bilan au 30/06/2025, clicks the bar of a réservataire (the page narrows to
it), follows « Voir les N mises à disposition — Réservataire … » and gets the page « Mises à
disposition » with N rows, the figure's filters in its address; a reload (a new session: the
address wins) shows the same rows; back on the bilan, the table of links under the charts
opens the rows of its first quarter in a new tab. Any request the browser makes outside the
local server fails the test. Screenshots in ``test-artifacts/screenshots/detail_*.png``.
"""

from __future__ import annotations

import re
import warnings

import pytest
from playwright.sync_api import expect
from test_navigateur import (  # noqa: F401 - fixtures used by name
    Captures,
    attendre_streamlit,
    exemple_navigateur,
    onglet,
    parametres,
    serveur_streamlit,
    url_avec,
    verifier_page,
)

from dashboard import metrics
from dashboard.formatting import nombre
from dashboard.initialisation import ouvrir


@pytest.fixture
def page_locale(navigateur, exemple_navigateur, tmp_path):
    """A browser tab on a server of this test; a request outside it is an error, not a
    warning."""
    with serveur_streamlit(exemple_navigateur[0], tmp_path) as url:
        with warnings.catch_warnings():
            warnings.filterwarnings("error", message="Requêtes hors du serveur local")
            with onglet(navigateur, url) as page:
                yield page, url


def _mad_du_bilan(base, par: str, cle: str, **filtres) -> int:
    con = ouvrir(base)
    try:
        df = metrics.bilan(con, 2025, 2, par, filtres=metrics.Filtres(**filtres))
    finally:
        con.close()
    return int(df.loc[df["cle"] == cle, "mises_a_disposition"].iloc[0])


def test_une_barre_du_bilan_mene_a_ses_mises_a_disposition(page_locale, exemple_navigateur):
    page, url = page_locale
    with Captures(page, "detail") as capture:
        page.goto(url + "/bilan?annee=2025&trimestre=2")
        verifier_page(page, "Bilan trimestriel")
        capture("bilan")
        # the first chart: droits and MAD per réservataire; a click on a bar narrows the page
        graphique = page.locator('[data-testid="stPlotlyChart"]').first
        graphique.scroll_into_view_if_needed()
        barre = graphique.locator(".barlayer .point path").first
        expect(barre).to_be_visible()
        barre.click(force=True)
        expect(page).to_have_url(re.compile(r"[?&]reservataire=[^&]+"))
        verifier_page(page, "Bilan trimestriel")
        code = parametres(page)["reservataire"]
        n = _mad_du_bilan(exemple_navigateur[0], "reservataire", code)
        capture("bilan_reservataire")

        lien = page.get_by_role("link", name=re.compile(r"^Voir les .* mises à disposition — "))
        expect(lien).to_have_count(1)
        expect(lien).to_contain_text(f"Voir les {nombre(n)} mises à disposition — Réservataire ")
        expect(lien).to_contain_text(f"({code})")
        lien.click()

        verifier_page(page, "Mises à disposition")
        expect(page).to_have_url(url_avec(annee="2025", trimestre="2", reservataire=code,
                                          par="reservataire", cle=code))
        titre = page.locator("h3").first
        expect(titre).to_contain_text(f"au 30/06/2025 — {nombre(n)} mises à disposition")
        debut = f"lignes 1 à {nombre(min(n, 500))} sur {nombre(n)}"
        expect(page.get_by_text(debut, exact=True)).to_be_visible()
        expect(page.locator('[data-testid="stDataFrame"]')).to_have_count(1)
        capture("mises_a_disposition")

        page.reload()      # a new session: the address wins
        verifier_page(page, "Mises à disposition")
        expect(page.locator("h3").first).to_contain_text(f"{nombre(n)} mises à disposition")
        expect(page.get_by_text(debut, exact=True)).to_be_visible()

        page.get_by_role("link", name="Retour au bilan trimestriel").click()
        verifier_page(page, "Bilan trimestriel")
        expect(page).to_have_url(url_avec(annee="2025", trimestre="2", reservataire=code))
        capture("retour_bilan")

        # under the charts, each key of each axis links to its rows (a new tab)
        page.get_by_text("Les mises à disposition derrière chaque chiffre").click()
        page.get_by_role("tab", name="Trimestre").click()
        grille = page.locator('[data-testid="stExpander"] [data-testid="stDataFrame"]').filter(
            visible=True)
        expect(grille).to_have_count(1)
        grille.scroll_into_view_if_needed()
        attendre_streamlit(page)
        capture("liens_par_axe")
        cadre = grille.bounding_box()
        # the grid is drawn on a canvas: the link of the first row (T1), in the last column
        x, y = cadre["x"] + 0.72 * cadre["width"], cadre["y"] + 35 + 17
        page.mouse.move(x, y)
        with page.context.expect_page() as nouvel_onglet:
            page.mouse.click(x, y)
        t1 = nouvel_onglet.value
        verifier_page(t1, "Mises à disposition")
        expect(t1).to_have_url(url_avec(annee="2025", trimestre="2", reservataire=code,
                                        par="trimestre", cle="2025-T1"))
        n_t1 = _mad_du_bilan(exemple_navigateur[0], "trimestre", "2025-T1", reservataire=code)
        expect(t1.locator("h3").first).to_contain_text(
            f"Trimestre T1 2025 — du 01/01/2025 au 31/03/2025 — {nombre(n_t1)} mises à "
            "disposition")
        t1.close()
