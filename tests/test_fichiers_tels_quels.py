"""Files as bailleurs really send them (issue 12, data_loaders/lecture_*.py): title lines above the
header row, total and count lines at the end, a « Notice » sheet before the data, other headers
and extra columns. Line numbers stay those of the file (CSV) or of the sheet (Excel).

Every file goes through the real import (`importer`) on a real DuckDB store, except where the
reader itself is the subject (`lire`, without a dataset). Expected values are written by hand.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pytest
from conftest import (
    MAD_COLONNES,
    dt,
    erreurs,
    importer,
    instantane,
    mad,
    tableau,
    texte_csv,
)

from data_loaders.reading import choisir_entetes, est_total, lire
from data_loaders.specs import JEUX

ENTETES = ["Code bailleur", "Référence", "Date MAD", "Code INSEE", "Catégorie", "Contingent"]
TITRE = "Export des attributions – Bailleur X"
EDITE = "Édité le 02/04/2025"


def _references(con) -> list[tuple]:
    return con.execute("SELECT reference, code_insee FROM mises_a_disposition "
                       "ORDER BY reference").fetchall()


# ------------------------------------------------------------------ title lines (CSV)

def test_csv_lignes_de_titre_au_dessus_des_en_tetes(base, fichiers):
    texte = (f"{TITRE}\n{EDITE}\n\n"                                   # 1-3
             + ";".join(ENTETES) + "\n"                               # 4
             "OLS1;R1;15/03/2025;13055;Flux;ETAT-13\n"                # 5
             "OLS1;R2;15/03/2025;13999;Flux;ETAT-13\n"                # 6
             "OLS1;R3;15/03/2025;04070;Mutation;\n")                  # 7
    chemin = fichiers.texte(texte)
    rapport = importer(base, "mises_a_disposition", chemin)
    assert erreurs(rapport) == [(6, "code_insee", "13999")]
    lecture = rapport.lecture
    assert (lecture.ligne_entetes, lecture.lignes_titre) == (4, 3)
    assert lecture.titres == [TITRE, EDITE]
    assert lecture.entetes == ENTETES
    assert rapport.lignes_lues == 3
    assert lecture.description() == [
        ("Format", "CSV"), ("Encodage", "UTF-8"), ("Séparateur", "point-virgule"),
        ("Ligne des en-têtes", "ligne 4"), ("Lignes de titre ignorées", "3"),
        ("Lignes lues", "3")]
    rapport = importer(base, "mises_a_disposition", chemin, partiel=True)
    assert rapport.statut == "importe"
    assert base.execute("SELECT ligne, contenu FROM quarantaine").fetchall() == [
        (6, "OLS1;R2;15/03/2025;13999;Flux;ETAT-13")]
    assert _references(base) == [("R1", "13055"), ("R3", "04070")]


def test_csv_titre_bom_crlf_et_ligne_mal_formee(base, fichiers):
    # Excel's « CSV UTF-8 » (BOM, CRLF), a title, no blank line: DuckDB's reader skips the
    # title; a line with a wrong field count keeps its own number.
    texte = ("\ufeff" + TITRE + "\r\n" + ";".join(ENTETES) + "\r\n"        # 1, 2
             "OLS1;R1;15/03/2025;13055;Flux;ETAT-13\r\n"                  # 3
             "OLS1;R2;15/03/2025\r\n"                                     # 4
             "OLS1;R3;15/03/2025;13999;Flux;ETAT-13\r\n")                 # 5
    rapport = importer(base, "mises_a_disposition", fichiers.texte(texte))
    assert erreurs(rapport) == [(4, None, "OLS1;R2;15/03/2025"), (5, "code_insee", "13999")]
    assert "La ligne compte 3 champs au lieu de 6" in rapport.erreurs[0].message
    assert (rapport.lecture.ligne_entetes, rapport.lecture.encodage) == (2, "UTF-8 avec BOM")


def test_csv_titre_en_windows_1252_et_saut_de_ligne_entre_guillemets(base, fichiers):
    # Python's reader (a quoted line break): line numbers counted from the file's first line.
    texte = (TITRE + "\n\n" + ";".join(ENTETES) + "\n"                    # 1-3
             'OLS1;"R\n1";15/03/2025;13055;Flux;ETAT-13\n'                # 4-5
             "OLS1;R2;15/03/2025;13999;Flux;ETAT-13\n")                   # 6
    rapport = importer(base, "mises_a_disposition", fichiers.texte(texte, encodage="cp1252"))
    assert rapport.lecture.encodage == "Windows-1252"
    assert erreurs(rapport) == [(6, "code_insee", "13999")]


def test_csv_separateur_lu_sur_la_ligne_des_en_tetes(base, fichiers):
    # The title holds commas, the table is separated by semicolons.
    texte = ("Export des attributions, bailleur X, année 2025\n"
             + ";".join(ENTETES) + "\n" + "OLS1;R1;15/03/2025;13055;Flux;ETAT-13\n")
    rapport = importer(base, "mises_a_disposition", fichiers.texte(texte))
    assert rapport.statut == "importe", rapport.erreurs
    assert (rapport.lecture.separateur, rapport.lecture.ligne_entetes) == (";", 2)


def test_csv_indication_sep_d_excel(base, fichiers):
    # « sep=; » on the first line, as Excel writes for itself: a title line like any other.
    texte = "sep=;\n" + ";".join(ENTETES) + "\n" + "OLS1;R1;15/03/2025;13055;Flux;ETAT-13\n"
    rapport = importer(base, "mises_a_disposition", fichiers.texte(texte))
    assert rapport.statut == "importe", rapport.erreurs
    assert rapport.lecture.ligne_entetes == 2
    assert rapport.lecture.titres == ["sep="]


def test_sans_titre_rien_ne_change(base, fichiers):
    lignes = tableau(MAD_COLONNES, mad(reference="R1"), mad(reference="R2", code_insee="13999"))
    rapport = importer(base, "mises_a_disposition", fichiers.csv(lignes))
    assert erreurs(rapport) == [(3, "code_insee", "13999")]
    assert (rapport.lecture.ligne_entetes, rapport.lecture.lignes_titre) == (1, 0)
    assert [nom for nom, _ in rapport.lecture.description()] == [
        "Format", "Encodage", "Séparateur", "Lignes lues"]


def test_lire_sans_jeu_de_donnees_saute_les_titres():
    # `lire` without a dataset: title lines (one cell each) above a row of words are skipped.
    cur = duckdb.connect(":memory:").cursor()
    texte = f"{TITRE}\n{EDITE}\n\nA;B;C\n1;2;3\n"
    lecture = lire(cur, texte.encode(), "export.csv")
    assert (lecture.entetes, lecture.ligne_entetes, lecture.lignes_titre) == (
        ["A", "B", "C"], 4, 3)
    assert cur.execute(f"SELECT * FROM {lecture.table}").fetchall() == [(5, "1", "2", "3")]


@pytest.mark.parametrize("rangees, jeu, attendu", [
    ([["Titre"], [], ["Code bailleur", "Code INSEE"], ["OLS1", "13055"]], None, 2),
    # A data row (numbers, dates) is never a header: the first row stays.
    ([["Titre unique"], ["OLS1", "13055", "15/03/2025"]], None, 0),
    # Two cells of words above the real header: the dataset decides…
    ([["Export des attributions", "bailleur X"], ENTETES, ["OLS1", "R1"]],
     "mises_a_disposition", 1),
    # … and without it, the first row of words stays the header.
    ([["Export des attributions", "bailleur X"], ENTETES, ["OLS1", "R1"]], None, 0),
    ([[], [None, None]], None, None),
])
def test_choisir_la_ligne_des_en_tetes(rangees, jeu, attendu):
    assert choisir_entetes(rangees, JEUX[jeu] if jeu else None) == attendu


# --------------------------------------------------------------- title rows (workbook)

def test_xlsx_lignes_de_titre_numeros_de_la_feuille(base, fichiers):
    chemin = fichiers.xlsx({"Attributions": [
        [TITRE],                                                        # 1
        [EDITE],                                                        # 2
        [],                                                             # 3
        ENTETES,                                                        # 4
        ["OLS1", "R1", dt(2025, 3, 15), 13055, "Flux", "ETAT-13"],      # 5
        ["OLS1", "R2", dt(2025, 3, 15), 13999, "Flux", "ETAT-13"],      # 6
        ["OLS1", "R3", "32/03/2025", 4070, "Mutation", None],           # 7
    ]})
    rapport = importer(base, "mises_a_disposition", chemin)
    assert erreurs(rapport) == [(6, "code_insee", "13999"),
                                (7, "date_mise_a_disposition", "32/03/2025")]
    assert (rapport.lecture.ligne_entetes, rapport.lecture.lignes_titre) == (4, 3)
    assert rapport.lecture.titres == [TITRE, EDITE]
    assert rapport.lignes_lues == 3


def test_xlsx_titre_fusionne_et_en_tetes_fusionnes(base, fichiers):
    # A merged title is a title; merged cells in the header row itself are still refused.
    from openpyxl import Workbook

    classeur = Workbook()
    ws = classeur.active
    ws.title = "MAD"
    ws.append([TITRE])
    ws.merge_cells("A1:F1")
    ws.append(ENTETES[:1] + [None] + ENTETES[2:])
    ws.merge_cells("A2:B2")
    ws.append(["OLS1", "R1", dt(2025, 3, 15), 13055, "Flux", "ETAT-13"])
    chemin = fichiers.dossier / "fusions.xlsx"
    classeur.save(chemin)
    rapport = importer(base, "mises_a_disposition", chemin)
    assert erreurs(rapport) == [(2, None, "A2:B2")]
    assert rapport.erreurs[0].message.startswith(
        "La ligne d'en-têtes (ligne 2) contient des cellules fusionnées (A2:B2)")


# ------------------------------------------------------------- total lines at the end

def test_csv_lignes_de_total_en_fin_ignorees_et_comptees(base, fichiers):
    texte = (";".join(ENTETES) + "\n"
             "OLS1;R1;15/03/2025;13055;Flux;ETAT-13\n"                    # 2
             "OLS1;R2;16/03/2025;04070;Mutation;\n"                      # 3
             "TOTAL;2;;;;\n"                                              # 4
             "\n"                                                         # 5
             "Nombre de lignes : 2\n")                                    # 6
    avant = instantane(base)
    rapport = importer(base, "mises_a_disposition", fichiers.texte(texte))
    assert rapport.statut == "importe", rapport.erreurs
    assert (rapport.lignes_lues, rapport.lignes_importees) == (2, 2)
    lecture = rapport.lecture
    assert (lecture.lignes_totaux, lecture.numeros_totaux, lecture.lignes_vides) == (2, [4, 6], 1)
    assert ("Lignes de total ignorées", "2 (lignes 4, 6)") in lecture.description()
    assert _references(base) == [("R1", "13055"), ("R2", "04070")]
    assert instantane(base) != avant


def test_total_au_milieu_reste_une_donnee(base, fichiers):
    # Only the lines that end the data are totals: « Total » higher up is a line of data (here
    # with an invalid date), reported as such.
    texte = (";".join(ENTETES) + "\n"
             "OLS1;R1;15/03/2025;13055;Flux;ETAT-13\n"                    # 2
             "Total;2;;;;\n"                                              # 3
             "OLS1;R2;16/03/2025;04070;Mutation;\n"                      # 4
             "Sous-total;2;;;;\n")                                        # 5
    rapport = importer(base, "mises_a_disposition", fichiers.texte(texte))
    assert rapport.statut == "rejete"
    assert sorted((l, c) for l, c, _ in erreurs(rapport)) == [
        (3, "categorie"), (3, "code_insee"), (3, "date_mise_a_disposition")]
    assert rapport.lecture.numeros_totaux == [5]
    assert rapport.lignes_lues == 3


def test_xlsx_sommes_sous_les_colonnes_en_fin_de_parc(base, fichiers):
    chemin = fichiers.xlsx({"Parc 2025": [
        ["Code bailleur", "Code INSEE", "Année", "Parc total", "Libérations"],
        ["OLS1", "13055", 2025, 100, 10],                                 # 2
        ["OLS1", "04070", 2025, 50, 4],                                   # 3
        [None, None, None, 150, 14],                                      # 4: sums
        [],                                                               # 5
        ["Total général", None, None, 150, 14, "2 communes"],             # 6: beyond header
    ]})
    rapport = importer(base, "parc", chemin)
    assert rapport.statut == "importe", rapport.erreurs
    assert (rapport.lecture.lignes_totaux, rapport.lecture.numeros_totaux) == (2, [4, 6])
    assert rapport.lignes_lues == 2
    assert base.execute("SELECT code_insee, parc_total, liberations FROM parc "
                        "ORDER BY code_insee").fetchall() == [("04070", 50, 4),
                                                              ("13055", 100, 10)]


@pytest.mark.parametrize("cellules, total", [
    (["Total", None, "12"], True),
    (["TOTAL GÉNÉRAL", None, None], True),
    (["Sous-total Marseille", "3"], True),
    (["Nombre de lignes : 532"], True),
    (["Nb MAD", "532"], True),
    (["Count: 532"], True),
    ([None, None, None, None, "150", "14"], True),
    ([None, "13055", "2025", "150", "14", None, None, None], False),   # 4 numbers / 8
    (["OLS1", "R1", "15/03/2025"], False),
    (["Totalement libre", "x"], False),
    ([None, "Marseille", "150"], False),
])
def test_ce_qu_est_une_ligne_de_total(cellules, total):
    assert est_total(cellules, 8) is total


# ------------------------------------------------------------------- notice sheets

NOTICE = [["Notice"], ["Ce classeur contient les mises à disposition de l'année."],
          ["Colonne", "Signification"], ["Code bailleur", "code de l'organisme"],
          ["Date MAD", "date de mise à disposition"]]


def test_feuille_notice_en_premier_la_feuille_des_donnees_est_lue(base, fichiers):
    chemin = fichiers.xlsx({
        "Notice": NOTICE,
        "Données": [ENTETES, ["OLS1", "R1", dt(2025, 3, 15), 13055, "Flux", "ETAT-13"]],
    })
    rapport = importer(base, "mises_a_disposition", chemin)
    assert rapport.statut == "importe", rapport.erreurs
    assert (rapport.lecture.feuille, rapport.lecture.feuilles_ignorees) == ("Données",
                                                                           ["Notice"])
    assert ("Feuille", "« Données » (« Notice » ignorée : sans les colonnes attendues)") \
        in rapport.lecture.description()
    assert _references(base) == [("R1", "13055")]


def test_feuille_nommee_l_emporte(base, fichiers):
    chemin = fichiers.xlsx({
        "Notice": NOTICE,
        "Données": [ENTETES, ["OLS1", "R1", dt(2025, 3, 15), 13055, "Flux", "ETAT-13"]],
    })
    rapport = importer(base, "mises_a_disposition", chemin, feuille="Notice")
    assert rapport.statut == "rejete"
    assert rapport.lecture.feuille == "Notice"
    # Its header row is « Colonne ; Signification » (the titles above it skipped).
    assert rapport.lecture.entetes == ["Colonne", "Signification"]
    assert [c for _, c, _ in erreurs(rapport)] == [
        "bailleur_code", "reference", "date_mise_a_disposition", "code_insee", "categorie"]


def test_premiere_feuille_gardee_quand_elle_a_les_colonnes(base, fichiers):
    # The first sheet holds every required column: it is read, even if a later sheet fits more.
    chemin = fichiers.xlsx({
        "2025": [ENTETES[:5], ["OLS1", "R1", dt(2025, 3, 15), 13055, "Mutation"]],
        "2024": [ENTETES + ["N° RPLS"], ["OLS1", "R0", dt(2024, 3, 15), 13055, "Flux",
                                         "ETAT-13", "1234567890"]],
    })
    rapport = importer(base, "mises_a_disposition", chemin)
    assert rapport.statut == "importe", rapport.erreurs
    assert (rapport.lecture.feuille, rapport.lecture.feuilles_ignorees) == ("2025", [])
    assert _references(base) == [("R1", "13055")]


def test_aucune_feuille_ne_convient_la_premiere_est_lue(base, fichiers):
    chemin = fichiers.xlsx({"Notice": NOTICE, "Graphiques": [["Répartition"], ["x", 1]]})
    rapport = importer(base, "mises_a_disposition", chemin)
    assert rapport.statut == "rejete"
    assert rapport.lecture.feuille == "Notice"


# ---------------------------------------------------- an export as a software writes it

def test_export_de_logiciel_complet(base, fichiers):
    """A workbook as one vendor's software exports it: a « Lisez-moi » sheet first, the data
    under a title block, headers worded its own way, extra columns, a total line, and a
    « Synthèse » sheet after."""
    chemin = fichiers.xlsx({
        "Lisez-moi": [["Export généré par le logiciel Patrimoine+"],
                      ["Une ligne par logement proposé à un réservataire."]],
        "Attributions 2025": [
            ["Attributions — Habitat des Trois Vallées"],                          # 1
            ["Période : du 01/01/2025 au 31/03/2025"],                              # 2
            [],                                                                      # 3
            ["Organisme", "N° MAD", "Date de mise à disposition au réservataire",   # 4
             "Commune (code INSEE)", "Nom de la commune", "Nature",
             "Contingent réservataire", "Nom du réservataire", "N° RPLS du logement",
             "Typologie", "Issue de la proposition", "Date de signature du bail",
             "Observations"],
            ["OLS1", "M-1", dt(2025, 1, 6), "13055", "Marseille", "Flux réservataire",
             "ETAT-13", "Préfecture 13", "1234567890", "T3", "Bail signé", dt(2025, 2, 1),
             None],                                                                  # 5
            ["OLS1", "M-2", dt(2025, 2, 3), "04070", "Digne-les-Bains", "Mutation interne",
             None, None, None, "T2", "En cours", None, "relance le 10/02"],         # 6
            ["OLS1", "M-3", dt(2025, 3, 17), "06088", "Nice", "Non réservé", None, None,
             "2345678901", "T4", "Refus du demandeur", None, None],                 # 7
            [],                                                                      # 8
            ["Total", 3],                                                            # 9
        ],
        "Synthèse": [["Nature", "Nombre"], ["Flux réservataire", 1], ["Mutation interne", 1]],
    })
    rapport = importer(base, "mises_a_disposition", chemin)
    assert rapport.statut == "importe", rapport.erreurs
    lecture = rapport.lecture
    assert lecture.description() == [
        ("Format", "Excel"),
        ("Feuille", "« Attributions 2025 » (« Lisez-moi » ignorée : sans les colonnes "
                    "attendues)"),
        ("Ligne des en-têtes", "ligne 4"), ("Lignes de titre ignorées", "3"),
        ("Lignes lues", "3"), ("Lignes vides ignorées", "1"),
        ("Lignes de total ignorées", "1 (ligne 9)")]
    assert rapport.correspondance.ignorees == ["Nom de la commune", "Nom du réservataire",
                                               "Observations"]
    assert base.execute(
        "SELECT reference, date_mise_a_disposition, code_insee, categorie, rpls, typologie, "
        "issue, date_bail FROM mises_a_disposition ORDER BY reference").fetchall() == [
        ("M-1", date(2025, 1, 6), "13055", "FLUX", "1234567890", "T3", "BAIL_SIGNE",
         date(2025, 2, 1)),
        ("M-2", date(2025, 2, 3), "04070", "MUTATION", None, "T2", "EN_COURS", None),
        ("M-3", date(2025, 3, 17), "06088", "NON_RESERVE", "2345678901", "T4",
         "REFUS_DEMANDEUR", None)]


def test_export_csv_de_logiciel_complet(base, fichiers):
    lignes = [[TITRE], [EDITE], [],
              ["Organisme", "Identifiant", "Date de mise à disposition au réservataire",
               "Code commune", "Type de MAD", "Contingent réservataire", "Issue de la proposition",
               "Date de signature du bail", "Commentaire"],
              ["OLS1", "A-1", "15/03/2025", "13055", "Flux", "ETAT-13", "Attribué",
               "02/04/2025", ""],
              ["OLS1", "A-2", "16/03/2025", "04070", "Mutation", "", "En attente", "", "x"],
              [], ["Nombre de lignes : 2"]]
    texte = texte_csv(lignes).replace('"', "")
    rapport = importer(base, "mises_a_disposition", fichiers.texte(texte, encodage="cp1252"))
    assert rapport.statut == "importe", rapport.erreurs
    assert (rapport.lecture.ligne_entetes, rapport.lecture.numeros_totaux) == (4, [8])
    assert base.execute("SELECT reference, categorie, issue, date_bail FROM mises_a_disposition "
                        "ORDER BY reference").fetchall() == [
        ("A-1", "FLUX", "BAIL_SIGNE", date(2025, 4, 2)), ("A-2", "MUTATION", "EN_COURS", None)]
