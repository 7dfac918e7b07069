"""HTML, script and Markdown sent in a file are shown as text on the import page, never as markup.

The 'Importer des données' page (pages/importer.py, drawn by dashboard/ui/imports.py) is driven
by Streamlit's AppTest with files of the hostile corpus (tests/fichiers_hostiles/). What a file
holds may appear in tables (st.dataframe shows cells as text); it must never appear verbatim in
an element whose body is Markdown (st.markdown, st.caption, st.error, st.warning, st.info,
st.success…), where a link, an image (an outside request) or emphasis would be rendered.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.initialisation import initialiser
from dashboard.ui import etat

CORPUS_DIR = Path(__file__).resolve().parent / "fichiers_hostiles"
# Markup a hostile file carries; none may reach a Markdown body as written.
PIEGES = ("<script>", "<img", "](https://attaquant.example/)", "**urgent**", "__Gras__")
ELEMENTS_MARKDOWN = ("markdown", "caption", "error", "warning", "info", "success", "subheader",
                     "title", "header", "toast", "exception")


@pytest.fixture
def page(tmp_path, monkeypatch):
    fichier = tmp_path / "flux.duckdb"
    con, _ = initialiser(fichier)          # reference territories only: a fast start
    con.close()
    monkeypatch.setenv("FLUX_DB", str(fichier))
    monkeypatch.delenv("FLUX_ROLES", raising=False)
    at = AppTest.from_file("../app.py", default_timeout=60)
    at.switch_page("pages/importer.py").run()
    assert not at.exception
    return at


def _deposer(at, contenu: bytes, nom: str, type_donnees: str):
    at.selectbox(key=etat.IMPORT_TYPE).select(type_donnees).run()
    mime = "text/csv" if nom.endswith(".csv") else (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    at.file_uploader(key=etat.IMPORT_FICHIER).set_value((nom, contenu, mime)).run()
    assert not at.exception


def _corps_markdown(at) -> list[str]:
    corps = []
    for nom in ELEMENTS_MARKDOWN:
        for element in at.get(nom):
            valeur = getattr(element, "value", None)
            if isinstance(valeur, str):
                corps.append(valeur)
            proto = getattr(element, "proto", None)
            for attribut in ("body", "label", "help"):
                texte = getattr(proto, attribut, None)
                if isinstance(texte, str) and texte:
                    corps.append(texte)
    return corps


def _verifier_aucun_piege_en_markdown(at) -> None:
    """No markup of the file is left active: once every backslash-escaped sign is taken out
    (Markdown shows "\\<" as "<"), none of the traps may remain."""
    actifs = [(re.sub(r"\\.", "", c), c) for c in _corps_markdown(at)]
    fautifs = [(p, c) for sans_echappes, c in actifs for p in PIEGES if p in sans_echappes]
    assert not fautifs, f"balisage d'un fichier rendu tel quel : {fautifs}"


def _cellules(at) -> set[str]:
    return {str(v) for d in at.dataframe for v in d.value.astype(str).to_numpy().ravel()}


def test_textes_html_d_un_fichier_accepte_montres_comme_texte(page):
    _deposer(page, (CORPUS_DIR / "conventions_html_script.csv").read_bytes(),
             "conventions_html_script.csv", "conventions")
    # The preview shows the cells as they will be stored, in a table.
    cellules = _cellules(page)
    assert '<script>alert("flux")</script>' in cellules
    assert "<img src=x onerror=alert(1)>" in cellules
    _verifier_aucun_piege_en_markdown(page)
    page.button(key=etat.IMPORT_BOUTON).click().run()
    assert not page.exception
    assert [s.value for s in page.success] == ["Import n° 1 : 1 ligne(s) importée(s)."]
    _verifier_aucun_piege_en_markdown(page)


def test_en_tetes_piegees_d_un_fichier_rejete_montrees_comme_texte(page):
    _deposer(page, (CORPUS_DIR / "mad_entetes_piegees.csv").read_bytes(),
             "mad_entetes_piegees.csv", "mises_a_disposition")
    assert page.error, "le fichier doit être rejeté"
    messages = [m for d in page.dataframe if "message" in d.value.columns
                for m in d.value["message"]]
    assert any("<script>alert('entete')</script>" in m for m in messages)
    _verifier_aucun_piege_en_markdown(page)


def test_nom_de_feuille_et_colonnes_ignorees_montres_comme_texte(page):
    classeur = openpyxl.Workbook()
    feuille = classeur.active
    feuille.title = "__Gras__ <img src=x>"
    feuille.append(["Code bailleur", "N° de référence", "Date MAD", "Code INSEE", "Catégorie",
                    "Contingent", "[Note](https://attaquant.example/)"])
    feuille.append(["OLS01", "OLS01-2025-900001", "03/02/2025", "13055", "Flux réservataire",
                    "ETAT-13", "rien"])
    tampon = io.BytesIO()
    classeur.save(tampon)
    _deposer(page, tampon.getvalue(), "classeur.xlsx", "mises_a_disposition")
    assert [s.value for s in page.success] == ["Prêt à importer 1 ligne(s)."]
    _verifier_aucun_piege_en_markdown(page)
