"""Unknown réservataires identified in a real browser (issue 12): Debian's Chromium driven by
Playwright, on a Streamlit server of its own (a private copy of the sample database), as in
test_navigateur.py whose server, browser and helpers this file reuses.

A bailleur's first upload of an export naming two réservataires nobody knows yet: the page lists
them with their lines, the person picks an identity for each (one of them a new « Autre »
réservataire), confirms, and the file is imported. Any request the browser makes outside the
local server fails the test. Screenshots in ``test-artifacts/screenshots/reservataires_*.png``.
"""

from __future__ import annotations

import re
import warnings

import pytest
from playwright.sync_api import expect
from test_navigateur import (  # noqa: F401 - fixtures used by name
    Captures,
    attendre_streamlit,
    choisir,
    exemple_navigateur,
    onglet,
    serveur_streamlit,
    verifier_page,
)

# OLS01's export as its software writes it: « PREFECTURE ZZ » is the préfet of the line's
# département (recognised), the two others are unknown to the referential.
EXPORT = (
    "Code bailleur;N° de référence;Date MAD;Code INSEE;Catégorie;Contingent;Issue\n"
    "OLS01;NAV-R1;15/03/2025;13055;Flux réservataire;PREFECTURE ZZ;En cours\n"
    "OLS01;NAV-R2;16/03/2025;13055;Flux réservataire;Fondation Zéphyr;En cours\n"
    "OLS01;NAV-R3;16/03/2025;04070;Flux réservataire;Bailleur social X contingent;En cours\n"
    "OLS01;NAV-R4;17/03/2025;04070;Flux réservataire;Bailleur social X contingent;En cours\n"
).encode("cp1252")


@pytest.fixture
def page_locale(navigateur, exemple_navigateur, tmp_path):
    """A browser tab on a server of this test; a request outside it is an error, not a
    warning."""
    with serveur_streamlit(exemple_navigateur[0], tmp_path) as url:
        with warnings.catch_warnings():
            warnings.filterwarnings("error", message="Requêtes hors du serveur local")
            with onglet(navigateur, url) as page:
                yield page, url


def test_premier_depot_reservataires_identifies_puis_import(page_locale):
    page, url = page_locale
    with Captures(page, "reservataires") as capture:
        page.goto(url + "/importer")
        verifier_page(page, "Importer des données")
        choisir(page, "Type de données", "Mises à disposition")
        attendre_streamlit(page)
        page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(
            files=[{"name": "export_ols01_mars.csv", "mimeType": "text/csv", "buffer": EXPORT}])
        expect(page.get_by_role("heading", name="Réservataires à identifier")).to_be_visible()
        verifier_page(page, "Importer des données")
        expect(page.get_by_text(re.compile(r"^Fichier rejeté : 3 ligne\(s\) en erreur sur 4\."))
               ).to_be_visible()
        importer = page.get_by_role("button", name="Importer", exact=True)
        expect(importer).to_be_disabled()
        page.get_by_role("heading", name="Réservataires à identifier").scroll_into_view_if_needed()
        capture("a_identifier")

        choisir(page, "« Bailleur social X contingent » — 2 lignes",
                "Créer un réservataire Autre : AUT-BSXC — Bailleur social X contingent")
        attendre_streamlit(page)
        choisir(page, "« Fondation Zéphyr » — 1 ligne", "ALS — Action Logement Services")
        attendre_streamlit(page)
        capture("choisis")

        page.get_by_role("button", name="Enregistrer les correspondances et importer").click()
        expect(page.get_by_text(re.compile(r"^Import n° \d+ : 4 ligne\(s\) importée\(s\)"))
               ).to_be_visible()
        verifier_page(page, "Importer des données")
        expect(page.get_by_text(
            "Bailleur OLS01 : 2 correspondances enregistrées ; 0 ligne rattachée ; "
            "réservataire(s) créé(s) : AUT-BSXC.", exact=True)).to_be_visible()
        capture("importe")

        # The new correspondences, on their page.
        page.locator('[data-testid="stSidebarNav"]').get_by_role(
            "link", name="Réservataires et correspondances", exact=True).click()
        expect(page).to_have_url(re.compile(rf"^{re.escape(url)}/reservataires(\?|$)"))
        verifier_page(page, "Réservataires et correspondances")
        choisir(page, "Bailleur", "OLS01")
        attendre_streamlit(page)
        expect(page.get_by_text("2 correspondances.", exact=True)).to_be_visible()
        page.get_by_role("heading", name="Correspondances des bailleurs"
                         ).scroll_into_view_if_needed()
        capture("correspondances")


# An export whose date header no rule recognises.
EXPORT_JOUR = (
    "Code bailleur;N° de référence;Jour d'orientation;Code INSEE;Catégorie;Contingent\n"
    "OLS01;NAV-J1;15/03/2023;13055;Flux réservataire;ALS\n"
    "OLS01;NAV-J2;16/03/2023;04070;Mutation interne;\n").encode("utf-8")


def test_colonnes_associees_a_la_main(page_locale):
    page, url = page_locale
    with Captures(page, "colonnes_a_la_main") as capture:
        page.goto(url + "/importer")
        verifier_page(page, "Importer des données")
        choisir(page, "Type de données", "Mises à disposition")
        attendre_streamlit(page)
        page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(
            files=[{"name": "export_jour.csv", "mimeType": "text/csv", "buffer": EXPORT_JOUR}])
        expect(page.get_by_text(re.compile(r"^Fichier rejeté : Colonne obligatoire"))
               ).to_be_visible()
        verifier_page(page, "Importer des données")
        date = page.get_by_role("combobox", name="Date de mise à disposition (obligatoire)",
                                exact=True)
        date.scroll_into_view_if_needed()
        capture("rejete")
        choisir(page, "Date de mise à disposition (obligatoire)",
                "Jour d'orientation (ex. : 15/03/2023, 16/03/2023)")
        page.get_by_role("button", name="Appliquer cette correspondance").click()
        expect(page.get_by_text("Prêt à importer 2 ligne(s).", exact=True)).to_be_visible()
        verifier_page(page, "Importer des données")
        expect(date).to_have_value("Jour d'orientation (ex. : 15/03/2023, 16/03/2023)")
        date.scroll_into_view_if_needed()
        capture("applique")
        page.get_by_role("button", name="Importer", exact=True).click()
        expect(page.get_by_text(re.compile(r"^Import n° \d+ : 2 ligne\(s\) importée\(s\)\.$"))
               ).to_be_visible()
        expect(page.get_by_text(re.compile(r"^Correspondance des colonnes enregistrée"))
               ).to_be_visible()
        verifier_page(page, "Importer des données")
        capture("importe")
