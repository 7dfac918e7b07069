"""The 'Importer des données' page, driven by Streamlit's AppTest (uploads included)."""

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.initialisation import initialiser
from dashboard.ui import etat

ENTETE = ("Code bailleur;N° de référence;Date MAD;Code INSEE;Catégorie;Contingent;Issue;"
          "Date du bail\n")
VALIDE = (ENTETE
          + "OLS01;R1;15/03/2025;13055;Flux réservataire;ALS;Bail signé;01/04/2025\n"
          + "OLS01;R2;16/03/2025;04070;Mutation interne;;En cours;\n").encode("cp1252")
INVALIDE = (ENTETE
            + "OLS01;R1;15/03/2025;13055;Flux réservataire;ALS;Bail signé;01/04/2025\n"
            + "OLS01;R2;31/02/2025;04070;Mutation interne;;En cours;\n"
            + "OLS01;R3;16/03/2025;99999;Flux réservataire;ALS;En cours;\n").encode("cp1252")


@pytest.fixture
def page(tmp_path, monkeypatch):
    fichier = tmp_path / "flux.duckdb"
    con, _ = initialiser(fichier)          # reference territories, no sample: a fast start
    con.close()
    monkeypatch.setenv("FLUX_DB", str(fichier))
    at = AppTest.from_file("../app.py", default_timeout=60)
    at.switch_page("pages/importer.py").run()
    assert not at.exception
    return at


def _tableau(at, colonne: str):
    """The (last) table shown that has this column."""
    tables = [d.value for d in at.dataframe if colonne in d.value.columns]
    assert tables, f"aucun tableau avec la colonne {colonne}"
    return tables[-1]


def _deposer(at, contenu: bytes, nom="export.csv", type_donnees="mises_a_disposition"):
    at.selectbox(key=etat.IMPORT_TYPE).select(type_donnees).run()
    at.file_uploader(key=etat.IMPORT_FICHIER).set_value((nom, contenu, "text/csv")).run()
    assert not at.exception


def test_page_vide(page):
    assert page.title[0].value == "Importer des données"
    assert [i.value for i in page.info] == [
        "Choisissez le type de données puis déposez un fichier pour le vérifier.",
        "Aucun import pour l'instant : déposez un premier fichier ci-dessus."]


def test_verification_puis_import_d_un_fichier_valide(page):
    _deposer(page, VALIDE)
    detection = page.markdown[0].value
    assert "Windows-1252" in detection and "point-virgule" in detection
    assert "**Lignes lues** : 2" in detection
    assert [s.value for s in page.success] == ["Prêt à importer 2 ligne(s)."]
    bouton = page.button(key=etat.IMPORT_BOUTON)
    assert not bouton.disabled
    bouton.click().run()
    assert not page.exception
    assert [s.value for s in page.success] == ["Import n° 1 : 2 ligne(s) importée(s)."]
    journal = _tableau(page, "statut")
    assert list(journal["import_id"]) == [1]
    assert list(journal["type_donnees"]) == ["Mises à disposition"]
    assert list(journal["statut"]) == ["En vigueur"]
    assert list(journal["lignes_importees"]) == [2]
    # The same file again: nothing to do, and the page says so.
    page.run()
    assert [i.value for i in page.info] == [
        "Ce fichier a déjà été importé (import n° 1) pour le même périmètre : rien n'a changé."]


def test_fichier_invalide_rapport_puis_import_partiel(page):
    _deposer(page, INVALIDE)
    assert page.error[0].value.startswith("Fichier rejeté : 2 ligne(s) en erreur sur 3.")
    erreurs = _tableau(page, "message")         # the validation report
    assert list(erreurs["ligne"]) == [3, 4]
    assert list(erreurs["colonne"]) == ["date_mise_a_disposition", "code_insee"]
    assert list(erreurs["en_tete"]) == ["Date MAD", "Code INSEE"]
    assert list(erreurs["valeur"]) == ["31/02/2025", "99999"]
    assert page.button(key=etat.IMPORT_BOUTON).disabled
    assert page.get("download_button")[0].proto.label == (
        "Télécharger le rapport de vérification (CSV)")

    page.checkbox(key=etat.IMPORT_PARTIEL).check().run()
    assert [w.value for w in page.warning] == [
        "Prêt à importer 1 ligne(s) ; 2 ligne(s) iront en quarantaine."]
    page.button(key=etat.IMPORT_BOUTON).click().run()
    assert not page.exception
    assert [w.value for w in page.warning] == [
        "Import n° 1 : 1 ligne(s) importée(s), 2 ligne(s) mise(s) en quarantaine."]


def test_mauvais_type_de_donnees_dit_les_colonnes_manquantes(page):
    _deposer(page, VALIDE, type_donnees="parc")
    assert page.error[0].value.startswith("Fichier rejeté : ")
    erreurs = _tableau(page, "message")
    assert list(erreurs["colonne"]) == ["annee", "parc_total"]
    assert all("« Code bailleur »" in m for m in erreurs["message"])   # headers found listed
    assert [i.value for i in page.info][0] == (
        "Ce fichier ressemble plutôt à des « mises à disposition » : choisissez ce type de "
        "données ci-dessus.")



def test_annulation_depuis_la_page(page):
    _deposer(page, VALIDE)
    page.button(key=etat.IMPORT_BOUTON).click().run()
    page.number_input(key=etat.ANNULATION_ID).set_value(1).run()
    page.button(key=etat.ANNULATION_BOUTON).click().run()
    assert not page.exception
    # The file is still there, so it can be imported again; the rollback is confirmed.
    assert [s.value for s in page.success] == ["Prêt à importer 2 ligne(s).", "Import n° 1 annulé."]
    assert list(_tableau(page, "statut")["statut"]) == ["Annulé"]


def test_annulation_refusee_est_expliquee(page):
    page.number_input(key=etat.ANNULATION_ID).set_value(42).run()
    page.button(key=etat.ANNULATION_BOUTON).click().run()
    assert [e.value for e in page.error] == ["Aucun import n° 42 dans le journal."]
