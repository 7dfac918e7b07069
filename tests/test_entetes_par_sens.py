"""Headers found by their meaning (issue 12, data_loaders/headers.py): after the exact variants,
a header worded differently finds its column by its words — « Date de signature du bail » is
the date du bail — ambiguities are errors that name the candidates, and a file column that
looks like a column already taken is said in the report.

Every expected mapping, error and sentence is written by hand.
"""

from __future__ import annotations

from datetime import date

import pytest
from conftest import importer, instantane

from data_loaders import FichierRejete
from data_loaders.headers import associer, mots, reconnaissance
from data_loaders.specs import JEUX

MAD = JEUX["mises_a_disposition"]
CONVENTIONS = JEUX["conventions"]


def _rejet(jeu, entetes, mapping=None, **kw) -> list[tuple]:
    with pytest.raises(FichierRejete) as exc:
        associer(jeu, entetes, mapping, **kw)
    return [(e.ligne, e.colonne, e.valeur, e.message) for e in exc.value.erreurs]


# ------------------------------------------------------------------------ words of a header

@pytest.mark.parametrize("entete, attendu", [
    ("Date de signature du bail", ("date", "signature", "bail")),
    ("Contingent réservataire", ("reservataire", "reservataire")),
    ("N° RPLS du logement", ("numero", "rpl", "logement")),
    ("Commune (code INSEE)", ("commune", "code", "insee")),
    ("Date de mise à disposition au réservataire", ("date", "mad", "reservataire")),
    ("Issue de la proposition", ("issue", "proposition")),
    ("DATE D'EFFET DU BAIL", ("date", "effet", "bail")),
    ("Nb logements libérés", ("nombre", "logement", "liberation")),
])
def test_mots_d_un_en_tete(entete, attendu):
    assert mots(entete) == attendu


# ------------------------------------------------ the six headers of the issue, imported

ENTETES_LOGICIEL = ["Bailleur", "N° MAD", "Date de mise à disposition au réservataire",
                    "Commune (code INSEE)", "Type", "Contingent réservataire",
                    "N° RPLS du logement", "Issue de la proposition", "Date de signature du bail"]


def test_six_en_tetes_formules_autrement_importes(base, fichiers):
    lignes = [ENTETES_LOGICIEL,
              ["OLS1", "M-1", "15/03/2025", "13055", "Flux", "ETAT-13", "1234567890",
               "Bail signé", "02/04/2025"],
              ["OLS1", "M-2", "16/03/2025", "04070", "Mutation", "", "", "En cours", ""]]
    rapport = importer(base, "mises_a_disposition", fichiers.csv(lignes))
    assert rapport.statut == "importe", rapport.erreurs
    assert rapport.correspondance.entetes == {
        "bailleur_code": "Bailleur", "reference": "N° MAD",
        "date_mise_a_disposition": "Date de mise à disposition au réservataire",
        "code_insee": "Commune (code INSEE)", "categorie": "Type",
        "reservataire_code": "Contingent réservataire", "rpls": "N° RPLS du logement",
        "issue": "Issue de la proposition", "date_bail": "Date de signature du bail"}
    # « Commune (code INSEE) » and « Type » are listed variants; the others, found by meaning.
    assert rapport.correspondance.par_le_sens == [
        "date_mise_a_disposition", "reservataire_code", "rpls", "issue", "date_bail"]
    assert rapport.correspondance.ignorees == []
    assert rapport.correspondance.avertissements() == []
    assert base.execute(
        "SELECT reference, date_mise_a_disposition, code_insee, categorie, rpls, issue, "
        "date_bail FROM mises_a_disposition ORDER BY reference").fetchall() == [
        ("M-1", date(2025, 3, 15), "13055", "FLUX", "1234567890", "BAIL_SIGNE",
         date(2025, 4, 2)),
        ("M-2", date(2025, 3, 16), "04070", "MUTATION", None, "EN_COURS", None)]
    assert base.execute("SELECT reservataire_code IS NOT NULL FROM mises_a_disposition "
                        "ORDER BY reference").fetchall() == [(True,), (False,)]


@pytest.mark.parametrize("entete, colonne", [
    ("Date de signature du bail", "date_bail"),
    ("Contingent réservataire", "reservataire_code"),
    ("N° RPLS du logement", "rpls"),
    ("Commune (code INSEE)", "code_insee"),
    ("Date de mise à disposition au réservataire", "date_mise_a_disposition"),
    ("Issue de la proposition", "issue"),
])
def test_chaque_en_tete_de_l_issue_trouve_sa_colonne(entete, colonne):
    minimum = {"bailleur_code": "Code bailleur", "reference": "Référence",
               "date_mise_a_disposition": "Date MAD", "code_insee": "Code INSEE",
               "categorie": "Catégorie"}
    minimum.pop(colonne, None)
    corr = associer(MAD, [*minimum.values(), entete])
    assert corr.entetes[colonne] == entete
    assert corr.ignorees == []


def test_conventions_date_de_signature_et_contingent(base, fichiers):
    lignes = [["Code bailleur", "Contingent réservataire", "Type de réservataire", "Dépt",
               "Exercice", "Statut de la convention", "Date de signature", "Part du flux (%)"],
              ["OLS1", "ETAT-13", "Etat", "13", "2025", "Signée", "15/01/2025", "30"]]
    rapport = importer(base, "conventions", fichiers.csv(lignes))
    assert rapport.statut == "importe", rapport.erreurs
    assert rapport.correspondance.entetes == {
        "bailleur_code": "Code bailleur", "reservataire_code": "Contingent réservataire",
        "type_reservataire": "Type de réservataire", "departement": "Dépt",
        "annee": "Exercice", "statut": "Statut de la convention",
        "date_signature": "Date de signature", "taux_flux": "Part du flux (%)"}
    assert base.execute("SELECT departement, annee, statut, date_signature, taux_flux "
                        "FROM conventions").fetchall() == [
        ("13", 2025, "SIGNEE", date(2025, 1, 15), 30.0)]


# ------------------------------------------------------------- what words must not do

def test_signature_seule_ne_prend_pas_la_date_du_bail():
    # In a MAD file, « Date de signature » (of what?) is not the date du bail.
    corr = associer(MAD, ["Code bailleur", "Référence", "Date MAD", "Code INSEE", "Catégorie",
                          "Date de signature"])
    assert "date_bail" not in corr.entetes
    assert corr.ignorees == ["Date de signature"]


def test_date_de_signature_du_bail_n_est_pas_celle_de_la_convention():
    # In a conventions file, a lease's signature date is not the convention's.
    entetes = ["Code bailleur", "Code réservataire", "Type", "Département", "Année", "Statut",
               "Date de signature du bail"]
    corr = associer(CONVENTIONS, entetes)
    assert "date_signature" not in corr.entetes
    assert corr.ignorees == ["Date de signature du bail"]
    corr = associer(CONVENTIONS, [*entetes, "Date de signature"])
    assert corr.entetes["date_signature"] == "Date de signature"


def test_date_de_signature_du_bail_dans_un_fichier_de_mad_est_la_date_du_bail():
    # date_signature is no MAD column: in the MAD dataset the header only meets MAD columns.
    corr = associer(MAD, ["Code bailleur", "Référence", "Date MAD", "Code INSEE", "Catégorie",
                          "Date de signature du bail"])
    assert corr.entetes["date_bail"] == "Date de signature du bail"


def test_type_seul_garde_son_sens_dans_chaque_jeu():
    assert associer(MAD, ["Code bailleur", "Référence", "Date MAD", "Code INSEE", "Type",
                          "Type de logement"]).entetes == {
        "bailleur_code": "Code bailleur", "reference": "Référence",
        "date_mise_a_disposition": "Date MAD", "code_insee": "Code INSEE",
        "categorie": "Type", "typologie": "Type de logement"}
    corr = associer(CONVENTIONS, ["Code bailleur", "Réservataire", "Type", "Département",
                                  "Année", "Statut"])
    assert corr.entetes["type_reservataire"] == "Type"


def test_nom_du_reservataire_n_est_pas_son_code():
    # A MAD file has no réservataire name column: « Nom du contingent » stays unused.
    corr = associer(MAD, ["Code bailleur", "Référence", "Date MAD", "Code INSEE", "Catégorie",
                          "Nom du contingent"])
    assert "reservataire_code" not in corr.entetes
    assert corr.ignorees == ["Nom du contingent"]


def test_lien_ou_phrase_n_est_pas_un_en_tete():
    # More than two words besides the column's own: a sentence, a link, not the column.
    corr = associer(MAD, ["Code bailleur", "Référence", "Date MAD", "Code INSEE", "Nature",
                          "[Issue](https://site.example/aide)"])
    assert "issue" not in corr.entetes


def test_variante_exacte_prioritaire_sur_le_sens():
    # « Date MAD » is a listed variant: it wins over a header that means the same.
    corr = associer(MAD, ["Code bailleur", "Référence",
                          "Date de mise à disposition au réservataire", "Date MAD",
                          "Code INSEE", "Catégorie"])
    assert corr.entetes["date_mise_a_disposition"] == "Date MAD"
    assert corr.ressemblantes == [("Date de mise à disposition au réservataire",
                                   "date_mise_a_disposition")]


# ----------------------------------------------------------------- ambiguity is an error

def test_un_en_tete_pour_deux_colonnes_rejete_avec_les_candidats(base, fichiers):
    lignes = [["Code bailleur", "Référence", "Date MAD/bail", "Code INSEE", "Catégorie"],
              ["OLS1", "R1", "15/03/2025", "13055", "Mutation"]]
    chemin = fichiers.csv(lignes)
    avant = instantane(base)
    rapport = importer(base, "mises_a_disposition", chemin)
    assert rapport.statut == "rejete"
    assert [(e.ligne, e.colonne, e.valeur, e.message) for e in rapport.erreurs] == [(
        1, "date_mise_a_disposition", "Date MAD/bail",
        "En-tête ambigu : « Date MAD/bail » peut désigner « date de mise à disposition » "
        "(date_mise_a_disposition) ou « date du bail » (date_bail). Renommez la colonne dans "
        "le fichier ou fournissez un fichier de correspondance, par exemple "
        '{"date_mise_a_disposition": "Date MAD/bail"}.')]
    assert instantane(base) == avant
    # The mapping the message suggests settles it.
    rapport = importer(base, "mises_a_disposition", chemin,
                       mapping={"date_mise_a_disposition": "Date MAD/bail"})
    assert rapport.statut == "importe", rapport.erreurs
    assert base.execute("SELECT date_mise_a_disposition, date_bail FROM "
                        "mises_a_disposition").fetchall() == [(date(2025, 3, 15), None)]


def test_deux_en_tetes_pour_une_colonne_obligatoire_rejete(base, fichiers):
    lignes = [["Code bailleur", "Référence", "Date MAD", "INSEE logement", "INSEE résidence",
               "Catégorie"],
              ["OLS1", "R1", "15/03/2025", "13055", "13055", "Mutation"]]
    rapport = importer(base, "mises_a_disposition", fichiers.csv(lignes))
    assert rapport.statut == "rejete"
    assert [(e.ligne, e.colonne, e.valeur, e.message) for e in rapport.erreurs] == [(
        1, "code_insee", "INSEE logement",
        "Plusieurs colonnes du fichier peuvent être la colonne obligatoire « code_insee » "
        "(code INSEE) : « INSEE logement », « INSEE résidence ». Renommez la colonne dans le "
        "fichier ou fournissez un fichier de correspondance, par exemple "
        '{"code_insee": "INSEE logement"}.')]


def test_ambiguite_a_la_ligne_des_en_tetes():
    # The header row below title lines: the error names its own line.
    assert [(l, c) for l, c, _, _ in _rejet(
        MAD, ["Code bailleur", "Référence", "Date MAD/bail", "Code INSEE", "Catégorie"],
        ligne_entetes=4)] == [(4, "date_mise_a_disposition")]
    assert [(l, c) for l, c, _, _ in _rejet(MAD, ["Code bailleur"], ligne_entetes=4)] == [
        (4, "reference"), (4, "date_mise_a_disposition"), (4, "code_insee"), (4, "categorie")]


def test_deux_en_tetes_pour_une_colonne_facultative_aucun_retenu_et_signale(base, fichiers):
    # Two lease dates, neither a listed variant: the date du bail is not guessed, the report
    # says why.
    lignes = [["Code bailleur", "Référence", "Date MAD", "Code INSEE", "Catégorie",
               "Date de signature du bail", "Date d'entrée dans les lieux"],
              ["OLS1", "R1", "15/03/2025", "13055", "Mutation", "01/04/2025", "05/04/2025"]]
    rapport = importer(base, "mises_a_disposition", fichiers.csv(lignes))
    assert rapport.statut == "importe", rapport.erreurs
    corr = rapport.correspondance
    assert "date_bail" not in corr.entetes
    assert corr.ressemblantes == [("Date de signature du bail", "date_bail"),
                                  ("Date d'entrée dans les lieux", "date_bail")]
    assert corr.avertissements() == [
        "Les colonnes « Date de signature du bail », « Date d'entrée dans les lieux » "
        "ressemblent toutes à « date du bail » : aucune n'a été utilisée. Indiquez la bonne "
        'dans un fichier de correspondance, par exemple {"date_bail": "Date de signature du '
        'bail"}.']


# ------------------------------------------------- look-alike columns left unused, said

def test_colonne_ressemblante_non_utilisee_signalee(base, fichiers):
    lignes = [["Code bailleur", "Référence", "Date MAD", "Code commune", "Catégorie",
               "Date du bail", "Date de signature du bail", "Code INSEE du logement",
               "Observations"],
              ["OLS1", "R1", "15/03/2025", "13055", "Mutation", "01/04/2025", "02/04/2025",
               "13055", "RAS"]]
    rapport = importer(base, "mises_a_disposition", fichiers.csv(lignes))
    assert rapport.statut == "importe", rapport.erreurs
    corr = rapport.correspondance
    assert (corr.entetes["date_bail"], corr.entetes["code_insee"]) == ("Date du bail",
                                                                       "Code commune")
    assert corr.ignorees == ["Date de signature du bail", "Code INSEE du logement",
                             "Observations"]
    assert corr.ressemblantes == [("Date de signature du bail", "date_bail"),
                                  ("Code INSEE du logement", "code_insee")]
    assert corr.avertissements() == [
        "La colonne « Date de signature du bail » ressemble à « date du bail » mais n'a pas "
        "été utilisée (la colonne « Date du bail » a été retenue).",
        "La colonne « Code INSEE du logement » ressemble à « code INSEE » mais n'a pas été "
        "utilisée (la colonne « Code commune » a été retenue)."]
    assert base.execute("SELECT date_bail FROM mises_a_disposition").fetchall() == [
        (date(2025, 4, 1),)]


def test_variante_en_double_signalee():
    # Two listed variants of one column: the first in the variants' order is used.
    corr = associer(MAD, ["Code bailleur", "Référence", "Date MAD", "Code INSEE", "Catégorie",
                          "Contingent", "Code réservataire"])
    assert corr.entetes["reservataire_code"] == "Contingent"
    assert corr.avertissements() == [
        "La colonne « Code réservataire » ressemble à « réservataire » mais n'a pas été "
        "utilisée (la colonne « Contingent » a été retenue)."]


# ------------------------------------------------------------ how much a row is a header

def test_reconnaissance_d_une_ligne_d_en_tetes():
    assert reconnaissance(MAD, ENTETES_LOGICIEL) == (5, 9)
    assert reconnaissance(MAD, ["Export des attributions – Bailleur X"]) == (0, 0)
    assert reconnaissance(MAD, ["OLS1", "R1", "15/03/2025", "13055", "FLUX"]) == (0, 0)
    assert reconnaissance(MAD, [None, "", "Catégorie"]) == (1, 1)
