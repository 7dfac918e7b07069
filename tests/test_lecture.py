"""Reading CSV and .xlsx files (data_loaders/lecture_*.py), observed through `importer`.

Encodings (UTF-8, UTF-8 with BOM, Windows-1252, UTF-16), separators (; , tab), decimal comma or
point, thousands separators (space, U+00A0, U+202F), dd/mm/yyyy and ISO dates, quoted fields
holding the separator or line breaks, blank lines, wrong field counts, empty and header-only
files, and workbooks (first or named sheet, real dates, numeric INSEE codes, percent cells).
Line numbers: header = line 1, physical lines of the file (rows of the sheet for Excel).
"""

from __future__ import annotations

from datetime import date

import pytest
from conftest import (
    CONVENTION_COLONNES,
    MAD_COLONNES,
    PARC_COLONNES,
    convention,
    dt,
    erreur,
    erreurs,
    importer,
    instantane,
    mad,
    parc,
    tableau,
    texte_csv,
)

ENTETES_VENDEUR = ["Code bailleur", "N° de référence", "Date MAD", "Code INSEE", "Catégorie",
                   "Contingent", "Issue", "Date du bail"]


def _mad_vendeur() -> list[list]:
    return [
        ENTETES_VENDEUR,
        ["OLS1", "RÉF-é1", "15/03/2025", "13055", "Réservé", "État-13", "Bail signé", "01/04/2025"],
        ["OLS1", "RÉF-è2", "16/03/2025", "04070", "Non réservé", "", "Refus du demandeur", ""],
    ]


def _lignes_mad(con):
    return con.execute(
        # The réservataire as the file wrote it (its identity is the referential's business).
        "SELECT reference, date_mise_a_disposition, code_insee, categorie, reservataire_valeur, "
        "issue, date_bail FROM mises_a_disposition ORDER BY reference").fetchall()


ATTENDU_VENDEUR = [
    ("RÉF-è2", date(2025, 3, 16), "04070", "NON_RESERVE", None, "REFUS_DEMANDEUR", None),
    ("RÉF-é1", date(2025, 3, 15), "13055", "FLUX", "État-13", "BAIL_SIGNE", date(2025, 4, 1)),
]


# ------------------------------------------------------------------------------ encodings

@pytest.mark.parametrize("encodage, libelle", [
    ("utf-8", "UTF-8"),
    ("utf-8-sig", "UTF-8 avec BOM"),
    ("cp1252", "Windows-1252"),
    ("utf-16", "UTF-16"),
])
def test_encodage_detecte_et_accents_intacts(base, fichiers, encodage, libelle):
    chemin = fichiers.csv(_mad_vendeur(), encodage=encodage)
    rapport = importer(base, "mises_a_disposition", chemin)
    assert rapport.statut == "importe", rapport.erreurs
    assert rapport.lecture.encodage == libelle
    # Accented headers ("Catégorie", "N° de référence") were matched: no column ignored.
    assert rapport.correspondance.ignorees == []
    assert rapport.lecture.entetes == ENTETES_VENDEUR
    assert _lignes_mad(base) == ATTENDU_VENDEUR


def test_windows_1252_caracteres_propres_a_cp1252(base, fichiers):
    # "œ" and "’" exist in Windows-1252 (0x9C, 0x92) but not in ISO-8859-1.
    lignes = tableau(CONVENTION_COLONNES, convention(
        bailleur_nom="Habitat du Cœur", motif_non_signature="Désaccord sur l’assiette"))
    chemin = fichiers.csv(lignes, encodage="cp1252")
    assert b"\x9c" in chemin.read_bytes()
    rapport = importer(base, "conventions", chemin)
    assert rapport.statut == "importe", rapport.erreurs
    assert rapport.lecture.encodage == "Windows-1252"
    assert base.execute("SELECT bailleur_nom, motif_non_signature FROM conventions").fetchall() == [
        ("Habitat du Cœur", "Désaccord sur l’assiette")]


def test_bom_utf8_et_fins_de_ligne_windows(base, fichiers):
    # The usual Excel "CSV UTF-8" export: BOM + CRLF; line numbers stay exact.
    lignes = tableau(MAD_COLONNES, mad(reference="R1"), mad(reference="R2"),
                     mad(reference="R3", code_insee="13999"))
    chemin = fichiers.csv(lignes, encodage="utf-8-sig", fin="\r\n")
    assert chemin.read_bytes().startswith(b"\xef\xbb\xbfbailleur_code;")
    rapport = importer(base, "mises_a_disposition", chemin)
    assert rapport.lecture.encodage == "UTF-8 avec BOM"
    assert rapport.lecture.entetes[0] == "bailleur_code"
    assert erreurs(rapport) == [(4, "code_insee", "13999")]


@pytest.mark.parametrize("encodage, libelle", [("utf-16-le", "UTF-16 (sans BOM)"),
                                               ("utf-16-be", "UTF-16 (sans BOM)")])
def test_utf16_sans_bom_reconnu(base, fichiers, encodage, libelle):
    # Some tools write UTF-16 without its byte order mark: a null byte every other byte.
    chemin = fichiers.csv(_mad_vendeur(), encodage=encodage)
    assert not chemin.read_bytes().startswith((b"\xff\xfe", b"\xfe\xff"))
    rapport = importer(base, "mises_a_disposition", chemin)
    assert rapport.statut == "importe", rapport.erreurs
    assert rapport.lecture.encodage == libelle
    assert _lignes_mad(base) == ATTENDU_VENDEUR


def test_fins_de_ligne_mac_classique_cr_seul(base, fichiers):
    # Old Mac exports end lines with CR alone: lines are still lines, numbers exact.
    lignes = tableau(MAD_COLONNES, mad(reference="R1"), mad(reference="R2", code_insee="13999"),
                     mad(reference="R3"))
    chemin = fichiers.csv(lignes, fin="\r")
    assert b"\n" not in chemin.read_bytes()
    rapport = importer(base, "mises_a_disposition", chemin)
    assert rapport.lignes_lues == 3
    assert erreurs(rapport) == [(3, "code_insee", "13999")]


def test_fins_de_ligne_cr_cr_lf(base, fichiers):
    # CR CR LF endings (a Windows file converted once more, e.g. by a text-mode transfer):
    # DuckDB 2.0's reader refuses it (InvalidInputException); the Python reader reads it. A CR
    # alone ends a line too (as an editor shows the file: an empty line after each row), so R2
    # is on line 5: 1 header, 2 empty, 3 R1, 4 empty, 5 R2.
    entete, r1, r2 = texte_csv(tableau(MAD_COLONNES, mad(reference="R1"),
                                       mad(reference="R2", code_insee="13999"))).splitlines()
    chemin = fichiers.texte(entete + "\r\r\n" + r1 + "\r\r\n" + r2 + "\r\r\n")
    rapport = importer(base, "mises_a_disposition", chemin)
    assert rapport.lignes_lues == 2
    assert erreurs(rapport) == [(5, "code_insee", "13999")]


def test_manque_de_memoire_de_duckdb_non_masque_par_le_second_lecteur(monkeypatch):
    # Out of memory is not the file's fault: it reaches the caller instead of sending the file
    # to the slower Python reader (which would hold it whole in memory).
    import duckdb

    from data_loaders import lecture_csv, reading

    def repli(*args, **kwargs):
        raise AssertionError("le lecteur Python ne doit pas prendre le relais")

    monkeypatch.setattr(lecture_csv, "_lire_csv_python", repli)
    data = ("a;b;c\n" + "".join(f"{i};{'x' * 200};{i * 3}\n" for i in range(200_000))).encode()
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET memory_limit = '16MB'; SET temp_directory = ''")
        with pytest.raises(duckdb.OutOfMemoryException):
            reading.lire(con.cursor(), data, "gros.csv", None)
    finally:
        con.close()


def test_fins_de_ligne_mac_avec_ligne_vide_numeros_exacts(base, fichiers):
    chemin = fichiers.texte(";".join(MAD_COLONNES[:6]) + "\r" + "OLS1;R1;15/03/2025;13055;FLUX;"
                            "ETAT-13\r\rOLS1;R2;15/03/2025;13999;FLUX;ETAT-13\r")
    rapport = importer(base, "mises_a_disposition", chemin)
    assert (rapport.lignes_lues, rapport.lecture.lignes_vides) == (2, 1)
    assert erreurs(rapport) == [(4, "code_insee", "13999")]


# ----------------------------------------------------------------------------- separators

@pytest.mark.parametrize("sep", [";", ",", "\t"])
def test_separateur_detecte(base, fichiers, sep):
    lignes = tableau(PARC_COLONNES,
                     parc(code_insee="13055", taux_rotation="12,5", liberations=""),
                     parc(code_insee="04070", parc_total="1 234", liberations="56"))
    chemin = fichiers.csv(lignes, sep=sep)
    rapport = importer(base, "parc", chemin)
    assert rapport.statut == "importe", rapport.erreurs
    assert rapport.lecture.separateur == sep
    assert rapport.lignes_lues == 2
    assert base.execute("SELECT code_insee, parc_total, liberations, taux_rotation FROM parc "
                        "ORDER BY code_insee").fetchall() == [
        ("04070", 1234, 56, None), ("13055", 100, None, 12.5)]


def test_virgule_separateur_et_decimales_a_virgule_entre_guillemets(base, fichiers):
    texte = ("bailleur_code,code_insee,annee,parc_total,taux_rotation\n"
             'OLS1,13055,2025,100,"7,25"\n'
             'OLS1,04070,2025,"1 500","12,5 %"\n')
    rapport = importer(base, "parc", fichiers.texte(texte))
    assert rapport.statut == "importe", rapport.erreurs
    assert rapport.lecture.separateur == ","
    assert base.execute("SELECT code_insee, parc_total, taux_rotation FROM parc "
                        "ORDER BY code_insee").fetchall() == [("04070", 1500, 12.5),
                                                              ("13055", 100, 7.25)]


def test_champ_entre_guillemets_contenant_le_separateur(base, fichiers):
    texte = (";".join(MAD_COLONNES[:6]) + "\n"
             'OLS1;"R;1";15/03/2025;13055;FLUX;"ETAT;13"\n'
             "OLS1;R2;15/03/2025;13999;FLUX;ETAT-13\n")
    rapport = importer(base, "mises_a_disposition", fichiers.texte(texte))
    assert erreurs(rapport) == [(3, "code_insee", "13999")]
    rapport = importer(base, "mises_a_disposition", fichiers.texte(texte.replace("13999", "13001")))
    assert rapport.statut == "importe", rapport.erreurs
    assert base.execute("SELECT reference, reservataire_valeur FROM mises_a_disposition "
                        "ORDER BY 1").fetchall() == [("R2", "ETAT-13"), ("R;1", "ETAT;13")]


# -------------------------------------------------------------------------------- numbers

def test_decimale_virgule_ou_point(base, fichiers):
    lignes = tableau(PARC_COLONNES,
                     parc(code_insee="13055", liberations="", taux_rotation="12,5"),
                     parc(code_insee="04070", liberations="", taux_rotation="12.5"),
                     parc(code_insee="06088", liberations="", taux_rotation="7,25 %"),
                     parc(code_insee="13001", liberations="", taux_rotation="0,5"))
    rapport = importer(base, "parc", fichiers.csv(lignes))
    assert rapport.statut == "importe", rapport.erreurs
    assert base.execute("SELECT code_insee, taux_rotation FROM parc ORDER BY 1").fetchall() == [
        ("04070", 12.5), ("06088", 7.25), ("13001", 0.5), ("13055", 12.5)]


@pytest.mark.parametrize("ecrit", ["1 234", "1\u00a0234", "1\u202f234", " 1 234 "])
def test_separateur_de_milliers_entier(base, fichiers, ecrit):
    lignes = tableau(PARC_COLONNES, parc(parc_total=ecrit, liberations="1\u00a0000"))
    rapport = importer(base, "parc", fichiers.csv(lignes))
    assert rapport.statut == "importe", rapport.erreurs
    assert base.execute("SELECT parc_total, liberations FROM parc").fetchall() == [(1234, 1000)]


@pytest.mark.parametrize("ecrit", ["1 234,5", "1\u00a0234,5", "1\u202f234,5", "1.234,5",
                                   "1,234.5", "1234.5"])
def test_separateur_de_milliers_decimal(base, fichiers, ecrit):
    lignes = tableau(CONVENTION_COLONNES, convention(methode="DROITS_ACQUIS", taux_flux="",
                                                     droits_annuels=ecrit))
    rapport = importer(base, "conventions", fichiers.csv(lignes))
    assert rapport.statut == "importe", rapport.erreurs
    assert base.execute("SELECT droits_annuels FROM conventions").fetchall() == [(1234.5,)]


def test_pourcentage_avec_espace_insecable_et_signe(base, fichiers):
    lignes = tableau(CONVENTION_COLONNES, convention(taux_flux="25\u00a0%"),
                     convention(reservataire_code="AL-13", type_reservataire="Action Logement",
                                taux_flux="12,5%"))
    rapport = importer(base, "conventions", fichiers.csv(lignes))
    assert rapport.statut == "importe", rapport.erreurs
    assert base.execute("SELECT reservataire_valeur, taux_flux FROM conventions "
                        "ORDER BY 1").fetchall() == [("AL-13", 12.5), ("ETAT-13", 25.0)]


# ---------------------------------------------------------------------------------- dates

def test_dates_jj_mm_aaaa_et_iso(base, fichiers):
    lignes = tableau(MAD_COLONNES,
                     mad(reference="R1", date_mise_a_disposition="05/02/2025",
                         issue="BAIL_SIGNE", date_bail="2025-03-01"),
                     mad(reference="R2", date_mise_a_disposition="2025-02-06",
                         issue="BAIL_SIGNE", date_bail="28/02/2025"),
                     mad(reference="R3", date_mise_a_disposition="31/12/2024"))
    rapport = importer(base, "mises_a_disposition", fichiers.csv(lignes))
    assert rapport.statut == "importe", rapport.erreurs
    assert base.execute("SELECT reference, date_mise_a_disposition, date_bail "
                        "FROM mises_a_disposition ORDER BY 1").fetchall() == [
        ("R1", date(2025, 2, 5), date(2025, 3, 1)),
        ("R2", date(2025, 2, 6), date(2025, 2, 28)),
        ("R3", date(2024, 12, 31), None)]


def test_date_jj_mm_aaaa_non_lue_a_l_americaine(base, fichiers):
    # 03/04/2025 is 3 April (French order), and 04/13/2025 (US order) is not a date.
    lignes = tableau(MAD_COLONNES, mad(reference="R1", date_mise_a_disposition="03/04/2025"),
                     mad(reference="R2", date_mise_a_disposition="04/13/2025"))
    rapport = importer(base, "mises_a_disposition", fichiers.csv(lignes))
    assert erreurs(rapport) == [(3, "date_mise_a_disposition", "04/13/2025")]
    rapport = importer(base, "mises_a_disposition", fichiers.csv(lignes[:2]))
    assert base.execute("SELECT date_mise_a_disposition FROM mises_a_disposition").fetchall() == [
        (date(2025, 4, 3),)]


# ------------------------------------------------------------- quoted line breaks, blank lines

def test_saut_de_ligne_entre_guillemets_numeros_de_ligne_exacts(base, fichiers):
    entete = ";".join(CONVENTION_COLONNES)
    # bailleur_code;bailleur_nom;reservataire_code;reservataire_nom;type;dep;ptype;pcode;annee;
    # statut;date_signature;motif;methode;taux;droits;mode
    texte = (
        entete + "\n"
        'OLS1;;ETAT-13;;ETAT;13;;;2025;NON_SIGNEE;;"Désaccord\nsur le taux";;30;;\n'    # 2-3
        "OLS1;;AL-13;;ACTION_LOGEMENT;13;;;2025;SIGNEE;;;;150;;\n"                      # 4
        'OLS1;"Bailleur\nsur\ntrois lignes";COM-13;;COMMUNE;13;COMMUNE;13055;1999;'
        "SIGNEE;;;;10;;\n"                                                               # 5-7
        "OLS1;;AUT-13;;AUTRE;13;;;2025;SIGNEE;;;;vingt;;\n"                             # 8
    )
    rapport = importer(base, "conventions", fichiers.texte(texte))
    assert erreurs(rapport) == [(4, "taux_flux", "150"), (5, "annee", "1999"),
                                (8, "taux_flux", "vingt")]
    assert rapport.lignes_lues == 4
    # The same file, corrected, keeps the line break inside the value.
    texte_ok = texte.replace(";150;", ";15;").replace(";1999;", ";2025;").replace("vingt", "20")
    rapport = importer(base, "conventions", fichiers.texte(texte_ok))
    assert rapport.statut == "importe", rapport.erreurs
    assert base.execute("SELECT motif_non_signature FROM conventions "
                        "WHERE reservataire_code = 'ETAT-13'").fetchall() == [
        ("Désaccord\nsur le taux",)]


def test_lignes_vides_ignorees_et_comptees_numeros_exacts(base, fichiers):
    entete = ";".join(MAD_COLONNES[:6])
    texte = (entete + "\n"
             "OLS1;R1;15/03/2025;13055;FLUX;ETAT-13\n"        # 2
             "\n"                                            # 3 blank
             "OLS1;R2;15/03/2025;04070;FLUX;ETAT-04\n"        # 4
             ";;;;;\n"                                       # 5 empty cells only
             "OLS1;R3;15/03/2025;13999;FLUX;ETAT-13\n"        # 6
             "\n\n")                                          # trailing blank lines
    rapport = importer(base, "mises_a_disposition", fichiers.texte(texte))
    assert erreurs(rapport) == [(6, "code_insee", "13999")]
    assert rapport.lecture.lignes_vides == 2
    assert rapport.lignes_lues == 3
    rapport = importer(base, "mises_a_disposition", fichiers.texte(texte.replace("13999", "06088")))
    assert rapport.statut == "importe", rapport.erreurs
    assert rapport.lignes_importees == 3
    assert base.execute("SELECT reference FROM mises_a_disposition ORDER BY 1").fetchall() == [
        ("R1",), ("R2",), ("R3",)]


def test_derniere_ligne_sans_fin_de_ligne(base, fichiers):
    entete = ";".join(MAD_COLONNES[:6])
    texte = (entete + "\n" + "OLS1;R1;15/03/2025;13055;FLUX;ETAT-13\n"
             + "OLS1;R2;15/03/2025;13999;FLUX;ETAT-13")
    rapport = importer(base, "mises_a_disposition", fichiers.texte(texte))
    assert erreurs(rapport) == [(3, "code_insee", "13999")]
    assert rapport.lignes_lues == 2


def test_ligne_de_cellules_vides_seule_fin_de_fichier_crlf(base, fichiers):
    entete = ";".join(MAD_COLONNES[:6])
    texte = (entete + "\r\n" + "OLS1;R1;15/03/2025;13055;FLUX;ETAT-13\r\n" + ";;;;;\r\n"
             + "OLS1;R2;15/03/2025;13999;FLUX;ETAT-13\r\n")
    rapport = importer(base, "mises_a_disposition", fichiers.texte(texte))
    assert erreurs(rapport) == [(4, "code_insee", "13999")]
    assert rapport.lecture.lignes_vides == 1


def test_ligne_d_espaces_traitee_comme_ligne_vide(base, fichiers):
    # A line holding only blanks is a blank line: skipped and counted, like an empty line
    # (it holds no value the user sent).
    entete = ";".join(MAD_COLONNES[:6])
    texte = (entete + "\n" + "OLS1;R1;15/03/2025;13055;FLUX;ETAT-13\n" + "   \n"
             + "OLS1;R2;15/03/2025;04070;FLUX;ETAT-04\n")
    rapport = importer(base, "mises_a_disposition", fichiers.texte(texte))
    assert rapport.erreurs == []
    assert rapport.statut == "importe"
    assert rapport.lecture.lignes_vides == 1
    assert rapport.lignes_importees == 2


# ----------------------------------------------------------------------- wrong field counts

ENTETE6 = ";".join(MAD_COLONNES[:6])


@pytest.mark.parametrize("vide", ["", "\n"], ids=["sans-ligne-vide", "avec-ligne-vide"])
def test_nombre_de_champs_incorrect_signale_avec_sa_ligne(base, fichiers, vide):
    # Without blank line the file goes through DuckDB's reader, with one through Python's csv:
    # both must report the same line numbers.
    texte = (ENTETE6 + "\n"
             "OLS1;R1;15/03/2025;13055;FLUX;ETAT-13\n"          # 2
             "OLS1;R2;15/03/2025\n"                            # 3: 3 fields
             + vide +
             "OLS1;R3;15/03/2025;13055;FLUX;ETAT-13;en trop\n"  # 4 (5): 7 fields
             "OLS1;R4;15/03/2025;13999;FLUX;ETAT-13\n")         # 5 (6)
    decale = 1 if vide else 0
    avant = instantane(base)
    rapport = importer(base, "mises_a_disposition", fichiers.texte(texte))
    assert rapport.statut == "rejete"
    assert erreurs(rapport) == [
        (3, None, "OLS1;R2;15/03/2025"),
        (4 + decale, None, "OLS1;R3;15/03/2025;13055;FLUX;ETAT-13;en trop"),
        (5 + decale, "code_insee", "13999"),
    ]
    assert "La ligne compte 3 champs au lieu de 6" in rapport.erreurs[0].message
    assert "La ligne compte 7 champs au lieu de 6" in rapport.erreurs[1].message
    assert rapport.lignes_lues == 4
    assert rapport.lignes_rejetees == 3
    assert instantane(base) == avant


@pytest.mark.parametrize("vide", ["", "\n"], ids=["sans-ligne-vide", "avec-ligne-vide"])
def test_separateurs_en_fin_de_ligne_meme_traitement_quel_que_soit_le_lecteur(base, fichiers,
                                                                             vide):
    # "OLS1;…;ETAT-13;;" has 8 fields for 6 headers, the extra ones empty. Documented choice
    # (lecture_csv.py): trailing empty fields carry nothing and are accepted — by both readers, so
    # whether the file has a blank line somewhere (Python reader) or not (DuckDB) must not
    # change the outcome. A non-empty extra field stays an error (test above).
    texte = (ENTETE6 + "\n" + "OLS1;R1;15/03/2025;13055;FLUX;ETAT-13;;\n" + vide
             + "OLS1;R2;15/03/2025;04070;FLUX;ETAT-04;\n")
    rapport = importer(base, "mises_a_disposition", fichiers.texte(texte))
    assert rapport.erreurs == []
    assert rapport.statut == "importe"
    assert (rapport.lignes_lues, rapport.lignes_importees) == (2, 2)
    assert base.execute("SELECT reference, code_insee, reservataire_code FROM "
                        "mises_a_disposition ORDER BY 1").fetchall() == [
        ("R1", "13055", "ETAT-13"), ("R2", "04070", "ETAT-04")]


# ------------------------------------------------------------------- empty, header-only files

@pytest.mark.parametrize("contenu, fragment", [
    (b"", "Le fichier est vide."),
    (b"\r\n\n  \n", "Le fichier est vide."),
    (ENTETE6.encode(), "ne contient que la ligne d'en-têtes"),
    ((ENTETE6 + "\r\n").encode("utf-8-sig"), "ne contient que la ligne d'en-têtes"),
    ((ENTETE6 + "\n;;;;;\n;;;;;\n").encode(), "aucune ligne de données"),
])
def test_fichier_vide_ou_sans_donnees_rejete(base, fichiers, contenu, fragment):
    avant = instantane(base)
    rapport = importer(base, "mises_a_disposition", fichiers.octets(contenu))
    assert rapport.statut == "rejete"
    assert rapport.import_id is None
    assert len(rapport.erreurs) == 1
    assert fragment in rapport.erreurs[0].message
    assert rapport.lignes_importees == 0
    assert instantane(base) == avant


def test_fichier_xls_ancien_format_refuse_en_francais(base, fichiers):
    rapport = importer(base, "parc", fichiers.octets(b"\xd0\xcf\x11\xe0" + b"\x00" * 600,
                                                     nom="ancien.xls"))
    assert rapport.statut == "rejete"
    assert "Excel 97-2003 (.xls) non pris en charge" in rapport.erreurs[0].message


# ---------------------------------------------------------------------------- leading zeros

def test_codes_gardent_leurs_zeros_en_tete(base, fichiers):
    lignes = tableau(MAD_COLONNES,
                     mad(bailleur_code="007", reference="000123", code_insee="04070",
                         reservataire_code="ETAT-04"),
                     mad(bailleur_code="007", reference="0042", code_insee="4070",
                         reservataire_code="ETAT-04", rpls="0012345678"))
    rapport = importer(base, "mises_a_disposition", fichiers.csv(lignes))
    assert rapport.statut == "importe", rapport.erreurs
    assert base.execute("SELECT bailleur_code, reference, code_insee, rpls FROM "
                        "mises_a_disposition ORDER BY reference").fetchall() == [
        ("007", "000123", "04070", None), ("007", "0042", "04070", "0012345678")]


def test_departement_garde_son_zero(base, fichiers):
    lignes = tableau(CONVENTION_COLONNES,
                     convention(reservataire_code="ETAT-06", departement="06"),
                     convention(reservataire_code="ETAT-04", departement="4"))
    rapport = importer(base, "conventions", fichiers.csv(lignes))
    assert rapport.statut == "importe", rapport.erreurs
    assert base.execute("SELECT reservataire_code, departement, perimetre_code FROM conventions "
                        "ORDER BY 1").fetchall() == [("ETAT-04", "04", "04"),
                                                     ("ETAT-06", "06", "06")]


# ------------------------------------------------------------------------------------ xlsx

ENTETES_XLSX = ["Code bailleur", "Référence", "Date MAD", "Code INSEE", "Catégorie", "Contingent",
                "QPV", "Issue", "Date du bail", "Typologie"]


def test_xlsx_premiere_feuille_par_defaut(base, fichiers):
    chemin = fichiers.xlsx({
        "MAD": [ENTETES_XLSX,
                ["OLS1", "R1", "15/03/2025", "13055", "FLUX", "ETAT-13", "Oui", "", "", "T3"]],
        "Notes": [["Rien à importer ici"], ["texte"]],
    })
    rapport = importer(base, "mises_a_disposition", chemin)
    assert rapport.statut == "importe", rapport.erreurs
    assert rapport.lecture.format == "Excel"
    assert rapport.lecture.feuille == "MAD"
    assert base.execute("SELECT reference, qpv, typologie FROM mises_a_disposition").fetchall() == [
        ("R1", True, "T3")]


def test_xlsx_feuille_nommee(base, fichiers):
    chemin = fichiers.xlsx({
        "Lisez-moi": [["Export du logiciel"], ["version 3"]],
        "Données 2025": [ENTETES_XLSX,
                         ["OLS1", "R7", "2025-03-15", "06088", "Mutation", None, "Non", None, None,
                          "studio"]],
    })
    rapport = importer(base, "mises_a_disposition", chemin, feuille="Données 2025")
    assert rapport.statut == "importe", rapport.erreurs
    assert rapport.lecture.feuille == "Données 2025"
    assert base.execute("SELECT reference, code_insee, categorie, qpv, typologie "
                        "FROM mises_a_disposition").fetchall() == [
        ("R7", "06088", "MUTATION", False, "T1")]


def test_xlsx_feuille_inconnue_liste_les_feuilles(base, fichiers):
    chemin = fichiers.xlsx({"MAD": [ENTETES_XLSX], "Notes": [["x"]]})
    rapport = importer(base, "mises_a_disposition", chemin, feuille="Feuil1")
    assert rapport.statut == "rejete"
    assert erreurs(rapport) == [(None, None, "Feuil1")]
    assert "Feuille « Feuil1 » introuvable" in rapport.erreurs[0].message
    assert "Feuilles du classeur : MAD, Notes." in rapport.erreurs[0].message


def test_xlsx_vraies_dates_code_insee_numerique_et_booleens(base, fichiers):
    chemin = fichiers.xlsx({"MAD": [
        ENTETES_XLSX,
        ["OLS1", 123, dt(2025, 3, 15), 4070, "Flux réservataire", "ETAT-04", True, "Bail signé",
         dt(2025, 4, 1), 4],
        ["OLS1", "R2", dt(2025, 3, 16, 10, 30), 13055.0, "Mutation", None, False, None, None,
         "T1 bis"],
    ]})
    rapport = importer(base, "mises_a_disposition", chemin)
    assert rapport.statut == "importe", rapport.erreurs
    assert base.execute(
        "SELECT reference, date_mise_a_disposition, code_insee, qpv, issue, date_bail, typologie "
        "FROM mises_a_disposition ORDER BY reference").fetchall() == [
        ("123", date(2025, 3, 15), "04070", True, "BAIL_SIGNE", date(2025, 4, 1), "T4"),
        ("R2", date(2025, 3, 16), "13055", False, "EN_COURS", None, "T1")]


def test_xlsx_cellules_au_format_pourcentage(base, fichiers):
    chemin = fichiers.xlsx(
        {"Parc": [["Code bailleur", "Code INSEE", "Année", "Parc total", "Taux de rotation"],
                  ["OLS1", "13055", 2025, 1000, 0.125],
                  ["OLS1", "04070", 2025, 200, 0.07],
                  ["OLS1", "06088", 2025, 300, 9.5]]},
        formats={("Parc", "E2"): "0.0%", ("Parc", "E3"): "0%"})
    rapport = importer(base, "parc", chemin)
    assert rapport.statut == "importe", rapport.erreurs
    assert base.execute("SELECT code_insee, taux_rotation FROM parc ORDER BY 1").fetchall() == [
        ("04070", 7.0), ("06088", 9.5), ("13055", 12.5)]


def test_xlsx_departement_numerique_et_taux_pourcentage(base, fichiers):
    chemin = fichiers.xlsx(
        {"Conventions": [["Code bailleur", "Code réservataire", "Type de réservataire",
                          "Département", "Année", "Statut", "Date de signature", "Taux (%)"],
                         ["OLS1", "ETAT-04", "Etat", 4, 2025, "Signée", dt(2025, 1, 15), 0.25]]},
        formats={("Conventions", "H2"): "0%"})
    rapport = importer(base, "conventions", chemin)
    assert rapport.statut == "importe", rapport.erreurs
    assert base.execute("SELECT departement, annee, statut, date_signature, taux_flux "
                        "FROM conventions").fetchall() == [
        ("04", 2025, "SIGNEE", date(2025, 1, 15), 25.0)]


def test_xlsx_code_insee_du_perimetre_numerique_garde_son_zero(base, fichiers):
    # In Excel, typing 06088 gives the number 6088. The département (6 -> 06) and the MAD's
    # code_insee (4070 -> 04070) get their zero back; the INSEE code of a commune perimeter
    # is the same kind of code and must too ("Codes keep their leading zeros").
    chemin = fichiers.xlsx(
        {"Conventions": [["Code bailleur", "Code réservataire", "Type de réservataire",
                          "Département", "Type de périmètre", "Code périmètre", "Année",
                          "Statut", "Taux (%)"],
                         ["OLS1", "COM-06088", "Commune", 6, "Commune", 6088, 2025, "Signée",
                          10]]})
    rapport = importer(base, "conventions", chemin)
    assert rapport.erreurs == []
    assert rapport.statut == "importe"
    assert base.execute("SELECT departement, perimetre_type, perimetre_code FROM conventions"
                        ).fetchall() == [("06", "COMMUNE", "06088")]


def test_xlsx_numeros_de_ligne_du_classeur_et_rangees_vides(base, fichiers):
    chemin = fichiers.xlsx({"MAD": [
        ENTETES_XLSX,                                                             # 1
        ["OLS1", "R1", dt(2025, 3, 15), 13055, "FLUX", "ETAT-13"],                 # 2
        [None] * 10,                                                              # 3 empty
        ["OLS1", "R2", dt(2025, 3, 15), 13055, "FLUX", "ETAT-13"],                 # 4
        ["OLS1", "R3", dt(2025, 3, 15), 13999, "FLUX", "ETAT-13"],                 # 5
        ["OLS1", "R4", "32/03/2025", 13055, "FLUX", "ETAT-13"],                    # 6
    ]})
    rapport = importer(base, "mises_a_disposition", chemin)
    assert erreurs(rapport) == [(5, "code_insee", "13999"),
                                (6, "date_mise_a_disposition", "32/03/2025")]
    assert rapport.lecture.lignes_vides == 1
    assert rapport.lignes_lues == 4


def test_xlsx_valeur_sous_une_colonne_sans_entete_refusee(base, fichiers):
    chemin = fichiers.xlsx({"MAD": [
        ENTETES_XLSX[:6],
        ["OLS1", "R1", dt(2025, 3, 15), 13055, "FLUX", "ETAT-13"],
        ["OLS1", "R2", dt(2025, 3, 15), 13055, "FLUX", "ETAT-13", "note perdue ?"],
    ]})
    avant = instantane(base)
    rapport = importer(base, "mises_a_disposition", chemin)
    assert rapport.statut == "rejete"
    assert erreurs(rapport) == [(3, None, "note perdue ?")]
    assert rapport.erreurs[0].message == (
        "La colonne G n'a pas d'en-tête (ligne 1) mais contient des valeurs (cellule G3 : "
        "« note perdue ? ») : donnez-lui un en-tête ou supprimez-la.")
    assert instantane(base) == avant


def test_xlsx_feuille_avec_entetes_seulement(base, fichiers):
    chemin = fichiers.xlsx({"MAD": [ENTETES_XLSX]})
    rapport = importer(base, "mises_a_disposition", chemin)
    assert rapport.statut == "rejete"
    assert "ne contient que la ligne d'en-têtes" in rapport.erreurs[0].message


def test_lecture_donne_les_lignes_brutes_a_la_quarantaine_en_tabulation(base, fichiers):
    # The separator used to rebuild a quarantined line is the file's own (here a tab).
    lignes = tableau(MAD_COLONNES[:6], mad(reference="R1"), mad(reference="R2", code_insee="13999"))
    rapport = importer(base, "mises_a_disposition", fichiers.csv(lignes, sep="\t"), partiel=True)
    assert rapport.statut == "importe"
    assert base.execute("SELECT ligne, contenu FROM quarantaine").fetchall() == [
        (3, "OLS1\tR2\t15/03/2025\t13999\tFLUX\tETAT-13")]
    assert erreur(rapport, 3, "code_insee").valeur == "13999"
