"""Links to the app's pages (``dashboard.ui.liens.lien_page``) work whether a page runs inside
app.py's navigation (``st.page_link``) or alone (a Markdown link to the page's address), so that
a page file runs on its own (AppTest of pages/bilan.py) without StreamlitPageNotFoundError."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from dashboard.ui.liens import ADRESSES, adresse


def _script_seul():
    from dashboard.ui.liens import lien_page

    lien_page("pages/mises-a-disposition.py", "Voir les 12 mises à disposition",
              icon=":material/table_rows:",
              query_params={"annee": "2025", "trimestre": "2", "bailleur": "OLS01,OLS02"})
    lien_page("pages/accueil.py", "Accueil")


def test_une_page_seule_ecrit_des_liens_vers_les_adresses():
    at = AppTest.from_function(_script_seul)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [m.value for m in at.markdown] == [
        "[Voir les 12 mises à disposition]"
        "(mises-a-disposition?annee=2025&trimestre=2&bailleur=OLS01,OLS02)",
        "[Accueil](./)"]


def test_dans_la_navigation_un_page_link(exemple):
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.query_params.update({"annee": "2025", "trimestre": "2", "bailleur": "OLS01"})
    at.run()
    at.switch_page("pages/mises-a-disposition.py").run()
    assert not at.exception
    liens = [p.proto for p in at.get("page_link")]
    assert [(p.label, p.page) for p in liens if p.page == "bilan"] == [
        ("Retour au bilan trimestriel", "bilan")]


def test_chaque_page_a_son_adresse():
    import re
    from pathlib import Path

    app = (Path(__file__).resolve().parents[1] / "app.py").read_text(encoding="utf-8")
    for page, chemin in ADRESSES.items():
        if page == "pages/accueil.py":
            assert adresse(page) == "./"         # the default page, at the app's root
            continue
        assert re.search(rf'"{re.escape(page)}".*?url_path="{re.escape(chemin)}"', app, re.S)


def test_chaque_adresse_est_le_nom_de_son_fichier():
    """A shared link works on a freshly started server: until a session has run app.py's
    ``st.navigation``, Streamlit finds a page by its file in pages/ (``amorcer`` then hands over
    to app.py); an address that is not a file's name got the « Page introuvable » dialog (it was
    the case of ``/mises-a-disposition`` and ``/bilans-annuels``, whose files had underscores)."""
    import re
    from pathlib import Path

    app = (Path(__file__).resolve().parents[1] / "app.py").read_text(encoding="utf-8")
    entrees = re.findall(r'st\.Page\("pages/([^"]+)\.py".*?url_path="([^"]+)"'
                         r'(?:, default=(True))?', app, re.S)
    assert len(entrees) == 11          # ten pages, the home page twice
    for fichier, chemin, defaut in entrees:
        if defaut:      # served at "/", whatever its url_path
            continue
        assert chemin == fichier, (fichier, chemin)
