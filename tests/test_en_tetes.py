"""Every table heading a person sees is a French label from one place (issue 13): a column's
heading is ``formatting.EN_TETES`` (``formatting.en_tete``), or a label a table declares for
itself (a ``column_config``, the detail's ``EN_TETES_DETAIL``, the yearly bilan's headings, a
map's table) — never a column's code with its underscores turned into spaces (« Mad annee »,
« Signees cumulees », « Nb epci »).

Every page is run with AppTest on the sample database (the import page with a file, the
Signatures page with its maps by département and by EPCI, the Orientation page with droits
acquis to convert), and each table's headings are read as shown: the frame's columns, or the
label its ``column_config`` gives them.
"""

from __future__ import annotations

import json

import pytest
from conftest import page_app
from streamlit.testing.v1 import AppTest

from dashboard import contenu_cartes
from dashboard.contenu_bilan import lecteur
from dashboard.exports import bilan_annuel as export_annuel
from dashboard.formatting import EN_TETES
from dashboard.initialisation import ouvrir
from dashboard.metrics import Filtres, bilan_annuel
from dashboard.metrics.detail import EN_TETES_DETAIL
from dashboard.ui import etat
from data_loaders import JEUX

EXPORT = ("Code bailleur;N° de référence;Date MAD;Code INSEE;Catégorie;Contingent;Issue;"
          "Date du bail;QPV\n"
          "OLS01;T-1;15/03/2025;13055;Flux réservataire;ALS;Bail signé;01/04/2025;Oui\n"
          "OLS01;T-2;16/03/2025;04070;Mutation interne;;En cours;;Non\n"
          "OLS01;T-3;31/02/2025;04070;Mutation interne;;En cours;;Non\n").encode("cp1252")


@pytest.fixture(scope="module")
def declares(base_exemple) -> set[str]:
    """The headings tables declare for themselves: the detail of MAD, the yearly bilan's, the
    maps' (built on the sample for each of their indicators)."""
    vus = set(EN_TETES_DETAIL.values()) | set(export_annuel.EN_TETES_SYNTHESE.values())
    for axe in bilan_annuel.AXES_BILAN_ANNUEL:
        vus |= set(export_annuel.en_tetes_repartition(axe).values())
    vus |= set(export_annuel.en_tetes_hors_flux(2025).values())
    con = ouvrir(base_exemple)
    try:
        obtenir = lecteur(con)
        parties = [contenu_cartes.partie_carte_epci(obtenir, 2025, 2, "mad", Filtres(), v)
                   for v in contenu_cartes.INDICATEURS_CARTE_BILAN]
        parties += [contenu_cartes.partie_carte_communes(obtenir, 2025, 2, "mad",
                                                         Filtres(departement=("13",)), v)
                    for v in contenu_cartes.INDICATEURS_CARTE_COMMUNES]
        parties += [contenu_cartes.partie_signatures(obtenir, 2025, Filtres(), m, p, v)
                    for m in contenu_cartes.MAILLES_SIGNATURES
                    for p in contenu_cartes.PERIMETRES_SIGNATURES
                    for v in contenu_cartes.INDICATEURS_SIGNATURES]
        parties += [contenu_cartes.partie_documents(obtenir, d) for d in contenu_cartes.DOCUMENTS]
    finally:
        con.close()
    for partie in parties:
        vus |= set((partie.en_tetes or {}).values())
    return vus


def en_tetes_affiches(at) -> list[list[tuple[str, bool]]]:
    """Each table's headings as shown, each with whether a ``column_config`` gives it (a label
    the table declares) or it is the frame's own column name."""
    tables = []
    for d in at.dataframe:
        config = json.loads(d.proto.columns) if d.proto.columns else {}
        tables.append([((config.get(str(c)) or {}).get("label") or str(c),
                        bool((config.get(str(c)) or {}).get("label"))) for c in d.value.columns])
    return tables


def _page(chemin: str, **parametres) -> AppTest:
    return page_app(chemin, delai=180, app_d_abord=True, **parametres)


def inconnus(titres: list[tuple[str, bool]], declares: set[str]) -> list[str]:
    """The headings that are neither one of EN_TETES, nor declared by their table: a column's
    code shown with its underscores as spaces (``en_tete``'s fallback), such as « Mad annee »."""
    permis = set(EN_TETES.values()) | declares
    return [t for t, configure in titres if not configure and t not in permis]


def test_un_code_affiche_tel_quel_est_vu(declares):
    assert inconnus([("Mad annee", False), ("Nb epci", False), ("Signees cumulees", False)],
                    declares) == ["Mad annee", "Nb epci", "Signees cumulees"]
    assert inconnus([("MAD de l'année", False), ("Territoire", True)], declares) == []


def _verifier(at, declares: set[str]) -> int:
    n = 0
    for titres in en_tetes_affiches(at):
        restants = inconnus(titres, declares)
        assert not restants, f"en-têtes hors EN_TETES : {restants} (tableau {titres})"
        n += 1
    return n


PAGES = ["accueil", "bilan", "mises-a-disposition", "assiette", "controles", "signatures",
         "orientation", "bilans-annuels", "reservataires"]


@pytest.mark.parametrize("page", PAGES)
def test_en_tetes_francais_de_chaque_page(exemple, declares, page):
    at = _page(f"pages/{page}.py", annee="2025", trimestre="2")
    assert _verifier(at, declares) >= 1


def test_en_tetes_des_cartes_par_departement_et_des_droits_acquis(exemple, declares):
    at = _page("pages/signatures.py", annee="2025")
    at.radio(key="carte_signatures_maille").set_value("departement").run()
    assert not at.exception
    _verifier(at, declares)
    at = _page("pages/orientation.py")
    at.text_area(key="orientation_da_programmes").input("Les Oliviers ; 40").run()
    assert not at.exception
    assert any(("Droits uniques par an", False) in t for t in en_tetes_affiches(at))
    _verifier(at, declares)


def test_en_tetes_de_l_import_d_un_fichier(exemple, declares):
    at = _page("pages/importer.py")
    at.selectbox(key=etat.IMPORT_TYPE).select("mises_a_disposition").run()
    at.file_uploader(key=etat.IMPORT_FICHIER).set_value(("export.csv", EXPORT, "text/csv")).run()
    assert not at.exception
    # the preview (French headings and cells: dates, Oui/Non, « — »), the matching, the errors
    apercu = next(d.value for d in at.dataframe if "Date de mise à disposition" in d.value.columns)
    assert list(apercu["Date de mise à disposition"])[:2] == ["15/03/2025", "16/03/2025"]
    assert list(apercu["QPV"])[:2] == ["Oui", "Non"]
    assert list(apercu["Date du bail"])[1] == "—"
    assert _verifier(at, declares) >= 3


def test_chaque_colonne_des_jeux_a_son_en_tete():
    """The imported datasets' columns (shown in the import's preview) are all in EN_TETES."""
    assert [c.nom for j in JEUX.values() for c in j.colonnes if c.nom not in EN_TETES] == []


def test_rapport_de_verification_en_francais(base):
    """The CSV of a check's errors has the headings of the table the page shows."""
    from conftest import importer

    from dashboard.ui.imports import rapport_de_verification

    rapport = importer(base, "mises_a_disposition", EXPORT, nom_fichier="export.csv",
                       simulation=True)
    assert rapport.erreurs
    lignes = rapport_de_verification(rapport).decode("utf-8-sig").splitlines()
    assert lignes[0] == "Ligne;Colonne;En-tête du fichier;Valeur lue;Problème"
    assert lignes[1].startswith("4;date_mise_a_disposition;Date MAD;31/02/2025;")
