"""The maps in a real browser (issue 13): Debian's Chromium driven by Playwright on the sample
database, with the server and browser of ``test_navigateur``.

- the Bilan trimestriel's map of the EPCI draws its territories (the SVG paths of the
  choropleth), its hover is French, and a click on an EPCI narrows the page to it (the EPCI
  filter in the address), which then shows the map of that EPCI's communes;
- the map is a slide of the presentation mode;
- the Signatures page draws its map of the EPCI, a click narrows the page, the map of the
  départements and the map of the EPCI documents draw too; a click on the documents map
  narrows the page as well.

Every request of the browser outside the local server is recorded and fails the test (plotly
asks for a world outline before drawing a map: the app answers it itself). Screenshots in
``test-artifacts/screenshots/cartes_*``.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from test_navigateur import (  # noqa: F401 - fixtures
    Captures,
    attendre_streamlit,
    exemple_navigateur,
    onglet,
    serveur,
    url_avec,
    verifier_page,
)

AMP = "200054807"     # Métropole d'Aix-Marseille-Provence: the largest EPCI of the sample
NB_EPCI = 52


def onglet_local(navigateur, url: str):
    """A French page that may only reach the local server; any other request is blocked and
    fails the test at the end."""
    return onglet(navigateur, url, 1400, 1000, 30_000)


def carte(page: Page, titre: str):
    """The first map after the heading ``titre``."""
    return page.get_by_role("heading", name=titre, exact=True).locator(
        "xpath=following::div[contains(concat(' ', @class, ' '), ' js-plotly-plot ')]"
        "[.//*[contains(concat(' ', @class, ' '), ' choroplethlayer ')]][1]")


def chemins(graphique) -> int:
    return graphique.locator("g.choroplethlayer path").count()


def attendre_territoires(graphique, minimum: int) -> None:
    """Wait until the map has drawn at least ``minimum`` territories."""
    graphique.scroll_into_view_if_needed()
    expect(graphique.locator("g.choroplethlayer path").nth(minimum - 1)).to_be_attached()


def point_du_territoire(page: Page, graphique, code: str) -> tuple[float, float]:
    """A point of the page inside the territory ``code`` of the coloured trace (plotly binds each
    path to its location: ``__data__.id``), the territory scrolled to the middle of the window."""
    poignee = graphique.element_handle()
    point = page.evaluate(
        """([racine, code]) => {
            for (const chemin of racine.querySelectorAll('g.choroplethlayer path')) {
                const d = chemin.__data__;
                if (!d || (d.id !== code && d.loc !== code)) continue;
                // on screen first: a point below the window is no place to click
                chemin.scrollIntoView({block: 'center', inline: 'center'});
                const boite = chemin.getBBox();
                const svg = chemin.ownerSVGElement;
                const matrice = chemin.getScreenCTM();
                for (let i = 1; i < 20; i++) for (let j = 1; j < 20; j++) {
                    const p = svg.createSVGPoint();
                    p.x = boite.x + boite.width * i / 20; p.y = boite.y + boite.height * j / 20;
                    if (chemin.isPointInFill(p)) {
                        const e = p.matrixTransform(matrice);
                        return [e.x, e.y];
                    }
                }
            }
            return null;
        }""", [poignee, code])
    assert point, f"territoire {code} introuvable sur la carte"
    return point[0], point[1]


def test_carte_du_bilan_et_clic_sur_un_epci(navigateur, serveur):
    with onglet_local(navigateur, serveur) as page, Captures(page, "cartes_bilan") as capture:
        page.goto(serveur + "/bilan?annee=2025&trimestre=2")
        verifier_page(page, "Bilan trimestriel")
        graphique = carte(page, "Carte des EPCI")
        attendre_territoires(graphique, NB_EPCI)
        assert chemins(graphique) >= NB_EPCI
        expect(page.get_by_text(re.compile(r"^Hors carte, « non ventilé »"))).to_be_visible()
        expect(graphique.locator(".colorbar")).to_contain_text("Taux de réalisation")
        capture("carte_epci")

        x, y = point_du_territoire(page, graphique, AMP)
        page.mouse.move(x, y)
        survol = page.locator(".hoverlayer .hovertext").first
        expect(survol).to_contain_text("Métropole d'Aix-Marseille-Provence")
        expect(survol).to_contain_text("Taux de réalisation")
        expect(survol).to_contain_text(re.compile(r"\d,\d\u202f%"))
        capture("survol")

        page.mouse.click(x, y)
        expect(page).to_have_url(url_avec(epci=AMP))
        verifier_page(page, "Bilan trimestriel")
        expect(page.locator('[data-testid="stCaptionContainer"]').first).to_contain_text(
            f"EPCI {AMP}")
        communes = carte(page, "Carte des communes du territoire choisi")
        # the 92 communes of the Métropole d'Aix-Marseille-Provence
        attendre_territoires(communes, 92)
        capture("carte_communes")


def test_carte_en_mode_presentation(navigateur, serveur):
    with (onglet_local(navigateur, serveur) as page,
          Captures(page, "cartes_presentation") as capture):
        page.goto(serveur + "/bilan?annee=2025&trimestre=2&mode=presentation&diapo=7")
        attendre_streamlit(page)
        expect(page.locator('[data-testid="stException"]')).to_have_count(0)
        expect(page.get_by_text(re.compile(r"Carte des EPCI"))).to_be_visible()
        graphique = page.locator(".js-plotly-plot").first
        attendre_territoires(graphique, NB_EPCI)
        expect(page.locator(".flux-message")).to_contain_text("Hors carte, non ventilé : ")
        capture("diapositive_carte")


def test_cartes_des_signatures(navigateur, serveur):
    with onglet_local(navigateur, serveur) as page, Captures(page, "cartes_signatures") as capture:
        page.goto(serveur + "/signatures?annee=2025")
        verifier_page(page, "Signatures des conventions")
        graphique = carte(page, "Carte des signatures")
        attendre_territoires(graphique, NB_EPCI)
        expect(graphique.locator(".colorbar")).to_contain_text("Part des conventions signées")
        capture("carte_epci")

        documents = page.locator(".js-plotly-plot").filter(has=page.locator(".legend")).filter(
            has=page.locator("g.choroplethlayer")).last
        attendre_territoires(documents, NB_EPCI)
        expect(documents.locator(".legend")).to_contain_text("Adopté")
        capture("carte_documents")

        graphique.scroll_into_view_if_needed()
        x, y = point_du_territoire(page, graphique, AMP)
        page.mouse.click(x, y)
        expect(page).to_have_url(url_avec(epci=AMP))
        verifier_page(page, "Signatures des conventions")
        capture("clic_epci")

        page.locator('[data-testid="stRadio"]').filter(has_text="Territoires").get_by_text(
            "Département", exact=True).click()
        verifier_page(page, "Signatures des conventions")
        graphique = carte(page, "Carte des signatures")
        attendre_territoires(graphique, 6)
        capture("carte_departements")


def test_clic_sur_la_carte_des_documents(navigateur, serveur):
    with onglet_local(navigateur, serveur) as page, Captures(page, "carte_documents") as capture:
        page.goto(serveur + "/signatures?annee=2025")
        verifier_page(page, "Signatures des conventions")
        documents = page.locator(".js-plotly-plot").filter(has=page.locator(".legend")).filter(
            has=page.locator("g.choroplethlayer")).last
        attendre_territoires(documents, NB_EPCI)
        x, y = point_du_territoire(page, documents, AMP)
        page.mouse.click(x, y)
        expect(page).to_have_url(url_avec(epci=AMP))
        verifier_page(page, "Signatures des conventions")
        capture("clic_epci")


def test_rapport_html_dessine_la_carte_sans_reseau(navigateur, exemple_navigateur, tmp_path):
    """The standalone HTML report opened from a file, every request blocked: its map of the EPCI
    draws (plotly finds its world topology in the page)."""
    from dashboard.exports import trimestriel
    from dashboard.initialisation import ouvrir

    con = ouvrir(exemple_navigateur[0])
    try:
        texte = trimestriel.rapport_html(con, 2025, 2)
    finally:
        con.close()
    fichier = tmp_path / "rapport.html"
    fichier.write_text(texte, encoding="utf-8")
    contexte = navigateur.new_context(viewport={"width": 1300, "height": 900}, locale="fr-FR")
    demandes: list[str] = []

    def filtrer(route):
        if route.request.url.startswith(("data:", "blob:")) or route.request.url == \
                fichier.as_uri():
            route.continue_()
        else:
            demandes.append(route.request.url)
            route.abort()

    contexte.route("**/*", filtrer)
    page = contexte.new_page()
    try:
        page.goto(fichier.as_uri())
        carte_html = page.locator("#graphique_carte_epci")
        carte_html.scroll_into_view_if_needed()
        expect(carte_html.locator("g.choroplethlayer path").nth(NB_EPCI - 1)).to_be_attached()
        expect(page.locator("#carte_epci")).to_contain_text("Hors carte, « non ventilé »")
        Captures(page, "cartes_rapport_html")("carte_epci")
    finally:
        contexte.close()
    assert demandes == []
