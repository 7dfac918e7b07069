"""Every page and every slide on real screens (issue 13, « Done when »): Debian's Chromium driven
by Playwright, on one Streamlit server for this module (a private copy of the sample database),
with the helpers of test_navigateur.py. Every request the browser makes outside the local
server (127.0.0.1) is recorded and fails the test.

- every page at 1600×1000 (and ``/accueil``, the home page's former address): it renders (its
  French title, no exception, no « Page not found » dialog), it fits the width (no horizontal
  scroll), and none of Streamlit's English words is left (``ui.francais``);
- every slide of the presentation mode at 1280×720 and 1920×1080: it fits the screen without
  scrolling, its chart whole on screen, no exception;
- the import page in French only: the file uploader, the check of a file with its stages, the
  tables' toolbar and its tooltips, a select without result; then the import, its report.

Screenshots in ``test-artifacts/screenshots/ecrans_*.png``.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from test_navigateur import (  # noqa: F401 - fixtures used by name
    EXPORT_VALIDE,
    PAGES,
    Captures,
    attendre_streamlit,
    choisir,
    exemple_navigateur,
    onglet,
    serveur,
    verifier_page,
)

from dashboard.ui.francais import TRADUCTIONS

TOLERANCE_PX = 2
# Streamlit's words that must never be seen (or read aloud) in English.
ANGLAIS = ("Upload", "Choose an option", "No results", "Select all", "Download as CSV",
           "Search", "Fullscreen", "Page not found", "Drag and drop a file here", "Clear all",
           "Sort ascending", "Show/hide columns", "Download plot as a PNG", "Autoscale",
           "Reset axes", "Previous month", "Next month")
# (address, French title): every page, with the sample's filled year and quarter.
ADRESSES = [(f"{chemin}?annee=2025&trimestre=2" if chemin in ("", "bilan", "controles")
             else f"{chemin}?annee=2025" if chemin in ("assiette", "signatures", "bilans-annuels")
             else chemin, titre) for chemin, _, titre in PAGES]
ADRESSES.append(("accueil?annee=2025&trimestre=2", PAGES[0][2]))


def onglet_ecran(navigateur, url: str, largeur: int, hauteur: int):
    """A French page of ``largeur`` × ``hauteur`` that may only reach the local server: any
    other request is blocked, and fails the test at the end."""
    return onglet(navigateur, url, largeur, hauteur, 30_000)


def mesures(page: Page) -> dict:
    """The sizes that say whether the page scrolls: the document's and Streamlit's main
    scrolling area's (``stMain``), against the window."""
    return page.evaluate("""() => {
        const d = document.scrollingElement, m = document.querySelector('[data-testid=stMain]');
        return {largeur: window.innerWidth, hauteur: window.innerHeight,
                doc_l: d.scrollWidth, doc_h: d.scrollHeight,
                main_l: m.scrollWidth, main_cl: m.clientWidth,
                main_h: m.scrollHeight, main_ch: m.clientHeight};
    }""")


def mesures_une_fois_pose(page: Page, hauteur: int, attente_ms: int = 5000) -> dict:
    """``mesures`` once the slide has settled: a busy machine may draw a frame where the slide's
    style or the chart's new height is not applied yet; the slide must fit within
    ``attente_ms`` and stay so (measured twice in a row)."""
    m = mesures(page)
    tient = 0
    for _ in range(attente_ms // 100):
        if m["doc_h"] <= hauteur + TOLERANCE_PX and m["main_h"] <= m["main_ch"] + TOLERANCE_PX:
            tient += 1
            if tient == 2:
                break
        else:
            tient = 0
        page.wait_for_timeout(100)
        m = mesures(page)
    return m


def elements_de_la_page(page: Page) -> list:
    """What the page's main column holds, with each element's height (to say what runs past
    the screen when a slide does not fit)."""
    return page.evaluate("""() => {
        const b = document.querySelector(
            '[data-testid=stMainBlockContainer] > [data-testid=stVerticalBlock]');
        return b ? [...b.children].map(c => [c.getAttribute('data-testid') || c.className,
            Math.round(c.getBoundingClientRect().height), (c.innerText || '').slice(0, 40)]) : [];
    }""")


def textes_anglais(page: Page) -> list[str]:
    """Streamlit's English words (``ANGLAIS``) found on the page: whole texts, and the
    attributes a tooltip or a screen reader reads."""
    return page.evaluate("""(anglais) => {
        const vus = new Set();
        const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        let n;
        while ((n = w.nextNode())) {
            if (n.parentElement && n.parentElement.closest('script, style')) continue;
            const t = n.nodeValue.trim();
            if (anglais.includes(t) || /^\\d+(\\.\\d+)?\\s?[KMG]?B per file$/.test(t)) vus.add(t);
        }
        // what a tooltip or a screen reader reads: the words, and Streamlit's English phrasings
        const motifs = /^(Help for |Remove |day, |month, |year, |Choose date)/;
        for (const a of ['title', 'aria-label', 'placeholder', 'data-title'])
            for (const e of document.querySelectorAll('[' + a + ']')) {
                const v = e.getAttribute(a).trim();
                if (anglais.includes(v) || motifs.test(v)) vus.add(a + '=' + v);
            }
        return [...vus].sort();
    }""", list(ANGLAIS))


def attendre_mise_en_page(page: Page, attente_ms: int = 5000) -> None:
    """Wait until a slide's chart has been redrawn at the height its element was given (plotly
    redraws on the next frames after Streamlit measures the element; a busy machine takes a
    moment): the SVG as high as the chart's element, give or take a pixel."""
    for _ in range(attente_ms // 100):
        ecart = page.evaluate("""() => {
            const g = document.querySelector('[data-testid=stPlotlyChart]');
            const svg = g && g.querySelector('.main-svg');
            return svg ? Math.abs(svg.getBoundingClientRect().height
                                  - g.getBoundingClientRect().height) : 0;
        }""")
        if ecart <= TOLERANCE_PX:
            return
        page.wait_for_timeout(100)


def verifier_en_francais(page: Page, attente_ms: int = 3000, dialogue_ouvert: bool = False) -> None:
    """No English word of Streamlit's once the page has settled (the translation follows each
    of Streamlit's redraws: given a moment, never left undone), and no dialog (« Page not
    found »)."""
    restants = textes_anglais(page)
    for _ in range(attente_ms // 100):
        if not restants:
            break
        page.wait_for_timeout(100)
        restants = textes_anglais(page)
    assert restants == []
    if not dialogue_ouvert:
        expect(page.get_by_role("dialog")).to_have_count(0)


@pytest.fixture(scope="module")
def ecran(navigateur, serveur):
    """(browser, server URL) for the tests of this module (one server for all of them)."""
    return navigateur, serveur


def test_les_traductions_couvrent_les_mots_verifies():
    assert {m for m in ANGLAIS} <= set(TRADUCTIONS)
    assert all(TRADUCTIONS[m] != m for m in ANGLAIS if m != "Zoom")


@pytest.mark.parametrize("adresse, titre", ADRESSES, ids=[a.split("?")[0] or "racine"
                                                           for a, _ in ADRESSES])
def test_chaque_page_a_1600x1000(ecran, adresse, titre):
    navigateur, url = ecran
    nom = adresse.split("?")[0] or "racine"
    with (onglet_ecran(navigateur, url, 1600, 1000) as page,
          Captures(page, f"ecrans_page_{nom}") as capture):
        page.goto(f"{url}/{adresse}")
        verifier_page(page, titre)
        expect(page.locator("h1").first).to_have_text(titre)
        if adresse.startswith("accueil"):          # the former address: the home page itself
            expect(page).to_have_url(re.compile(rf"^{re.escape(url)}/accueil\?"))
        m = mesures(page)
        # no horizontal scroll, neither of the document nor of Streamlit's main area
        assert m["doc_l"] <= m["largeur"] + TOLERANCE_PX, m
        assert m["main_l"] <= m["main_cl"] + TOLERANCE_PX, m
        verifier_en_francais(page)
        capture("page")


BILAN = ("bilan?annee=2025&trimestre=2", "Bilan trimestriel")
SIGNATURES = ("signatures?annee=2025", "Signatures des conventions")


@pytest.mark.parametrize("chemin, titre, largeur, hauteur", [
    (*BILAN, 1280, 720), (*BILAN, 1920, 1080),
    (*SIGNATURES, 1280, 720), (*SIGNATURES, 1920, 1080)])
def test_chaque_diapositive_tient_dans_l_ecran(ecran, chemin, titre, largeur, hauteur):
    navigateur, url = ecran
    nom = f"ecrans_diapo_{chemin.split('?')[0]}_{largeur}x{hauteur}"
    with onglet_ecran(navigateur, url, largeur, hauteur) as page, Captures(page, nom) as capture:
        page.goto(f"{url}/{chemin}&mode=presentation")
        attendre_streamlit(page)
        numero = page.get_by_text(re.compile(r"^1 / \d+$"))
        expect(numero).to_be_visible()
        n = int(numero.inner_text().split("/")[1])
        assert n >= 5
        for k in range(1, n + 1):
            expect(page.get_by_text(f"{k} / {n}", exact=True)).to_be_visible()
            attendre_streamlit(page)
            expect(page.locator('[data-testid="stException"]')).to_have_count(0)
            expect(page.locator("text=" + titre).first).to_be_visible()
            graphiques = page.locator('[data-testid="stPlotlyChart"]')
            if graphiques.count():
                # drawn (plotly's SVG), at the height the screen leaves it, wholly on screen
                expect(graphiques.first.locator(".main-svg").first).to_be_visible()
                attendre_mise_en_page(page)
                boite = graphiques.first.bounding_box()
                assert boite["height"] >= 200, (k, boite)
                assert boite["y"] >= 0 and boite["y"] + boite["height"] <= hauteur + TOLERANCE_PX
            m = mesures_une_fois_pose(page, hauteur)
            assert m["doc_h"] <= hauteur + TOLERANCE_PX, (k, m)
            assert m["main_h"] <= m["main_ch"] + TOLERANCE_PX, (k, m, elements_de_la_page(page))
            assert m["main_l"] <= m["main_cl"] + TOLERANCE_PX, (k, m)
            verifier_en_francais(page)
            capture(f"diapo_{k:02d}")
            if k < n:
                page.get_by_role("button", name="Suivante ▶").click()


def test_la_page_d_import_en_francais(ecran):
    navigateur, url = ecran
    with (onglet_ecran(navigateur, url, 1600, 1000) as page,
          Captures(page, "ecrans_import") as capture):
        page.goto(url + "/importer")
        verifier_page(page, "Importer des données")
        depot = page.locator('[data-testid="stFileUploader"]').first
        expect(depot.get_by_text("Parcourir", exact=True).first).to_be_visible()
        expect(depot).to_contain_text("200\u00a0Mo par fichier")
        verifier_en_francais(page)
        capture("vide")

        choisir(page, "Type de données", "Mises à disposition")
        attendre_streamlit(page)
        depot.locator('input[type="file"]').first.set_input_files(
            files=[{"name": "export_ols01.csv", "mimeType": "text/csv",
                    "buffer": EXPORT_VALIDE}])
        expect(page.get_by_text("Prêt à importer 2 ligne(s).", exact=True)).to_be_visible()
        verifier_page(page, "Importer des données")
        # the check said what it read
        expect(page.get_by_text("Fichier vérifié : 2 lignes lues.")).to_be_visible()
        expect(depot.get_by_role("button", name="Retirer export_ols01.csv")).to_have_count(1)

        # the preview's table: French toolbar, French tooltip
        page.get_by_text("Aperçu des premières lignes").click()
        tableau = page.locator('[data-testid="stDataFrame"]').first
        tableau.hover()
        outils = page.locator('[data-testid="stElementToolbar"]').filter(
            has=page.get_by_role("button", name="Télécharger en CSV"))
        expect(outils.first).to_be_visible()
        for nom in ("Télécharger en CSV", "Rechercher", "Plein écran"):
            expect(outils.first.get_by_role("button", name=nom)).to_have_count(1)
        # the pointer on the button (the toolbar sits over the table, which takes the events;
        # it slides in: its place is read again until the tooltip shows)
        bulle = page.locator('[data-testid="stTooltipContent"]').filter(has_text="Rechercher")
        for _ in range(5):
            page.wait_for_timeout(300)
            boite = outils.first.get_by_role("button", name="Rechercher").bounding_box()
            page.mouse.move(boite["x"] + boite["width"] / 2, boite["y"] + boite["height"] / 2)
            page.wait_for_timeout(700)
            if bulle.count():
                break
        expect(bulle).to_be_visible()
        verifier_en_francais(page)
        capture("verification")

        # a select without any option matching what is typed
        champ = page.get_by_role("combobox", name="Type de données", exact=True)
        champ.click()
        champ.fill("zzz")
        expect(page.get_by_text("Aucun résultat", exact=True)).to_be_visible()
        verifier_en_francais(page)
        capture("aucun_resultat")
        page.keyboard.press("Escape")

        page.get_by_role("button", name="Importer", exact=True).click()
        expect(page.get_by_role("heading", name="Résultat de l'import")).to_be_visible()
        verifier_page(page, "Importer des données")
        expect(page.get_by_text(re.compile(r"^Import n° \d+ : 2 ligne\(s\) importée\(s\)"))
               ).to_be_visible()
        verifier_en_francais(page)
        capture("importe")


def test_listes_et_calendrier_en_francais(ecran):
    """A multiselect's « Select all » and a date's calendar, in French."""
    navigateur, url = ecran
    with (onglet_ecran(navigateur, url, 1600, 1000) as page,
          Captures(page, "ecrans_listes") as capture):
        page.goto(url + "/controles?annee=2025&trimestre=2")
        verifier_page(page, "Contrôles")
        page.locator('[data-testid="stSidebar"]').get_by_role(
            "combobox", name="Département", exact=True).click()
        expect(page.get_by_role("option", name="Tout sélectionner")).to_be_visible()
        verifier_en_francais(page)
        capture("tout_selectionner")
        page.keyboard.press("Escape")

        page.goto(url + "/orientation")
        verifier_page(page, "Orientation d'un logement libéré")
        page.locator('[data-testid="stDateInput"] button').first.click()
        expect(page.get_by_role("button", name="Mois précédent")).to_be_visible()
        verifier_en_francais(page, dialogue_ouvert=True)        # the calendar is a dialog
        capture("calendrier")
