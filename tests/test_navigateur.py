"""The app in a real browser, as a person uses it: Chromium driven by Playwright.

A real Streamlit server (``python -m streamlit run app.py``) on a free loopback port, on the
sample database, and Debian's Chromium (``/usr/bin/chromium``, installed by
``scripts/tests.sh``: no browser is ever downloaded). The browser may only talk to the server:
any request elsewhere is blocked and reported.

- ``test_lien_direct_sur_un_serveur_neuf``: a shared link to a page is the very first request a
  freshly started server gets (its own server); the app's own navigation (French labels) and
  the URL's filters must be there.
- ``test_parcours``: every page from the sidebar (French title, no exception box); the Bilan
  filters changed with the real widgets go to the URL and survive a reload; presentation mode
  (no sidebar, a takeaway, "Suivante ▶" → slide 2 and ``diapo=2``); a CSV uploaded on the
  Importer page is verified.
- ``test_telechargements``: the yearly bilan of a réservataire downloaded as .xlsx (its figures
  are the engine's) and the quarterly HTML report (it loads nothing: no src / href).
- the filters survive what broke them once: a change of year followed by another filter keeps
  the quarter; a change of page keeps the year and the quarter.

Each step leaves a screenshot in ``test-artifacts/screenshots/`` (git-ignored). No timing
assertion: Streamlit is waited for (script run finished, no stale element), never slept on.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from dashboard import metrics
from dashboard.initialisation import ouvrir

RACINE = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
ARGUMENTS_CHROMIUM = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                      "--disable-component-update", "--disable-sync", "--no-first-run"]
CAPTURES = RACINE / "test-artifacts" / "screenshots"
DEMARRAGE_MAX_S = 60          # server start (health endpoint answering)
ATTENTE_MAX_MS = 30_000       # one script run of a page, cold caches, machine busy with the suite

# (URL path, label in the sidebar, title of the page)
PAGES = [
    ("", "Accueil", "Gestion en flux des réservations"),
    ("bilan", "Bilan trimestriel", "Bilan trimestriel"),
    ("mises-a-disposition", "Mises à disposition", "Mises à disposition"),
    ("assiette", "Assiette et droits", "Assiette et droits"),
    ("controles", "Contrôles", "Contrôles"),
    ("signatures", "Signatures des conventions", "Signatures des conventions"),
    ("orientation", "Orientation d'un logement libéré", "Orientation d'un logement libéré"),
    ("bilans-annuels", "Bilans annuels réservataires", "Bilans annuels réservataires"),
    ("importer", "Importer des données", "Importer des données"),
    ("reservataires", "Réservataires et correspondances", "Réservataires et correspondances"),
]
NAVIGATION = [libelle for _, libelle, _ in PAGES]

# A bailleur's export as its software writes it (Windows-1252, ";", French headers and labels).
EXPORT_VALIDE = (
    "Code bailleur;N° de référence;Date MAD;Code INSEE;Catégorie;Contingent;Issue;Date du bail\n"
    "OLS01;NAV-1;15/03/2025;13055;Flux réservataire;ALS;Bail signé;01/04/2025\n"
    "OLS01;NAV-2;16/03/2025;04070;Mutation interne;;En cours;\n").encode("cp1252")


# ------------------------------------------------------------------------------ the server


@pytest.fixture(scope="session")
def exemple_navigateur(base_exemple):
    """The sample database (each server gets its own copy: DuckDB locks its file), and a
    bailleur of 2025 (code, name) for the filter steps."""
    con = ouvrir(base_exemple)
    try:
        bailleurs = metrics.options_filtres(con, 2025)["bailleur"]
    finally:
        con.close()
    assert len(bailleurs) > 1
    return base_exemple, str(bailleurs["cle"].iloc[1]), str(bailleurs["libelle"].iloc[1])


def _port_libre() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


try:   # looked up here, not in the forked child (no dynamic loading between fork and exec)
    import ctypes

    _PRCTL = ctypes.CDLL(None, use_errno=True).prctl
except (OSError, AttributeError):   # not Linux
    _PRCTL = None


def _mourir_avec_pytest() -> None:
    """In the child: get SIGTERM if the test process dies without stopping us (no orphan)."""
    if _PRCTL is not None:
        _PRCTL(1, signal.SIGTERM)   # PR_SET_PDEATHSIG


def _journal(chemin: Path) -> str:
    texte = chemin.read_text(encoding="utf-8", errors="replace") if chemin.exists() else ""
    return texte[-6000:] or "(vide)"


def _attendre_sante(processus: subprocess.Popen, url: str, journal: Path) -> None:
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))   # never a proxy
    limite = time.monotonic() + DEMARRAGE_MAX_S
    while time.monotonic() < limite:
        if processus.poll() is not None:
            pytest.fail(f"Le serveur Streamlit s'est arrêté au démarrage (code "
                        f"{processus.returncode}). Son journal :\n{_journal(journal)}")
        try:
            with direct.open(f"{url}/_stcore/health", timeout=2) as reponse:
                if reponse.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"Le serveur Streamlit ne répond pas sur {url}/_stcore/health après "
                f"{DEMARRAGE_MAX_S} s. Son journal :\n{_journal(journal)}")


def _arreter(processus: subprocess.Popen) -> None:
    if processus.poll() is None:
        processus.terminate()
        try:
            processus.wait(timeout=10)
        except subprocess.TimeoutExpired:
            processus.kill()
            processus.wait(timeout=10)


@contextmanager
def serveur_streamlit(base_modele: Path, dossier: Path):
    """`streamlit run app.py` on a copy of `base_modele`, on a free loopback port; yields its
    URL once `/_stcore/health` answers; stopped (terminate, then kill) whatever happens."""
    base = dossier / "flux.duckdb"
    shutil.copyfile(base_modele, base)
    port = _port_libre()
    url = f"http://127.0.0.1:{port}"
    journal = dossier / "streamlit.log"
    env = {**os.environ, "FLUX_DB": str(base), "NO_PROXY": "127.0.0.1,localhost",
           "no_proxy": "127.0.0.1,localhost"}
    commande = [sys.executable, "-m", "streamlit", "run", "app.py",
                "--server.port", str(port), "--server.address", "127.0.0.1",
                "--server.headless", "true",
                # Files edited while the test runs must not make the app rerun under it.
                "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"]
    with open(journal, "wb") as sortie:
        processus = subprocess.Popen(commande, cwd=RACINE, env=env, stdout=sortie,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     preexec_fn=_mourir_avec_pytest)
    try:
        _attendre_sante(processus, url, journal)
        yield url
    finally:
        _arreter(processus)


# ----------------------------------------------------------------------------- the browser


# The browser itself is the session fixture `navigateur` of tests/conftest.py: one Playwright per
# test process, shared by every browser test module (two would clash in one thread).


@contextmanager
def onglet(navigateur, url: str, largeur: int = 1400, hauteur: int = 900,
           attente_ms: int = ATTENTE_MAX_MS):
    """A French-speaking page (``largeur`` × ``hauteur``) of a fresh browser context that may
    only reach `url`'s server: any request elsewhere is blocked, and fails the test at the end
    (nothing the app shows may fetch from outside the machine)."""
    contexte = navigateur.new_context(viewport={"width": largeur, "height": hauteur},
                                      locale="fr-FR", timezone_id="Europe/Paris")
    dehors: list[str] = []

    def filtrer(route):
        adresse = route.request.url
        if adresse == url or adresse.startswith((url + "/", "data:", "blob:")):
            route.continue_()
        else:
            dehors.append(adresse)
            route.abort()

    contexte.route("**/*", filtrer)
    page = contexte.new_page()
    page.set_default_timeout(attente_ms)
    try:
        yield page
    finally:
        contexte.close()
    assert dehors == [], f"requêtes hors du serveur local : {sorted(set(dehors))}"


class Captures:
    """Numbered screenshots of one test: test-artifacts/screenshots/<prefixe>_NN_<etape>.png."""

    def __init__(self, page: Page, prefixe: str):
        self.page, self.prefixe, self.n = page, prefixe, 0
        CAPTURES.mkdir(parents=True, exist_ok=True)
        for ancienne in CAPTURES.glob(f"{prefixe}_*.png"):
            ancienne.unlink()

    def __call__(self, etape: str) -> None:
        """Screenshot once the charts and tables are drawn (no loading placeholder left)."""
        self.n += 1
        expect(self.page.locator('[data-testid="stSkeleton"]')).to_have_count(0)
        self.page.screenshot(path=CAPTURES / f"{self.prefixe}_{self.n:02d}_{etape}.png")

    def __enter__(self):
        return self

    def __exit__(self, genre, erreur, trace) -> None:
        """On a failure, the screen as it was (and the failing step's number)."""
        if genre is not None:
            try:
                self.n += 1
                self.page.screenshot(path=CAPTURES / f"{self.prefixe}_{self.n:02d}_echec.png")
            except Exception:  # noqa: BLE001 - the test's own error matters more
                pass


# ------------------------------------------------------------------------------- helpers


def attendre_streamlit(page: Page) -> None:
    """Wait until the script run is over and drawn: connected, not running, no running
    indicator, no stale element left from the previous run."""
    app = page.locator('[data-testid="stApp"]')
    expect(app).to_have_attribute("data-test-connection-state", "CONNECTED")
    # A run may be long on a busy machine: wait for it as long as for any page run.
    expect(app).to_have_attribute("data-test-script-state", "notRunning",
                                  timeout=ATTENTE_MAX_MS)
    expect(page.locator('[data-testid="stStatusWidget"]')).to_have_count(0)
    expect(page.locator('[data-stale="true"]')).to_have_count(0)


def verifier_page(page: Page, titre: str) -> None:
    """The page's French title is shown (drawn by the new run, so this also waits for it to
    start), the run is over, and no exception box is on screen."""
    expect(page.locator("h1").first).to_have_text(titre)
    attendre_streamlit(page)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)


def barre(page: Page):
    return page.locator('[data-testid="stSidebar"]')


def navigation(page: Page) -> list[str]:
    """The labels of the page links of the sidebar (without their icons)."""
    liens = page.locator('[data-testid="stSidebarNav"] [data-testid="stSidebarNavLink"]')
    expect(liens.first).to_be_visible()
    return [t.strip() for t in liens.locator('[data-testid="stMarkdownContainer"]').all_inner_texts()]


def choisir(page: Page, libelle: str, option: str) -> None:
    """Open a selectbox or a multiselect by its label, type the option's start to narrow the
    list (long lists are virtualised), click the option."""
    champ = page.get_by_role("combobox", name=libelle, exact=True)
    champ.click()
    champ.fill(option[:12])
    page.get_by_role("option", name=option, exact=True).click()


def parametres(page: Page) -> dict[str, str]:
    from urllib.parse import parse_qsl, urlsplit

    return dict(parse_qsl(urlsplit(page.url).query))


def etiquettes(page: Page, libelle: str):
    """The values shown as tags in the multiselect `libelle` of the sidebar (a locator)."""
    champ = barre(page).locator('[data-testid="stMultiSelect"]').filter(
        has=page.get_by_role("combobox", name=libelle, exact=True))
    return champ.locator("[data-tag]")


def url_avec(**attendus: str) -> re.Pattern:
    """A URL whose query string contains each name=value (any order)."""
    return re.compile("".join(rf"(?=.*[?&]{re.escape(k)}={re.escape(v)}(&|$))"
                              for k, v in attendus.items()))


# --------------------------------------------------------------------------------- tests


@pytest.fixture(scope="module")
def serveur(exemple_navigateur, tmp_path_factory):
    """A server shared by the tests that do not need a fresh one."""
    with serveur_streamlit(exemple_navigateur[0], tmp_path_factory.mktemp("serveur")) as url:
        yield url


@contextmanager
def prealable(etape: str):
    """A step that must work for the rest of the test to mean anything: its failure is a plain
    failure, never taken for the expected failure of an `xfail` test."""
    try:
        yield
    except AssertionError as erreur:
        pytest.fail(f"{etape} : {erreur}")


def test_lien_direct_sur_un_serveur_neuf(navigateur, exemple_navigateur, tmp_path):
    """A shared link is the first request of a freshly started server (after a deployment): the
    page must come through app.py (its navigation in French, its page set-up), with the link's
    filters."""
    with (serveur_streamlit(exemple_navigateur[0], tmp_path) as url,
          onglet(navigateur, url) as page,
          Captures(page, "lien_direct") as capture):
        page.goto(f"{url}/controles?annee=2025&trimestre=2")       # a page file, not "/"
        verifier_page(page, "Contrôles")
        capture("controles")
        assert navigation(page) == NAVIGATION
        expect(barre(page).get_by_role("combobox", name="Année", exact=True)).to_have_value("2025")
        expect(barre(page).get_by_role("combobox", name="Bilan au", exact=True)).to_have_value(
            "T2 — 30/06")
        expect(page).to_have_url(url_avec(annee="2025", trimestre="2"))


def test_parcours(navigateur, serveur, exemple_navigateur):
    _, code_bailleur, nom_bailleur = exemple_navigateur
    with onglet(navigateur, serveur) as page, Captures(page, "parcours") as capture:
        _toutes_les_pages(page, serveur, capture)
        _filtres_du_bilan(page, serveur, capture, code_bailleur, nom_bailleur)
        _mode_presentation(page, serveur, capture)
        _verification_d_un_import(page, serveur, capture)


def test_changer_d_annee_garde_le_trimestre(navigateur, serveur):
    with onglet(navigateur, serveur) as page, Captures(page, "trimestre") as capture:
        trimestre = barre(page).get_by_role("combobox", name="Bilan au", exact=True)
        # The filters are the same on every bilan page: the Accueil, the lightest, shows the bug.
        with prealable("ouvrir l'accueil au T3 2026, choisir 2025 puis « Baux signés »"):
            page.goto(serveur + "/?annee=2026&trimestre=3")
            verifier_page(page, PAGES[0][2])
            expect(trimestre).to_have_value("T3 — 30/09")
            choisir(page, "Année", "2025")
            expect(page).to_have_url(url_avec(annee="2025"))
            attendre_streamlit(page)
            capture("annee_2025")
            barre(page).get_by_text("Baux signés", exact=True).click()
            expect(page).to_have_url(url_avec(vue="baux"))
            verifier_page(page, PAGES[0][2])
            capture("decompte_baux")
        # The run is over: what is shown now is final (short waits, no 30 s on a known failure).
        expect(page).to_have_url(url_avec(annee="2025", trimestre="3", vue="baux"), timeout=1000)
        expect(trimestre).to_have_value("T3 — 30/09", timeout=1000)


def test_changer_de_page_garde_les_filtres(navigateur, serveur):
    with onglet(navigateur, serveur) as page, Captures(page, "changement_de_page") as capture:
        annee = barre(page).get_by_role("combobox", name="Année", exact=True)
        trimestre = barre(page).get_by_role("combobox", name="Bilan au", exact=True)
        with prealable("ouvrir l'accueil au T2 2025, puis les contrôles par la barre latérale"):
            page.goto(serveur + "/?annee=2025&trimestre=2")
            verifier_page(page, PAGES[0][2])
            expect(annee).to_have_value("2025")
            capture("accueil_2025_t2")
            page.locator('[data-testid="stSidebarNav"]').get_by_role(
                "link", name="Contrôles", exact=True).click()
            expect(page).to_have_url(re.compile(rf"^{re.escape(serveur)}/controles(\?|$)"))
            verifier_page(page, "Contrôles")
            capture("controles")
        expect(annee).to_have_value("2025", timeout=1000)
        expect(trimestre).to_have_value("T2 — 30/06", timeout=1000)
        expect(page).to_have_url(url_avec(annee="2025", trimestre="2"), timeout=1000)


def _toutes_les_pages(page: Page, url: str, capture: Captures) -> None:
    """Every page, from the sidebar, as a person opening the app would; the Bilan last, where
    the next step goes on."""
    page.goto(url + "/")
    verifier_page(page, PAGES[0][2])
    assert navigation(page) == NAVIGATION
    capture("accueil")
    for chemin, libelle, titre in PAGES[2:] + PAGES[1:2]:
        page.locator('[data-testid="stSidebarNav"]').get_by_role(
            "link", name=libelle, exact=True).click()
        expect(page).to_have_url(re.compile(rf"^{re.escape(url)}/{chemin}(\?|$)"))
        verifier_page(page, titre)
        capture(chemin or "accueil")


def _filtres_du_bilan(page: Page, url: str, capture: Captures, code: str, nom: str) -> None:
    """On the Bilan page: filters changed with the widgets go to the URL; a reload (a new
    session: the URL wins) shows the same selection."""
    expect(page).to_have_url(re.compile(rf"^{re.escape(url)}/bilan(\?|$)"))
    choisir(page, "Année", "2025")
    expect(page).to_have_url(url_avec(annee="2025"))
    attendre_streamlit(page)
    choisir(page, "Bailleur", nom)
    page.keyboard.press("Escape")                        # close the multiselect's list
    expect(page).to_have_url(url_avec(annee="2025", bailleur=code))
    verifier_page(page, "Bilan trimestriel")
    entete = page.locator('[data-testid="stCaptionContainer"]').first
    expect(entete).to_contain_text("(cumul depuis le 01/01/2025)")
    expect(entete).to_contain_text(f"bailleur {code}")
    capture("bilan_filtre")

    page.reload()
    verifier_page(page, "Bilan trimestriel")
    expect(page).to_have_url(url_avec(annee="2025", bailleur=code))
    expect(barre(page).get_by_role("combobox", name="Année", exact=True)).to_have_value("2025")
    expect(etiquettes(page, "Bailleur")).to_have_text([nom])
    # The quarter shown is the URL's (which one it is: see test_changer_d_annee_garde_le_trimestre).
    fin = {"1": "31/03", "2": "30/06", "3": "30/09", "4": "31/12"}[parametres(page)["trimestre"]]
    expect(barre(page).get_by_role("combobox", name="Bilan au", exact=True)).to_have_value(
        re.compile(rf"^T\d — {fin}$"))
    expect(entete).to_contain_text(f"Bilan au {fin}/2025")
    lien = page.get_by_role("link", name=re.compile("Mode présentation"))
    expect(lien).to_have_attribute("href", url_avec(mode="presentation", bailleur=code))
    capture("bilan_recharge")


def _mode_presentation(page: Page, url: str, capture: Captures) -> None:
    """No sidebar, one slide with its takeaway; "Suivante ▶" → slide 2, in the URL too."""
    page.goto(url + "/bilan?annee=2025&trimestre=2&mode=presentation")
    attendre_streamlit(page)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    expect(barre(page)).to_be_hidden()
    message = page.locator(".flux-message")
    expect(message).to_have_text(re.compile(r"\w"))
    # as many slides as the page has parts (counted on the page: it grows with the bilan)
    numero = page.get_by_text(re.compile(r"^1 / \d+$"))
    expect(numero).to_be_visible()
    n = int(numero.inner_text().split("/")[1])
    assert n >= 8
    expect(page).to_have_url(url_avec(mode="presentation", diapo="1"))
    premier = message.inner_text()
    capture("presentation_1")
    page.get_by_role("button", name="Suivante ▶").click()
    expect(page).to_have_url(url_avec(mode="presentation", diapo="2"))
    attendre_streamlit(page)
    expect(page.get_by_text(f"2 / {n}", exact=True)).to_be_visible()
    expect(message).to_have_text(re.compile(r"\w"))
    expect(message).not_to_have_text(premier)
    expect(page.get_by_role("button", name="◀ Précédente")).to_be_enabled()
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    capture("presentation_2")


def _verification_d_un_import(page: Page, url: str, capture: Captures) -> None:
    """A CSV uploaded through the file input is verified; nothing is imported yet."""
    page.goto(url + "/importer")
    verifier_page(page, "Importer des données")
    choisir(page, "Type de données", "Mises à disposition")
    attendre_streamlit(page)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(
        files=[{"name": "export_ols01.csv", "mimeType": "text/csv", "buffer": EXPORT_VALIDE}])
    expect(page.get_by_text("Prêt à importer 2 ligne(s).", exact=True)).to_be_visible()
    verifier_page(page, "Importer des données")
    expect(page.get_by_role("heading", name="Vérification")).to_be_visible()
    expect(page.get_by_role("button", name="Importer", exact=True)).to_be_enabled()
    capture("importer_verification")


def test_telechargements(navigateur, serveur, exemple_navigateur, tmp_path):
    """The downloads work from the browser: the yearly bilan of ETAT-13 as .xlsx (its total is
    the engine's) and the quarterly HTML report (self-contained)."""
    import openpyxl

    from dashboard.initialisation import ouvrir

    con = ouvrir(exemple_navigateur[0])
    try:
        moteur = metrics.total(con, 2025, 4, filtres=metrics.Filtres(reservataire=["ETAT-13"]))
    finally:
        con.close()
    with onglet(navigateur, serveur) as page, Captures(page, "telechargements") as capture:
        page.goto(serveur + "/bilans-annuels?annee=2025&reservataire=ETAT-13")
        verifier_page(page, "Bilans annuels réservataires")
        capture("bilans_annuels")
        with page.expect_download() as attente:
            page.get_by_role("button", name="Bilan 2025 de ETAT-13 (.xlsx)").click()
        telecharge = attente.value
        assert telecharge.suggested_filename == "bilan_annuel_2025_ETAT-13.xlsx"
        chemin = tmp_path / telecharge.suggested_filename
        telecharge.save_as(chemin)
        total = [c.value for c in list(openpyxl.load_workbook(chemin)["Synthèse"].iter_rows())[-1]]
        assert total[3:5] == [int(moteur.iloc[0]["mises_a_disposition"]),
                              int(moteur.iloc[0]["baux_signes"])]

        page.goto(serveur + "/bilan?annee=2025&trimestre=2")
        verifier_page(page, "Bilan trimestriel")
        with page.expect_download() as attente:
            page.get_by_role("button", name="Rapport HTML (graphiques)").click()
        rapport = tmp_path / "rapport.html"
        attente.value.save_as(rapport)
        texte = rapport.read_text(encoding="utf-8")
        assert "Bilan trimestriel au 30/06/2025" in texte
        assert not re.search(r"<(?:script|link|img)[^>]+(?:src|href)=", texte)
