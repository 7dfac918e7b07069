"""Validation of every row (data_loaders/normalisation.py + validation.py), one test per rule.

To keep the suite fast, each dataset has a "catalogue" file imported once (module fixture): line 2
is valid and each following line breaks one rule. One test per rule then checks, for its line,
the exact errors: line number (header = line 1), column, value as read, French message. Another
test checks that no other line has an error and that nothing was written.
Rules that need the database (duplicate against an earlier import) have their own tests.
Accepted spellings are imported in one file per column and checked on the stored codes.
"""

from __future__ import annotations

from datetime import date

import pytest
from conftest import (
    COLONNES,
    CONVENTION_COLONNES,
    DOCUMENT_COLONNES,
    MAD_COLONNES,
    PARC_COLONNES,
    Fichiers,
    document,
    erreurs,
    importer,
    instantane,
    mad,
    nouvelle_base,
    parc,
    tableau,
)
from conftest import (
    convention as _convention,
)


class Catalogue:
    """One file, imported once: line 2 valid, then one line per case."""

    def __init__(self, con, avant, apres, rapport):
        self.con, self.avant, self.apres, self.rapport = con, avant, apres, rapport

    def erreurs_ligne(self, ligne: int) -> list:
        return [e for e in self.rapport.erreurs if e.ligne == ligne]


def _catalogue(tmp_path_factory, modele, kind, valide, cas):
    dossier = tmp_path_factory.mktemp(f"catalogue_{kind}")
    con = nouvelle_base(dossier / "flux.duckdb", modele)
    rangees = [valide]
    for numero, (ligne, _ident, rangee, _attendu) in enumerate(cas, start=3):
        assert ligne == numero, f"catalogue mal numéroté : {ligne} au lieu de {numero}"
        rangees.append(rangee)
    chemin = Fichiers(dossier).csv(tableau(COLONNES[kind], *rangees))
    avant = instantane(con)
    rapport = importer(con, kind, chemin)
    return Catalogue(con, avant, instantane(con), rapport)


def _verifier(catalogue: Catalogue, ligne: int, attendu: list[tuple]):
    trouvees = catalogue.erreurs_ligne(ligne)
    assert [(e.colonne, e.valeur) for e in trouvees] == [(c, v) for c, v, _ in attendu], trouvees
    for e, (_, _, fragment) in zip(trouvees, attendu):
        assert fragment in e.message, (e.message, fragment)
        assert e.ligne == ligne


def _ids(cas):
    return [f"L{c[0]}-{c[1]}" for c in cas]


# ======================================================================= mises à disposition

CAS_MAD = [
    (3, "bailleur_code-obligatoire", mad(reference="R3", bailleur_code=""),
     [("bailleur_code", None, "valeur obligatoire manquante (code bailleur)")]),
    (4, "reference-obligatoire", mad(reference=""),
     [("reference", None, "valeur obligatoire manquante (référence)")]),
    (5, "date-obligatoire", mad(reference="R5", date_mise_a_disposition=""),
     [("date_mise_a_disposition", None,
       "valeur obligatoire manquante (date de mise à disposition)")]),
    (6, "code_insee-obligatoire", mad(reference="R6", code_insee=""),
     [("code_insee", None, "valeur obligatoire manquante (code INSEE)")]),
    (7, "categorie-obligatoire", mad(reference="R7", categorie=""),
     [("categorie", None, "valeur obligatoire manquante (catégorie)")]),
    (8, "date-inexistante", mad(reference="R8", date_mise_a_disposition="31/02/2025"),
     [("date_mise_a_disposition", "31/02/2025",
       "date existante attendue au format JJ/MM/AAAA ou AAAA-MM-JJ")]),
    (9, "date-texte", mad(reference="R9", date_mise_a_disposition="mars 2025"),
     [("date_mise_a_disposition", "mars 2025", "date existante attendue")]),
    (10, "code_insee-lettres", mad(reference="R10", code_insee="ABCDE"),
     [("code_insee", "ABCDE", "code INSEE attendu : 5 caractères (ex. 04070, 13055, 2A004)")]),
    (11, "code_insee-6-chiffres", mad(reference="R11", code_insee="130555"),
     [("code_insee", "130555", "code INSEE attendu : 5 caractères")]),
    (12, "categorie-inconnue", mad(reference="R12", categorie="Vente"),
     [("categorie", "Vente", "valeur attendue parmi : Flux réservataire (FLUX), Non réservé "
                             "(NON_RESERVE), Mutation interne (MUTATION), Relogement "
                             "(RELOGEMENT), Première mise en location (PREMIERE_LOCATION), "
                             "Stock (STOCK)")]),
    (13, "qpv-booleen", mad(reference="R13", qpv="peut-être"),
     [("qpv", "peut-être", "oui ou non attendu (O/N, oui/non, 1/0, vrai/faux)")]),
    (14, "candidat_bailleur-booleen", mad(reference="R14", candidat_bailleur="2"),
     [("candidat_bailleur", "2", "oui ou non attendu")]),
    (15, "public_prioritaire-booleen", mad(reference="R15", public_prioritaire="si"),
     [("public_prioritaire", "si", "oui ou non attendu")]),
    (16, "typologie-inconnue", mad(reference="R16", typologie="T9 bis"),
     [("typologie", "T9 bis", "typologie attendue : T1 à T6 (studio = T1, T6 = 6 pièces et "
                              "plus)")]),
    (17, "typologie-texte", mad(reference="R17", typologie="duplex"),
     [("typologie", "duplex", "typologie attendue : T1 à T6")]),
    (18, "financement-inconnu", mad(reference="R18", financement="PLX"),
     [("financement", "PLX", "valeur attendue parmi : PLAI, PLUS, PLS, PLI, "
                             "Autre financement (AUTRE)")]),
    (19, "annee_construction-texte", mad(reference="R19", annee_construction="deux mille"),
     [("annee_construction", "deux mille", "nombre entier attendu (ex. 1 234)")]),
    (20, "annee_construction-decimale", mad(reference="R20", annee_construction="1987,5"),
     [("annee_construction", "1987,5", "nombre entier attendu")]),
    (21, "annee_construction-trop-ancienne", mad(reference="R21", annee_construction="1700"),
     [("annee_construction", "1700", "valeur hors limites : attendu entre 1 800 et 2 100")]),
    (22, "annee_construction-trop-grande", mad(reference="R22", annee_construction="2101"),
     [("annee_construction", "2101", "valeur hors limites : attendu entre 1 800 et 2 100")]),
    (23, "issue-inconnue", mad(reference="R23", issue="Truc"),
     [("issue", "Truc", "valeur attendue parmi : Bail signé (BAIL_SIGNE), Refus du demandeur "
                        "(REFUS_DEMANDEUR), Refus CALEOL (REFUS_CALEOL), Sans candidat "
                        "(SANS_CANDIDAT), En cours (EN_COURS)")]),
    (24, "date_bail-inexistante", mad(reference="R24", date_bail="32/04/2025"),
     [("date_bail", "32/04/2025", "date existante attendue")]),
    (25, "rpls-trop-court", mad(reference="R25", rpls="123"),
     [("rpls", "123", "numéro RPLS attendu : 10 caractères (chiffres ou lettres)")]),
    (26, "rpls-ponctuation", mad(reference="R26", rpls="12345-6789"),
     [("rpls", "12345-6789", "numéro RPLS attendu : 10 caractères")]),
    (27, "date-invraisemblable", mad(reference="R27", date_mise_a_disposition="15/03/1985"),
     [("date_mise_a_disposition", "15/03/1985", "date invraisemblable : antérieure à 1990")]),
    (28, "commune-inconnue", mad(reference="R28", code_insee="13999"),
     [("code_insee", "13999", "commune inconnue du référentiel des communes (code INSEE "
                              "officiel attendu")]),
    (29, "commune-hors-referentiel", mad(reference="R29", code_insee="69123"),
     [("code_insee", "69123", "importez d'abord le fichier DGCL des communes")]),
    (30, "date_bail-avant-mad",
     mad(reference="R30", date_mise_a_disposition="15/03/2025", issue="Bail signé",
         date_bail="14/03/2025"),
     [("date_bail", "14/03/2025", "date du bail antérieure à la mise à disposition "
                                  "(15/03/2025)")]),
    (31, "date_bail-obligatoire-bail-signe", mad(reference="R31", issue="Bail signé"),
     [("date_bail", None, "date du bail obligatoire quand l'issue est « Bail signé »")]),
    (32, "reservataire-obligatoire-flux",
     mad(reference="R32", categorie="Flux réservataire", reservataire_code=""),
     [("reservataire_code", None, "réservataire obligatoire pour une mise à disposition au "
                                  "titre du flux réservataire")]),
    (33, "mad-future", mad(reference="R33", date_mise_a_disposition="23/11/2026"),
     [("date_mise_a_disposition", "23/11/2026", "date de mise à disposition dans le futur")]),
    (34, "bail-a-plus-d-un-an", mad(reference="R34", issue="BAIL_SIGNE", date_bail="01/01/2028"),
     [("date_bail", "01/01/2028", "date du bail à plus d'un an dans le futur")]),
    (35, "reference-premiere", mad(reference="R-DUP"), []),
    (36, "reference-en-double", mad(reference="R-DUP", date_mise_a_disposition="16/03/2025"),
     [("reference", "R-DUP", "référence en double dans le fichier : déjà présente ligne 35")]),
    (37, "reference-en-double-bis", mad(reference="R-DUP", date_mise_a_disposition="17/03/2025"),
     [("reference", "R-DUP", "déjà présente ligne 35")]),
    (38, "plusieurs-erreurs", mad(reference="R38", code_insee="99999", reservataire_code="",
                                  qpv="bof"),
     [("code_insee", "99999", "commune inconnue"),
      ("qpv", "bof", "oui ou non attendu"),
      ("reservataire_code", None, "réservataire obligatoire")]),
    (39, "reference-espaces", mad(reference="   "),
     [("reference", "", "valeur obligatoire manquante (référence)")]),
    # Accepted: not errors.
    (40, "mad-aujourd-hui", mad(reference="R40", date_mise_a_disposition="22/11/2026"), []),
    (41, "bail-le-jour-meme", mad(reference="R41", issue="BAIL_SIGNE", date_bail="2025-03-15"),
     []),
    (42, "date_bail-autre-issue", mad(reference="R42", issue="Refus CALEOL",
                                      date_bail="20/03/2025"), []),
    (43, "mutation-sans-reservataire", mad(reference="R43", categorie="Mutation",
                                           reservataire_code=""), []),
    (44, "meme-reference-autre-bailleur", mad(reference="R-DUP", bailleur_code="OLS2"), []),
    (45, "reference-casse-differente", mad(reference="r-dup"), []),
]


@pytest.fixture(scope="module")
def catalogue_mad(tmp_path_factory, modele_base):
    cat = _catalogue(tmp_path_factory, modele_base, "mises_a_disposition",
                     mad(reference="R-OK"), CAS_MAD)
    yield cat
    cat.con.close()


@pytest.mark.parametrize("ligne, ident, rangee, attendu", CAS_MAD, ids=_ids(CAS_MAD))
def test_mad_regle(catalogue_mad, ligne, ident, rangee, attendu):
    _verifier(catalogue_mad, ligne, attendu)


def test_mad_catalogue_rejete_sans_rien_ecrire_et_sans_erreur_ailleurs(catalogue_mad):
    rapport = catalogue_mad.rapport
    assert rapport.statut == "rejete"
    attendues = sorted(l for l, _, _, a in CAS_MAD if a)
    assert sorted({e.ligne for e in rapport.erreurs}) == attendues
    assert rapport.lignes_rejetees == len(attendues) == 36
    assert rapport.lignes_lues == 44
    assert rapport.lignes_importees == 0
    assert catalogue_mad.apres == catalogue_mad.avant
    # Errors come sorted by line.
    assert [e.ligne for e in rapport.erreurs] == sorted(e.ligne for e in rapport.erreurs)


def test_mad_reference_en_double_avec_la_base(base, fichiers):
    r1 = importer(base, "mises_a_disposition",
                  fichiers.csv(tableau(MAD_COLONNES, mad(reference="R1",
                                                         date_mise_a_disposition="15/03/2024"))))
    assert r1.statut == "importe"
    avant = instantane(base)
    # A file for 2025 (another scope of the same bailleur) repeats R1: refused.
    rapport = importer(base, "mises_a_disposition", fichiers.csv(tableau(
        MAD_COLONNES, mad(reference="R2", date_mise_a_disposition="10/01/2025"),
        mad(reference="R1", date_mise_a_disposition="10/01/2025"))))
    assert rapport.statut == "rejete"
    assert erreurs(rapport) == [(3, "reference", "R1")]
    assert rapport.erreurs[0].message == (
        f"référence déjà importée pour ce bailleur (import n° {r1.import_id}, mise à disposition "
        "du 15/03/2024) : une référence est unique par bailleur")
    assert instantane(base) == avant


def test_mad_reference_de_la_base_reprise_par_une_nouvelle_version_du_perimetre(base, fichiers):
    # Same scope (OLS1 × 2024) replaced: its references may come back; another bailleur's
    # identical reference is not a duplicate either.
    for rangees in ([mad(reference="R1", date_mise_a_disposition="15/03/2024"),
                     mad(reference="R1", bailleur_code="OLS2",
                         date_mise_a_disposition="15/03/2025")],
                    [mad(reference="R1", date_mise_a_disposition="16/03/2024", code_insee="04070",
                         reservataire_code="ETAT-04")]):
        rapport = importer(base, "mises_a_disposition", fichiers.csv(tableau(MAD_COLONNES,
                                                                             *rangees)))
        assert rapport.statut == "importe", rapport.erreurs
    assert base.execute("SELECT bailleur_code, reference, date_mise_a_disposition "
                        "FROM mises_a_disposition ORDER BY 1").fetchall() == [
        ("OLS1", "R1", date(2024, 3, 16)), ("OLS2", "R1", date(2025, 3, 15))]


# ----------------------------------------------------------- accepted spellings (MAD values)

ORTHOGRAPHES_MAD = {
    "issue": [("Bail signé", "BAIL_SIGNE"), ("BAIL SIGNE", "BAIL_SIGNE"),
              ("bail_signe", "BAIL_SIGNE"), ("  Bail signé ", "BAIL_SIGNE"),
              ("Refus du demandeur", "REFUS_DEMANDEUR"), ("refus caleol", "REFUS_CALEOL"),
              ("Retour bailleur", "SANS_CANDIDAT"), ("Sans candidat", "SANS_CANDIDAT"),
              ("En cours", "EN_COURS"), ("", "EN_COURS")],
    "categorie": [("FLUX", "FLUX"), ("Flux", "FLUX"), ("Flux réservataire", "FLUX"),
                  ("FLUX RESERVATAIRE", "FLUX"), ("Non réservé", "NON_RESERVE"),
                  ("non_reserve", "NON_RESERVE"), ("Mutation", "MUTATION"),
                  ("Mutation interne", "MUTATION"), ("Relogement ANRU", "RELOGEMENT"),
                  ("relogement", "RELOGEMENT"), ("Première mise en location", "PREMIERE_LOCATION"),
                  ("PREMIERE LOCATION", "PREMIERE_LOCATION"), ("Stock", "STOCK")],
    "qpv": [("O", True), ("oui", True), ("OUI", True), ("1", True), ("true", True),
            ("TRUE", True), ("Vrai", True), ("N", False), ("non", False), ("NON", False),
            ("0", False), ("false", False), ("False", False), ("faux", False), ("", None)],
    "typologie": [("T1", "T1"), ("T1 bis", "T1"), ("studio", "T1"), ("Studio", "T1"),
                  ("4", "T4"), ("T3", "T3"), ("t2", "T2"), ("F5", "T5"), ("Type 3", "T3"),
                  ("T6", "T6"), ("T7", "T6"), ("6 pièces et plus", "T6")],
    "financement": [("PLAI", "PLAI"), ("PLA-I", "PLAI"), ("pla i", "PLAI"), ("PLUS", "PLUS"),
                    ("PLS", "PLS"), ("PLI", "PLI"), ("Autre", "AUTRE"),
                    ("Autre financement", "AUTRE")],
}


@pytest.fixture(scope="module")
def orthographes_mad(tmp_path_factory, modele_base):
    dossier = tmp_path_factory.mktemp("orthographes_mad")
    con = nouvelle_base(dossier / "flux.duckdb", modele_base)
    rangees = []
    for colonne, cas in ORTHOGRAPHES_MAD.items():
        for i, (ecrit, code) in enumerate(cas):
            extra = {"date_bail": "01/04/2025"} if code == "BAIL_SIGNE" else {}
            rangees.append(mad(reference=f"{colonne}-{i}", **{colonne: ecrit}, **extra))
    rapport = importer(con, "mises_a_disposition", Fichiers(dossier).csv(
        tableau(MAD_COLONNES, *rangees)))
    lues = {r[0]: r[1:] for r in con.execute(
        "SELECT reference, issue, categorie, qpv, typologie, financement "
        "FROM mises_a_disposition").fetchall()}
    yield rapport, lues
    con.close()


@pytest.mark.parametrize("colonne", list(ORTHOGRAPHES_MAD))
def test_mad_codes_libelles_et_variantes_acceptes(orthographes_mad, colonne):
    rapport, lues = orthographes_mad
    assert rapport.erreurs == []
    assert rapport.statut == "importe"
    position = ["issue", "categorie", "qpv", "typologie", "financement"].index(colonne)
    obtenu = [(ecrit, lues[f"{colonne}-{i}"][position])
              for i, (ecrit, _) in enumerate(ORTHOGRAPHES_MAD[colonne])]
    assert obtenu == ORTHOGRAPHES_MAD[colonne]


def test_mad_booleens_des_trois_colonnes(base, fichiers):
    rapport = importer(base, "mises_a_disposition", fichiers.csv(tableau(
        MAD_COLONNES,
        mad(reference="A", qpv="Oui", candidat_bailleur="O", public_prioritaire="1"),
        mad(reference="B", qpv="Non", candidat_bailleur="n", public_prioritaire="false"))))
    assert rapport.statut == "importe", rapport.erreurs
    assert base.execute("SELECT reference, qpv, candidat_bailleur, public_prioritaire "
                        "FROM mises_a_disposition ORDER BY 1").fetchall() == [
        ("A", True, True, True), ("B", False, False, False)]


def test_mad_code_insee_sans_zero_restaure_et_espaces_retires(base, fichiers):
    rapport = importer(base, "mises_a_disposition", fichiers.csv(tableau(
        MAD_COLONNES, mad(reference="R1", code_insee="4070", reservataire_code="ETAT-04"),
        mad(reference="R2", code_insee=" 06088 ", reservataire_code="ETAT-06"))))
    assert rapport.statut == "importe", rapport.erreurs
    assert base.execute("SELECT reference, code_insee FROM mises_a_disposition "
                        "ORDER BY 1").fetchall() == [("R1", "04070"), ("R2", "06088")]


# =============================================================================== conventions

def convention(**valeurs) -> dict:
    """The catalogue's conventions are of type Autre: each code is then its own réservataire
    (an ETAT convention of the 13 is ETAT-13 whatever its code, DOMAIN §3.6)."""
    return _convention(**({"type_reservataire": "Autre"} | valeurs))


CAS_CONVENTIONS = [
    (3, "bailleur-obligatoire", convention(reservataire_code="C3", bailleur_code=""),
     [("bailleur_code", None, "valeur obligatoire manquante (code bailleur)")]),
    (4, "reservataire-obligatoire", convention(reservataire_code=""),
     [("reservataire_code", None, "valeur obligatoire manquante (code réservataire)")]),
    (5, "type-obligatoire", convention(reservataire_code="C5", type_reservataire=""),
     [("type_reservataire", None, "valeur obligatoire manquante (type de réservataire)")]),
    (6, "departement-obligatoire", convention(reservataire_code="C6", departement=""),
     [("departement", None, "valeur obligatoire manquante (département)")]),
    (7, "annee-obligatoire", convention(reservataire_code="C7", annee=""),
     [("annee", None, "valeur obligatoire manquante (année)")]),
    (8, "statut-obligatoire", convention(reservataire_code="C8", statut=""),
     [("statut", None, "valeur obligatoire manquante (statut)")]),
    (9, "type-inconnu", convention(reservataire_code="C9", type_reservataire="Martien"),
     [("type_reservataire", "Martien", "valeur attendue parmi : État — contingent préfectoral "
                                       "(ETAT), État — agents civils et militaires "
                                       "(ETAT_AGENTS), Action Logement Services "
                                       "(ACTION_LOGEMENT)")]),
    (10, "departement-illisible", convention(reservataire_code="C10", departement="Bouches"),
     [("departement", "Bouches", "code de département attendu (ex. 04, 13, 2A)")]),
    (11, "perimetre_type-inconnu", convention(reservataire_code="C11", perimetre_type="Région"),
     [("perimetre_type", "Région", "valeur attendue parmi : Département (DEPARTEMENT), EPCI, "
                                   "Commune (COMMUNE)")]),
    (12, "annee-texte", convention(reservataire_code="C12", annee="deux"),
     [("annee", "deux", "nombre entier attendu")]),
    (13, "statut-inconnu", convention(reservataire_code="C13", statut="Peut-être"),
     [("statut", "Peut-être", "valeur attendue parmi : Signée (SIGNEE), En cours de signature "
                              "(EN_COURS), Non signée (NON_SIGNEE)")]),
    (14, "date_signature-inexistante",
     convention(reservataire_code="C14", date_signature="2025-02-30"),
     [("date_signature", "2025-02-30", "date existante attendue")]),
    (15, "methode-inconnue", convention(reservataire_code="C15", methode="Magie"),
     [("methode", "Magie", "valeur attendue parmi : Méthode de l'assiette (ASSIETTE), Droits "
                           "acquis (DROITS_ACQUIS)")]),
    (16, "taux-texte", convention(reservataire_code="C16", taux_flux="vingt"),
     [("taux_flux", "vingt", "pourcentage attendu (ex. 25 ou 25 % ou 12,5)")]),
    (17, "droits-texte", convention(reservataire_code="C17", droits_annuels="beaucoup"),
     [("droits_annuels", "beaucoup", "nombre attendu (ex. 12,5)")]),
    (18, "mode_gestion-inconnu", convention(reservataire_code="C18", mode_gestion="Télépathie"),
     [("mode_gestion", "Télépathie", "valeur attendue parmi : Gestion directe (DIRECTE), "
                                     "Gestion déléguée (DELEGUEE)")]),
    (19, "annee-trop-ancienne", convention(reservataire_code="C19", annee="1999"),
     [("annee", "1999", "valeur hors limites : attendu entre 2 000 et 2 100")]),
    (20, "annee-trop-grande", convention(reservataire_code="C20", annee="2101"),
     [("annee", "2101", "valeur hors limites : attendu entre 2 000 et 2 100")]),
    (21, "taux-plus-de-100", convention(reservataire_code="C21", taux_flux="150"),
     [("taux_flux", "150", "valeur hors limites : attendu entre 0 et 100")]),
    (22, "taux-negatif", convention(reservataire_code="C22", taux_flux="-1"),
     [("taux_flux", "-1", "valeur hors limites : attendu entre 0 et 100")]),
    (23, "droits-negatifs", convention(reservataire_code="C23", droits_annuels="-5"),
     [("droits_annuels", "-5", "valeur hors limites : attendu entre 0 et 1 000 000")]),
    (24, "code-perimetre-epci-obligatoire",
     convention(reservataire_code="C24", perimetre_type="EPCI", perimetre_code=""),
     [("perimetre_code", None, "code du périmètre obligatoire pour un périmètre EPCI (SIREN) "
                               "ou commune (code INSEE)")]),
    (25, "code-perimetre-commune-obligatoire",
     convention(reservataire_code="C25", perimetre_type="Commune", perimetre_code=""),
     [("perimetre_code", None, "code du périmètre obligatoire")]),
    # Métropole Nice Côte d'Azur (06) for a convention of the 13.
    (26, "epci-hors-departement",
     convention(reservataire_code="C26", perimetre_type="EPCI", perimetre_code="200030195"),
     [("perimetre_code", "200030195", "EPCI inconnu ou sans commune dans ce département (SIREN "
                                      "de l'EPCI attendu)")]),
    (27, "epci-inconnu",
     convention(reservataire_code="C27", perimetre_type="EPCI", perimetre_code="123456789"),
     [("perimetre_code", "123456789", "EPCI inconnu ou sans commune dans ce département")]),
    (28, "commune-hors-departement",
     convention(reservataire_code="C28", perimetre_type="COMMUNE", perimetre_code="06088"),
     [("perimetre_code", "06088", "commune inconnue ou hors du département de la convention "
                                  "(code INSEE attendu)")]),
    (29, "commune-inconnue",
     convention(reservataire_code="C29", perimetre_type="COMMUNE", perimetre_code="13999"),
     [("perimetre_code", "13999", "commune inconnue ou hors du département")]),
    (30, "departement-hors-referentiel", convention(reservataire_code="C30", departement="2A"),
     [("departement", "2A", "département absent du référentiel des communes")]),
    # taux_flux is optional (DOMAIN §3.1): an unsigned convention often has none yet; without
    # taux nor droits its droits are unknown (a control says so), never a rejected line.
    (31, "sans-taux-methode-par-defaut",
     convention(reservataire_code="C31", methode="", taux_flux=""), []),
    (32, "sans-taux-assiette",
     convention(reservataire_code="C32", methode="Assiette", taux_flux=""), []),
    (33, "droits-obligatoires-droits-acquis",
     convention(reservataire_code="C33", methode="Droits acquis", taux_flux="",
                droits_annuels=""),
     [("droits_annuels", None, "droits annuels obligatoires pour la méthode des droits "
                               "acquis")]),
    (34, "date_signature-future", convention(reservataire_code="C34",
                                             date_signature="01/12/2026"),
     [("date_signature", "01/12/2026", "date de signature dans le futur")]),
    (35, "convention-premiere", convention(reservataire_code="C-DUP"), []),
    # "ols1" / "c-dup" fold to the codes of line 35: same key.
    (36, "convention-en-double", convention(bailleur_code="ols1", reservataire_code="c-dup",
                                            taux_flux="25"),
     [("reservataire_code", "c-dup", "convention (bailleur, réservataire, périmètre, année) en "
                                     "double dans le fichier : déjà présente ligne 35")]),
    # Accepted.
    (37, "signee-sans-date", convention(reservataire_code="C37", statut="Signée",
                                        date_signature=""), []),
    (38, "epci-a-cheval-sur-le-84",
     convention(reservataire_code="C38", departement="84", perimetre_type="EPCI",
                perimetre_code="200054807"), []),
    (39, "meme-reservataire-autre-perimetre",
     convention(reservataire_code="C-DUP", perimetre_type="COMMUNE", perimetre_code="13055"), []),
    (40, "meme-reservataire-autre-annee",
     convention(reservataire_code="C-DUP", annee="2024", date_signature="15/01/2024"), []),
    (41, "taux-0", convention(reservataire_code="C41", taux_flux="0"), []),
    (42, "taux-100", convention(reservataire_code="C42", taux_flux="100"), []),
    (43, "droits-acquis-sans-taux",
     convention(reservataire_code="C43", methode="DROITS_ACQUIS", taux_flux="",
                droits_annuels="12"), []),
]


@pytest.fixture(scope="module")
def catalogue_conventions(tmp_path_factory, modele_base):
    cat = _catalogue(tmp_path_factory, modele_base, "conventions",
                     convention(reservataire_code="C-OK"), CAS_CONVENTIONS)
    yield cat
    cat.con.close()


@pytest.mark.parametrize("ligne, ident, rangee, attendu", CAS_CONVENTIONS,
                         ids=_ids(CAS_CONVENTIONS))
def test_convention_regle(catalogue_conventions, ligne, ident, rangee, attendu):
    _verifier(catalogue_conventions, ligne, attendu)


def test_conventions_catalogue_rejete_sans_rien_ecrire(catalogue_conventions):
    rapport = catalogue_conventions.rapport
    assert rapport.statut == "rejete"
    attendues = sorted(l for l, _, _, a in CAS_CONVENTIONS if a)
    assert sorted({e.ligne for e in rapport.erreurs}) == attendues
    assert rapport.lignes_rejetees == 31
    assert catalogue_conventions.apres == catalogue_conventions.avant


def test_conventions_valides_stockees(base, fichiers):
    # The accepted lines of the catalogue, alone, are imported with their canonical values.
    rangees = [r for l, _, r, a in CAS_CONVENTIONS if not a and l != 35]
    rapport = importer(base, "conventions", fichiers.csv(tableau(CONVENTION_COLONNES, *rangees)))
    assert rapport.statut == "importe", rapport.erreurs
    assert base.execute(
        "SELECT reservataire_code, departement, perimetre_type, perimetre_code, annee, statut, "
        "date_signature, methode, taux_flux, droits_annuels FROM conventions ORDER BY ALL"
    ).fetchall() == [
        ("C-DUP", "13", "COMMUNE", "13055", 2025, "SIGNEE", date(2025, 1, 15), "ASSIETTE", 30.0,
         None),
        ("C-DUP", "13", "DEPARTEMENT", "13", 2024, "SIGNEE", date(2024, 1, 15), "ASSIETTE", 30.0,
         None),
        ("C31", "13", "DEPARTEMENT", "13", 2025, "SIGNEE", date(2025, 1, 15), "ASSIETTE", None,
         None),
        ("C32", "13", "DEPARTEMENT", "13", 2025, "SIGNEE", date(2025, 1, 15), "ASSIETTE", None,
         None),
        ("C37", "13", "DEPARTEMENT", "13", 2025, "SIGNEE", None, "ASSIETTE", 30.0, None),
        ("C38", "84", "EPCI", "200054807", 2025, "SIGNEE", date(2025, 1, 15), "ASSIETTE", 30.0,
         None),
        ("C41", "13", "DEPARTEMENT", "13", 2025, "SIGNEE", date(2025, 1, 15), "ASSIETTE", 0.0,
         None),
        ("C42", "13", "DEPARTEMENT", "13", 2025, "SIGNEE", date(2025, 1, 15), "ASSIETTE", 100.0,
         None),
        ("C43", "13", "DEPARTEMENT", "13", 2025, "SIGNEE", date(2025, 1, 15), "DROITS_ACQUIS",
         None, 12.0),
    ]


ORTHOGRAPHES_CONVENTIONS = [
    ("type_reservataire", "Etat", "ETAT"),
    ("type_reservataire", "État — contingent préfectoral", "ETAT"),
    ("type_reservataire", "Action Logement", "ACTION_LOGEMENT"),
    ("type_reservataire", "action logement services", "ACTION_LOGEMENT"),
    ("type_reservataire", "Conseil départemental", "DEPARTEMENT"),
    ("statut", "Signée", "SIGNEE"), ("statut", "SIGNEE", "SIGNEE"),
    ("statut", "En cours de signature", "EN_COURS"), ("statut", "Non signée", "NON_SIGNEE"),
    ("statut", "NON SIGNEE", "NON_SIGNEE"),
    ("mode_gestion", "Déléguée", "DELEGUEE"), ("mode_gestion", "Gestion directe", "DIRECTE"),
    ("methode", "Méthode de l'assiette", "ASSIETTE"), ("methode", "", "ASSIETTE"),
    ("perimetre_type", "", "DEPARTEMENT"), ("perimetre_type", "Département", "DEPARTEMENT"),
]


def test_conventions_libelles_francais_et_valeurs_par_defaut(base, fichiers):
    # One year each: two spellings of État in the 13 are one réservataire (ETAT-13), which may
    # hold one convention a year.
    rangees = [convention(reservataire_code=f"R{i}", annee=str(2030 + i), **{colonne: ecrit})
               for i, (colonne, ecrit, _) in enumerate(ORTHOGRAPHES_CONVENTIONS)]
    rapport = importer(base, "conventions", fichiers.csv(tableau(CONVENTION_COLONNES, *rangees)))
    assert rapport.statut == "importe", rapport.erreurs
    lues = {r[0]: r[1:] for r in base.execute(
        "SELECT reservataire_valeur, type_reservataire, statut, mode_gestion, methode, "
        "perimetre_type FROM conventions").fetchall()}
    position = ["type_reservataire", "statut", "mode_gestion", "methode", "perimetre_type"]
    obtenu = [(colonne, ecrit, lues[f"R{i}"][position.index(colonne)])
              for i, (colonne, ecrit, _) in enumerate(ORTHOGRAPHES_CONVENTIONS)]
    assert obtenu == ORTHOGRAPHES_CONVENTIONS


# ====================================================================================== parc

CAS_PARC = [
    (3, "bailleur-obligatoire", parc(code_insee="04070", bailleur_code=""),
     [("bailleur_code", None, "valeur obligatoire manquante (code bailleur)")]),
    (4, "code_insee-obligatoire", parc(code_insee=""),
     [("code_insee", None, "valeur obligatoire manquante (code INSEE)")]),
    (5, "annee-obligatoire", parc(code_insee="06088", annee=""),
     [("annee", None, "valeur obligatoire manquante (année)")]),
    (6, "parc-obligatoire", parc(code_insee="83137", parc_total=""),
     [("parc_total", None, "valeur obligatoire manquante (parc total)")]),
    (7, "parc-texte", parc(code_insee="84007", parc_total="cent"),
     [("parc_total", "cent", "nombre entier attendu (ex. 1 234)")]),
    (8, "parc-decimal", parc(code_insee="05061", parc_total="12,5", liberations="1"),
     [("parc_total", "12,5", "nombre entier attendu")]),
    (9, "exclus-texte", parc(code_insee="04112", logements_exclus="x"),
     [("logements_exclus", "x", "nombre entier attendu")]),
    (10, "liberations-decimal", parc(code_insee="04001", liberations="9,5"),
     [("liberations", "9,5", "nombre entier attendu")]),
    (11, "taux-texte", parc(code_insee="04004", liberations="", taux_rotation="dix"),
     [("taux_rotation", "dix", "pourcentage attendu")]),
    (12, "mutations-texte", parc(code_insee="04005", mutations_prevues="?"),
     [("mutations_prevues", "?", "nombre entier attendu")]),
    (13, "relogements-texte", parc(code_insee="04006", relogements_prevus="beaucoup"),
     [("relogements_prevus", "beaucoup", "nombre entier attendu")]),
    (14, "parc-negatif", parc(code_insee="06029", parc_total="-3", liberations="",
                              taux_rotation="10"),
     [("parc_total", "-3", "valeur hors limites : attendu entre 0 et 1 000 000")]),
    (15, "taux-plus-de-100", parc(code_insee="13004", liberations="", taux_rotation="101"),
     [("taux_rotation", "101", "valeur hors limites : attendu entre 0 et 100")]),
    (16, "mutations-negatives", parc(code_insee="13005", mutations_prevues="-1"),
     [("mutations_prevues", "-1", "valeur hors limites : attendu entre 0 et 1 000 000")]),
    (17, "annee-trop-ancienne", parc(code_insee="13028", annee="1999"),
     [("annee", "1999", "valeur hors limites : attendu entre 2 000 et 2 100")]),
    (18, "exclus-superieurs-au-parc",
     parc(code_insee="13039", parc_total="100", logements_exclus="120"),
     [("logements_exclus", "120", "logements exclus supérieurs au parc total (100)")]),
    (19, "ni-liberations-ni-taux", parc(code_insee="13047", liberations="", taux_rotation=""),
     [("liberations", None, "indiquez les libérations de l'année précédente ou un taux de "
                            "rotation convenu")]),
    (20, "liberations-superieures-au-parc",
     parc(code_insee="13056", parc_total="100", liberations="120"),
     [("liberations", "120", "libérations supérieures au parc total (100)")]),
    (21, "commune-inconnue", parc(code_insee="13999"),
     [("code_insee", "13999", "commune inconnue du référentiel des communes")]),
    (22, "commune-premiere", parc(code_insee="13055"), []),
    (23, "commune-en-double", parc(code_insee="13055", parc_total="200"),
     [("code_insee", "13055", "commune en double dans le fichier : déjà présente ligne 22")]),
    # Accepted.
    (24, "exclus-egaux-au-parc", parc(code_insee="83050", parc_total="100",
                                      logements_exclus="100", liberations="0"), []),
    (25, "taux-seul", parc(code_insee="84031", liberations="", taux_rotation="8"), []),
    (26, "meme-commune-autre-bailleur", parc(code_insee="13055", bailleur_code="OLS2"), []),
]


@pytest.fixture(scope="module")
def catalogue_parc(tmp_path_factory, modele_base):
    cat = _catalogue(tmp_path_factory, modele_base, "parc", parc(code_insee="13001"), CAS_PARC)
    yield cat
    cat.con.close()


@pytest.mark.parametrize("ligne, ident, rangee, attendu", CAS_PARC, ids=_ids(CAS_PARC))
def test_parc_regle(catalogue_parc, ligne, ident, rangee, attendu):
    _verifier(catalogue_parc, ligne, attendu)


def test_parc_catalogue_rejete_sans_rien_ecrire(catalogue_parc):
    rapport = catalogue_parc.rapport
    assert rapport.statut == "rejete"
    assert sorted({e.ligne for e in rapport.erreurs}) == sorted(
        l for l, _, _, a in CAS_PARC if a)
    assert rapport.lignes_rejetees == 20
    assert catalogue_parc.apres == catalogue_parc.avant


def test_parc_valeurs_par_defaut(base, fichiers):
    rapport = importer(base, "parc", fichiers.csv(tableau(
        PARC_COLONNES, parc(liberations="", taux_rotation="8"),
        parc(code_insee="04070", parc_total="100", logements_exclus="100", liberations="0"))))
    assert rapport.statut == "importe", rapport.erreurs
    assert base.execute("SELECT code_insee, parc_total, logements_exclus, liberations, "
                        "taux_rotation, mutations_prevues, relogements_prevus FROM parc "
                        "ORDER BY 1").fetchall() == [
        ("04070", 100, 100, 0, None, 0, 0), ("13055", 100, 0, None, 8.0, 0, 0)]


# ============================================================================ documents_epci

CAS_DOCUMENTS = [
    (3, "epci-inconnu", document(epci_siren="123456789"),
     [("epci_siren", "123456789", "EPCI inconnu du référentiel (SIREN d'un EPCI à fiscalité "
                                  "propre attendu)")]),
    (4, "siren-8-chiffres", document(epci_siren="20005480", document="CIA"),
     [("epci_siren", "20005480", "numéro SIREN attendu : 9 chiffres")]),
    (5, "epci-obligatoire", document(epci_siren=""),
     [("epci_siren", None, "valeur obligatoire manquante (SIREN de l'EPCI)")]),
    (6, "document-inconnu", document(document="Machin"),
     [("document", "Machin", "valeur attendue parmi")]),
    (7, "statut-inconnu", document(epci_siren="200030195", statut="Bof"),
     [("statut", "Bof", "valeur attendue parmi : Adopté (ADOPTE), En cours (EN_COURS), "
                        "Non engagé (NON_ENGAGE)")]),
    (8, "date-inexistante", document(epci_siren="200067437", date_document="15/13/2024"),
     [("date_document", "15/13/2024", "date existante attendue")]),
    (9, "document-premier", document(document="CIA"), []),
    (10, "document-en-double", document(document="Convention intercommunale d'attribution",
                                        statut="En cours"),
     [("document", "Convention intercommunale d'attribution",
       "document en double dans le fichier : déjà présente ligne 9")]),
    (11, "siren-avec-espaces", document(epci_siren="200 030 195", document="PPGD",
                                        statut="Adopté"), []),
]


@pytest.fixture(scope="module")
def catalogue_documents(tmp_path_factory, modele_base):
    cat = _catalogue(tmp_path_factory, modele_base, "documents_epci",
                     document(document="COTATION"), CAS_DOCUMENTS)
    yield cat
    cat.con.close()


@pytest.mark.parametrize("ligne, ident, rangee, attendu", CAS_DOCUMENTS, ids=_ids(CAS_DOCUMENTS))
def test_document_regle(catalogue_documents, ligne, ident, rangee, attendu):
    _verifier(catalogue_documents, ligne, attendu)


def test_documents_catalogue_rejete_sans_rien_ecrire(catalogue_documents):
    rapport = catalogue_documents.rapport
    assert rapport.statut == "rejete"
    assert sorted({e.ligne for e in rapport.erreurs}) == [3, 4, 5, 6, 7, 8, 10]
    assert catalogue_documents.apres == catalogue_documents.avant


def test_documents_libelles_stockes(base, fichiers):
    rapport = importer(base, "documents_epci", fichiers.csv(tableau(
        DOCUMENT_COLONNES,
        document(epci_siren="200 054 807", document="Conférence intercommunale du logement",
                 statut="Adopté"),
        document(document="cotation", statut="Non engagé", date_document=""),
        document(document="PPGD", statut="en cours", date_document="2025-01-31"))))
    assert rapport.statut == "importe", rapport.erreurs
    assert base.execute("SELECT * EXCLUDE (import_id) FROM documents_epci ORDER BY ALL"
                        ).fetchall() == [("200054807", "CIL", "ADOPTE", date(2024, 6, 15)),
                                         ("200054807", "COTATION", "NON_ENGAGE", None),
                                         ("200054807", "PPGDID", "EN_COURS", date(2025, 1, 31))]


# ==================================================== each fault alone (the import fast path)
# A file with a single fault goes through the fast path (canonical values, fault counts) before
# the detailed one: each rule must still reject it, alone, with the same error.

VALIDES = {"mises_a_disposition": mad(reference="R-OK"),
           "conventions": convention(reservataire_code="C-OK"),
           "parc": parc(code_insee="13001"), "documents_epci": document(document="COTATION")}
CATALOGUES = {"mises_a_disposition": CAS_MAD, "conventions": CAS_CONVENTIONS, "parc": CAS_PARC,
              "documents_epci": CAS_DOCUMENTS}
SEULS = [
    ("mises_a_disposition", [
        "bailleur_code-obligatoire", "reference-obligatoire", "date-inexistante",
        "code_insee-lettres", "qpv-booleen", "annee_construction-trop-ancienne", "issue-inconnue",
        "rpls-trop-court", "date-invraisemblable", "commune-inconnue", "date_bail-avant-mad",
        "date_bail-obligatoire-bail-signe", "reservataire-obligatoire-flux", "mad-future",
        "bail-a-plus-d-un-an", "reference-espaces"]),
    ("conventions", [
        "departement-illisible", "annee-trop-grande", "taux-plus-de-100",
        "code-perimetre-epci-obligatoire", "epci-hors-departement",
        "commune-hors-departement", "departement-hors-referentiel",
        "droits-obligatoires-droits-acquis",
        "date_signature-future", "methode-inconnue"]),
    ("parc", [
        "parc-obligatoire", "parc-decimal", "taux-plus-de-100", "exclus-superieurs-au-parc",
        "ni-liberations-ni-taux", "liberations-superieures-au-parc", "commune-inconnue"]),
    ("documents_epci", ["epci-inconnu", "siren-8-chiffres"]),
]
CAS_SEULS = [(kind, ident) for kind, idents in SEULS for ident in idents]


@pytest.mark.parametrize("kind, ident", CAS_SEULS, ids=[f"{k}-{i}" for k, i in CAS_SEULS])
def test_faute_seule_dans_le_fichier(base, fichiers, kind, ident):
    (_, _, rangee, attendu), = [c for c in CATALOGUES[kind] if c[1] == ident]
    avant = instantane(base)
    rapport = importer(base, kind, fichiers.csv(tableau(COLONNES[kind], VALIDES[kind], rangee)))
    assert rapport.statut == "rejete"
    assert [(e.ligne, e.colonne, e.valeur) for e in rapport.erreurs] == [
        (3, c, v) for c, v, _ in attendu]
    for e, (_, _, fragment) in zip(rapport.erreurs, attendu):
        assert fragment in e.message
    assert instantane(base) == avant


@pytest.mark.parametrize("kind, premiere, double, colonne, valeur", [
    ("mises_a_disposition", mad(reference="R-DUP"),
     mad(reference="R-DUP", date_mise_a_disposition="16/03/2025"), "reference", "R-DUP"),
    ("conventions", convention(reservataire_code="C-DUP"),
     convention(reservataire_code="C-DUP", taux_flux="25"), "reservataire_code", "C-DUP"),
    ("parc", parc(code_insee="13055"), parc(code_insee="13055", parc_total="200"),
     "code_insee", "13055"),
    ("documents_epci", document(document="CIA"), document(document="CIA", statut="EN_COURS"),
     "document", "CIA"),
], ids=["mad", "conventions", "parc", "documents_epci"])
def test_doublon_seul_dans_le_fichier(base, fichiers, kind, premiere, double, colonne, valeur):
    rapport = importer(base, kind, fichiers.csv(tableau(COLONNES[kind], VALIDES[kind], premiere,
                                                        double)))
    assert rapport.statut == "rejete"
    assert [(e.ligne, e.colonne, e.valeur) for e in rapport.erreurs] == [(4, colonne, valeur)]
    assert "en double dans le fichier : déjà présente ligne 3" in rapport.erreurs[0].message
    assert base.execute("SELECT count(*) FROM journal_imports").fetchone() == (0,)
