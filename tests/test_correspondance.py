"""Matching the file's headers to the DOMAIN §3 columns (data_loaders/headers.py) and the
explicit mapping file {"canonical_column": "Header in the file"}.

`associer` is checked directly for the exact canonical -> header pairs; end-to-end imports check
that the values land in the right columns.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from conftest import erreurs, importer, instantane

from data_loaders import FichierRejete
from data_loaders.headers import associer, lire_mapping
from data_loaders.specs import JEUX


def _corr(kind, entetes, mapping=None) -> dict[str, str]:
    return associer(JEUX[kind], entetes, mapping).entetes


def _rejet(kind, entetes, mapping=None) -> list:
    with pytest.raises(FichierRejete) as exc:
        associer(JEUX[kind], entetes, mapping)
    return exc.value.erreurs


# --------------------------------------------------------------------- variants per dataset

def test_variantes_mises_a_disposition_logiciel_a():
    entetes = ["Code bailleur", "N° de référence", "Date MAD", "Code INSEE", "Catégorie",
               "Contingent", "N° RPLS", "QPV", "Typologie", "Financement",
               "Année de construction", "Issue", "Date du bail", "Candidat bailleur",
               "Public prioritaire"]
    assert _corr("mises_a_disposition", entetes) == {
        "bailleur_code": "Code bailleur", "reference": "N° de référence",
        "date_mise_a_disposition": "Date MAD", "code_insee": "Code INSEE",
        "categorie": "Catégorie", "reservataire_code": "Contingent", "rpls": "N° RPLS",
        "qpv": "QPV", "typologie": "Typologie", "financement": "Financement",
        "annee_construction": "Année de construction", "issue": "Issue",
        "date_bail": "Date du bail", "candidat_bailleur": "Candidat bailleur",
        "public_prioritaire": "Public prioritaire"}


def test_variantes_mises_a_disposition_autre_logiciel():
    entetes = ["organisme", "ID MAD", "Date de mise a disposition", "DEPCOM", "Nature",
               "Code contingent", "num_rpls", "Quartier prioritaire", "Type de logement",
               "Produit", "Résultat", "Date d'effet du bail", "DALO", "Commentaire"]
    corr = associer(JEUX["mises_a_disposition"], entetes)
    assert corr.entetes == {
        "bailleur_code": "organisme", "reference": "ID MAD",
        "date_mise_a_disposition": "Date de mise a disposition", "code_insee": "DEPCOM",
        "categorie": "Nature", "reservataire_code": "Code contingent", "rpls": "num_rpls",
        "qpv": "Quartier prioritaire", "typologie": "Type de logement",
        "financement": "Produit", "issue": "Résultat", "date_bail": "Date d'effet du bail",
        "public_prioritaire": "DALO"}
    assert corr.ignorees == ["Commentaire"]
    assert corr.manquantes == ["annee_construction", "candidat_bailleur"]


def test_variantes_conventions():
    entetes = ["Code bailleur", "Nom bailleur", "Code réservataire", "Nom réservataire",
               "Type de réservataire", "Département", "Type de périmètre", "Code périmètre",
               "Année", "Statut", "Date de signature", "Motif de non-signature", "Méthode",
               "Taux (%)", "Droits annuels", "Mode de gestion"]
    assert _corr("conventions", entetes) == {
        "bailleur_code": "Code bailleur", "bailleur_nom": "Nom bailleur",
        "reservataire_code": "Code réservataire", "reservataire_nom": "Nom réservataire",
        "type_reservataire": "Type de réservataire", "departement": "Département",
        "perimetre_type": "Type de périmètre", "perimetre_code": "Code périmètre",
        "annee": "Année", "statut": "Statut", "date_signature": "Date de signature",
        "motif_non_signature": "Motif de non-signature", "methode": "Méthode",
        "taux_flux": "Taux (%)", "droits_annuels": "Droits annuels",
        "mode_gestion": "Mode de gestion"}


def test_variantes_conventions_autre_logiciel():
    entetes = ["Raison sociale", "Organisme", "Contingent", "Type", "Dept", "Échelle",
               "Code territoire", "Exercice", "État", "Signée le", "Commentaire",
               "Mode de calcul", "% du flux", "Objectif annuel", "Gestion"]
    assert _corr("conventions", entetes) == {
        "bailleur_code": "Organisme", "bailleur_nom": "Raison sociale",
        "reservataire_code": "Contingent", "type_reservataire": "Type",
        "departement": "Dept", "perimetre_type": "Échelle", "perimetre_code": "Code territoire",
        "annee": "Exercice", "statut": "État", "date_signature": "Signée le",
        "motif_non_signature": "Commentaire", "methode": "Mode de calcul",
        "taux_flux": "% du flux", "droits_annuels": "Objectif annuel", "mode_gestion": "Gestion"}


def test_variantes_parc():
    assert _corr("parc", ["OLS", "Code commune INSEE", "Millésime", "Patrimoine",
                          "Hors assiette", "Logements libérés", "Taux de mobilité",
                          "Mutations internes", "Relogements ANRU"]) == {
        "bailleur_code": "OLS", "code_insee": "Code commune INSEE", "annee": "Millésime",
        "parc_total": "Patrimoine", "logements_exclus": "Hors assiette",
        "liberations": "Logements libérés", "taux_rotation": "Taux de mobilité",
        "mutations_prevues": "Mutations internes", "relogements_prevus": "Relogements ANRU"}


def test_variantes_documents_epci_et_fichier_dgcl():
    assert _corr("documents_epci", ["SIREN EPCI", "Type de document", "Avancement",
                                    "Date d'adoption"]) == {
        "epci_siren": "SIREN EPCI", "document": "Type de document", "statut": "Avancement",
        "date_document": "Date d'adoption"}
    dgcl = ("dept;siren;raison_sociale;nature_juridique;mode_financ;nb_membres;total_pop_tot;"
            "total_pop_mun;dep_com;insee;siren_membre;nom_membre;ptot_2025;pmun_2025").split(";")
    corr = associer(JEUX["communes"], dgcl)
    assert corr.entetes == {
        "epci_siren": "siren", "epci_nom": "raison_sociale", "epci_nature": "nature_juridique",
        "code_insee": "insee", "nom_commune": "nom_membre", "departement": "dep_com",
        "population": "pmun_2025"}


def test_code_insee_prefere_au_nom_de_commune():
    # "Commune" (a name) and "Code commune" both exist: the code goes to code_insee.
    corr = associer(JEUX["parc"], ["Bailleur", "Commune", "Code commune", "Année", "Parc"])
    assert corr.entetes["code_insee"] == "Code commune"
    assert corr.ignorees == ["Commune"]


# ----------------------------------------------- case, accents, spaces and punctuation

@pytest.mark.parametrize("entetes", [
    ["BAILLEUR_CODE", "REFERENCE", "DATE_MISE_A_DISPOSITION", "CODE_INSEE", "CATEGORIE"],
    ["Bailleur Code", "Référence", "Date de mise à disposition", "code insee", "CATÉGORIE"],
    ["  code-bailleur  ", "référence.", "date-mise-à-disposition", "Code-INSEE", "catégorie :"],
    ["Code_Bailleur", "RÉFÉRENCE", "DATE MAD", "Code (INSEE)", "Catégorie"],
])
def test_insensible_casse_accents_espaces_ponctuation(entetes):
    assert _corr("mises_a_disposition", entetes) == {
        "bailleur_code": entetes[0], "reference": entetes[1],
        "date_mise_a_disposition": entetes[2], "code_insee": entetes[3],
        "categorie": entetes[4]}


@pytest.mark.parametrize("entete", ["N° RPLS", "num_rpls", "NUM RPLS", "n_rpls", "Numéro RPLS"])
def test_variantes_rpls(entete):
    corr = _corr("mises_a_disposition", ["bailleur_code", "reference", "date_mad", "code_insee",
                                         "categorie", entete])
    assert corr["rpls"] == entete


def test_import_bout_en_bout_avec_entetes_de_logiciel(base, fichiers):
    lignes = [["ORGANISME", "Id MAD", "date-mad", "Code commune", "TYPE DE MAD", "Réservataire",
               "Numéro RPLS", "En QPV", "Nombre de pièces", "Type de financement", "Décision",
               "Date entrée", "Ménage prioritaire"],
              ["OLS1", "A-1", "15/03/2025", "06088", "Flux", "ETAT-06", "1234567890", "oui", "T2",
               "PLUS", "Attribué", "02/04/2025", "non"]]
    rapport = importer(base, "mises_a_disposition", fichiers.csv(lignes))
    assert rapport.statut == "importe", rapport.erreurs
    assert base.execute(
        "SELECT bailleur_code, reference, date_mise_a_disposition, code_insee, categorie, "
        "reservataire_code, rpls, qpv, typologie, financement, issue, date_bail, "
        "public_prioritaire FROM mises_a_disposition").fetchall() == [
        ("OLS1", "A-1", date(2025, 3, 15), "06088", "FLUX", "ETAT-06", "1234567890", True, "T2",
         "PLUS", "BAIL_SIGNE", date(2025, 4, 2), False)]


# ---------------------------------------------------------------------------- mapping file

def test_mapping_prioritaire_sur_les_variantes(base, fichiers):
    # "Date" is a known variant of date_mise_a_disposition, but here it is the export date:
    # the mapping names the right column.
    lignes = [["Date", "Bailleur", "Ref", "Date orientation", "Commune", "Nature", "Contingent"],
              ["30/09/2025", "OLS1", "R1", "15/03/2025", "13055", "FLUX", "ETAT-13"]]
    mapping = fichiers.json({"date_mise_a_disposition": "Date orientation"})
    rapport = importer(base, "mises_a_disposition", fichiers.csv(lignes), mapping=mapping)
    assert rapport.statut == "importe", rapport.erreurs
    assert rapport.correspondance.entetes["date_mise_a_disposition"] == "Date orientation"
    assert rapport.correspondance.ignorees == ["Date"]
    assert base.execute("SELECT date_mise_a_disposition FROM mises_a_disposition").fetchall() == [
        (date(2025, 3, 15),)]


def test_mapping_prioritaire_sur_le_nom_canonique(base, fichiers):
    lignes = [["bailleur_code", "reference", "Ref logiciel", "date_mise_a_disposition",
               "code_insee", "categorie", "reservataire_code"],
              ["OLS1", "interne-1", "MAD-2025-001", "15/03/2025", "13055", "FLUX", "ETAT-13"]]
    mapping = fichiers.json({"reference": "Ref logiciel"})
    rapport = importer(base, "mises_a_disposition", fichiers.csv(lignes), mapping=mapping)
    assert rapport.statut == "importe", rapport.erreurs
    assert base.execute("SELECT reference FROM mises_a_disposition").fetchall() == [
        ("MAD-2025-001",)]


def test_mapping_en_tetes_inconnus_du_tableau_de_variantes(base, fichiers):
    lignes = [["Société", "Identifiant événement", "Jour", "Lieu", "Sorte", "Pour qui"],
              ["OLS1", "E-1", "15/03/2025", "04070", "Mutation interne", ""]]
    mapping = {"bailleur_code": "Société", "reference": "Identifiant événement",
               "date_mise_a_disposition": "Jour", "code_insee": "lieu",   # case-insensitive
               "categorie": "SORTE", "reservataire_code": "Pour qui"}
    chemin_mapping = fichiers.json(mapping)
    rapport = importer(base, "mises_a_disposition", fichiers.csv(lignes), mapping=chemin_mapping)
    assert rapport.statut == "importe", rapport.erreurs
    assert base.execute("SELECT bailleur_code, reference, date_mise_a_disposition, code_insee, "
                        "categorie FROM mises_a_disposition").fetchall() == [
        ("OLS1", "E-1", date(2025, 3, 15), "04070", "MUTATION")]
    # A dict is accepted as well as a file.
    assert _corr("mises_a_disposition", lignes[0], mapping)["code_insee"] == "Lieu"


def test_mapping_nommant_un_entete_absent(base, fichiers):
    lignes = [["bailleur", "ref", "Date MAD", "Commune", "Nature"],
              ["OLS1", "R1", "15/03/2025", "13055", "Mutation"]]
    mapping = fichiers.json({"code_insee": "Code commune INSEE"})
    avant = instantane(base)
    rapport = importer(base, "mises_a_disposition", fichiers.csv(lignes), mapping=mapping)
    assert rapport.statut == "rejete"
    assert erreurs(rapport) == [(1, "code_insee", "Code commune INSEE")]
    message = rapport.erreurs[0].message
    assert "l'en-tête « Code commune INSEE » indiqué pour « code_insee » est absent du fichier" \
        in message
    assert "En-têtes trouvés : « bailleur », « ref », « Date MAD », « Commune », « Nature »" \
        in message
    assert instantane(base) == avant


def test_mapping_nommant_une_colonne_inconnue():
    err = _rejet("mises_a_disposition",
                 ["bailleur", "ref", "Date MAD", "Code INSEE", "Nature", "Logement"],
                 {"numero_logement": "Logement"})
    assert [(e.colonne, e.valeur) for e in err] == [("numero_logement", "Logement")]
    assert "« numero_logement » n'est pas une colonne des mises à disposition" in err[0].message
    assert "Colonnes possibles : bailleur_code, reference" in err[0].message


@pytest.mark.parametrize("contenu, fragment", [
    ("{pas du json", "Fichier de correspondance illisible"),
    ('["code_insee", "Commune"]', "doit être un objet JSON"),
    ('{"code_insee": 13}', "doit être un objet JSON"),
])
def test_fichier_de_mapping_invalide(tmp_path, contenu, fragment):
    chemin = tmp_path / "map.json"
    chemin.write_text(contenu, encoding="utf-8")
    with pytest.raises(FichierRejete) as exc:
        lire_mapping(chemin)
    assert fragment in exc.value.erreurs[0].message


def test_fichier_de_mapping_avec_bom(tmp_path):
    chemin = tmp_path / "map.json"
    chemin.write_bytes(json.dumps({"code_insee": "Lieu"}).encode("utf-8-sig"))
    assert lire_mapping(chemin) == {"code_insee": "Lieu"}


# ------------------------------------------------------------ missing required columns

def test_colonnes_obligatoires_manquantes_toutes_signalees_avec_les_entetes_trouves(base,
                                                                                  fichiers):
    lignes = [["bailleur", "ref", "foo"], ["OLS1", "R1", "x"]]
    avant = instantane(base)
    rapport = importer(base, "mises_a_disposition", fichiers.csv(lignes))
    assert rapport.statut == "rejete"
    assert erreurs(rapport) == [(1, "date_mise_a_disposition", None), (1, "code_insee", None),
                                (1, "categorie", None)]
    for e in rapport.erreurs:
        assert f"Colonne obligatoire « {e.colonne} »" in e.message
        assert "En-têtes trouvés : « bailleur », « ref », « foo »" in e.message
    assert "(date de mise à disposition) introuvable" in rapport.erreurs[0].message
    assert instantane(base) == avant


@pytest.mark.parametrize("kind, entetes, manquantes", [
    ("conventions", ["Code bailleur", "Année", "Statut", "Taux"],
     ["reservataire_code", "type_reservataire", "departement"]),
    ("parc", ["Code bailleur", "Code INSEE"], ["annee", "parc_total"]),
    ("documents_epci", ["Document"], ["epci_siren", "statut"]),
    ("communes", ["insee", "nom_membre"], ["epci_siren", "epci_nom"]),
])
def test_colonnes_obligatoires_manquantes_par_jeu(kind, entetes, manquantes):
    err = _rejet(kind, entetes)
    assert [(e.ligne, e.colonne) for e in err] == [(1, c) for c in manquantes]
    trouves = ", ".join(f"« {h} »" for h in entetes)
    assert all(f"En-têtes trouvés : {trouves}." in e.message for e in err)


def test_mapping_corrige_une_colonne_manquante(base, fichiers):
    lignes = [["bailleur", "ref", "jour", "Code INSEE", "Nature", "Contingent"],
              ["OLS1", "R1", "15/03/2025", "13055", "FLUX", "ETAT-13"]]
    chemin = fichiers.csv(lignes)
    rapport = importer(base, "mises_a_disposition", chemin)
    assert erreurs(rapport) == [(1, "date_mise_a_disposition", None)]
    rapport = importer(base, "mises_a_disposition", chemin,
                       mapping=fichiers.json({"date_mise_a_disposition": "jour"}))
    assert rapport.statut == "importe", rapport.erreurs
    assert rapport.lignes_importees == 1
