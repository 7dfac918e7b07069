"""Long work tells its progress in words and figures (issue 13): the import pipeline's stages
(reading, checking, writing, with their line counts) and the zip of every yearly bilan (bilan k
of n), through the optional callbacks the pages show in a status box or a progress bar; the
pages' AppTests are in test_page_importer.py and test_export_pages.py."""

from __future__ import annotations

import io
import zipfile

import pytest
from conftest import importer

from dashboard.exports import bilan_annuel as export_annuel
from dashboard.initialisation import ouvrir
from dashboard.metrics import bilan_annuel
from data_loaders import IMPORTE, REJETE

ENTETE = "Code bailleur;N° de référence;Date MAD;Code INSEE;Catégorie;Contingent;Issue\n"
LIGNES = "".join(f"OLS01;P{i};15/03/2025;13055;Mutation interne;;En cours\n"
                 for i in range(1, 1235))
FICHIER = (ENTETE + LIGNES).encode("cp1252")
NNBSP = "\u202f"


def test_les_etapes_d_un_import_avec_leurs_nombres_de_lignes(base):
    etapes: list[str] = []
    rapport = importer(base, "mises_a_disposition", FICHIER, nom_fichier="export.csv",
                       progression=etapes.append)
    assert rapport.statut == IMPORTE and rapport.lignes_importees == 1234
    assert etapes == ["Lecture du fichier…", f"Vérification de 1{NNBSP}234 lignes…",
                      f"Écriture de 1{NNBSP}234 lignes…"]


def test_une_verification_n_ecrit_pas(base):
    etapes: list[str] = []
    importer(base, "mises_a_disposition", (ENTETE + LIGNES.splitlines(True)[0]).encode("cp1252"),
             nom_fichier="export.csv", simulation=True, progression=etapes.append)
    assert etapes == ["Lecture du fichier…", "Vérification de 1 ligne…"]


def test_un_fichier_refuse_a_la_lecture_s_arrete_a_la_lecture(base):
    etapes: list[str] = []
    rapport = importer(base, "parc", FICHIER, nom_fichier="export.csv", progression=etapes.append)
    assert rapport.statut == REJETE                  # the parc's columns are missing
    assert etapes == ["Lecture du fichier…"]


def test_l_archive_des_bilans_dit_chaque_bilan(base_exemple):
    con = ouvrir(base_exemple)
    try:
        attendus = list(bilan_annuel.reservataires(con, 2025, "OLS05")["reservataire_code"])
        appels: list[tuple[int, int, str]] = []
        contenu, _ = export_annuel.archive(con, 2025, "OLS05",
                                           progression=lambda k, n, code: appels.append(
                                               (k, n, code)))
    finally:
        con.close()
    n = len(attendus)
    assert n > 1
    assert appels == [(k, n, code) for k, code in enumerate(attendus, start=1)]
    with zipfile.ZipFile(io.BytesIO(contenu)) as zf:
        assert len([x for x in zf.namelist() if x.endswith(".xlsx")]) == n


@pytest.mark.parametrize("k, n, nom, code, attendu", [
    (12, 40, "Préfet des Bouches-du-Rhône", "ETAT-13",
     "Bilan 12 sur 40 : Préfet des Bouches-du-Rhône (ETAT-13)"),
    (1, 1, "Ville *de* Nice", "COM-06088", "Bilan 1 sur 1 : Ville \\*de\\* Nice (COM-06088)"),
])
def test_texte_de_l_avancement(k, n, nom, code, attendu):
    from dashboard.ui.archives import texte_avancement

    assert texte_avancement(k, n, nom, code) == attendu
